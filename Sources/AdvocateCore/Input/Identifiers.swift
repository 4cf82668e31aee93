/// Checks for the identifiers clients send: e-mail addresses, locales, external ids.
public enum Identifiers {
    /// Lower-cases and checks an e-mail address; nil when it is not a plausible address.
    ///
    /// Deliberately simple (one `@`, a dotted domain, no spaces or controls): full RFC 5322
    /// syntax admits addresses no mail server delivers to, and the real test is the SMTP server.
    public static func normalizedEmail(_ raw: String) -> String? {
        raw.utf8.allSatisfy({ $0 < 0x80 }) ? normalizedASCIIEmail(raw) : normalizedUnicodeEmail(raw)
    }

    /// The general path, for addresses with non-ASCII letters (`ÇAĞRI@örnek.com.tr`).
    static func normalizedUnicodeEmail(_ raw: String) -> String? {
        let s = raw.lowercased()
        guard s.count <= Limits.emailCharacters else { return nil }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count), !parts[1].isEmpty else { return nil }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return nil }
        guard !s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" || $0 == "\"" }) else { return nil }
        return s
    }

    /// `normalizedEmail` of an all-ASCII address, on its bytes: imports check millions, and the
    /// general path's String lower-casing and searching was a tenth of an import's CPU. Its
    /// answers equal the general path's: the only ASCII character longer than one byte, CR LF,
    /// is a control and refused by both.
    static func normalizedASCIIEmail(_ raw: String) -> String? {
        var bytes = Array(raw.utf8)
        var at = -1
        for i in bytes.indices {
            let b = bytes[i]
            if b >= 65 && b <= 90 { bytes[i] = b + 32 }
            if b == UInt8(ascii: "@") { at = at == -1 ? i : -2 }
        }
        guard bytes.count <= Limits.emailCharacters, at >= 1, at <= 64, at < bytes.count - 1 else { return nil }
        let domain = bytes[(at + 1)...]
        guard domain.contains(UInt8(ascii: ".")), domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: ".") else { return nil }
        var previous: UInt8 = 0
        for b in domain {
            if b == UInt8(ascii: "."), previous == b { return nil }
            previous = b
        }
        for b in bytes where b <= 0x20 || b == 0x7F || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: ",")
            || b == UInt8(ascii: ";") || b == UInt8(ascii: "\"") {
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
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
