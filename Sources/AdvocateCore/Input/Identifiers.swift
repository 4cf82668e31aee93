/// Checks for the identifiers clients send: e-mail addresses, locales, external ids.
public enum Identifiers {
    /// Lower-cases and checks an e-mail address; nil when it is not a plausible address.
    ///
    /// Deliberately simple (one `@`, a dotted domain, no spaces or controls): full RFC 5322
    /// syntax admits addresses no mail server delivers to, and the real test is the SMTP server.
    public static func normalizedEmail(_ raw: String) -> String? {
        let s = raw.lowercased()
        guard s.count <= Limits.emailCharacters else { return nil }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count), !parts[1].isEmpty else { return nil }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return nil }
        guard !s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" || $0 == "\"" }) else { return nil }
        return s
    }

    /// Whether a locale tag is well formed (BCP 47 shape: `en`, `pt-BR`, `zh-Hans`, `sr-Latn-RS`).
    public static func isValidLocale(_ tag: String) -> Bool {
        guard (2...35).contains(tag.utf8.count) else { return false }
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.utf8.count),
              first.utf8.allSatisfy({ isLetter($0) }) else { return false }
        return parts.dropFirst().allSatisfy { p in
            (1...8).contains(p.utf8.count) && p.utf8.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
        }
    }

    /// Whether an external id is usable in a URL path segment and a CSV cell.
    public static func isValidExternalID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= Limits.externalIDCharacters
            && !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
}
