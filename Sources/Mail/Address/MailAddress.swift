// MARK: - Mail address

/// An e-mail address with an optional display name, e.g. `Ada Lovelace <ada@example.com>`.
///
/// Only what real mailboxes use is accepted: a dot-atom local part (ASCII `atext`, or UTF-8 for
/// SMTPUTF8, RFC 6531) and an ASCII host name with at least one dot. Quoted local parts and
/// address literals (`user@[192.0.2.1]`) are refused with their own errors, as are internationalised
/// domain names, which must be given in their `xn--` form.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// What comes before the `@`.
    public let localPart: String
    /// What comes after the `@`, as given (domains compare case-insensitively).
    public let domain: String
    /// The human-readable name, if any, unencoded.
    public let displayName: String?

    /// `local@domain`, as used in the SMTP envelope.
    public var address: String { localPart + "@" + domain }

    /// True when the local part is not ASCII, so sending needs the SMTPUTF8 extension.
    public var requiresSMTPUTF8: Bool { localPart.utf8.contains { $0 >= 0x80 } }

    /// Validates `address` (`local@domain`, no angle brackets) and attaches `displayName`.
    /// An empty or all-blank display name counts as none.
    public init(address: String, displayName: String? = nil) throws(MailAddressError) {
        let (local, domain) = try MailAddress.validate(address: address)
        self.localPart = local
        self.domain = domain
        let trimmed = displayName.map(MailAddress.trimWhitespace)
        if let trimmed, let bad = trimmed.unicodeScalars.first(where: MailAddress.isControl) {
            throw .controlCharacterInDisplayName(scalar: bad.value)
        }
        self.displayName = (trimmed?.isEmpty ?? true) ? nil : trimmed
    }

    /// Parses `Name <local@domain>`, `"Quoted, Name" <local@domain>`, `<local@domain>` or a bare
    /// `local@domain`, as written in configuration (`--mail-from`) or imported contact data.
    public init(parsing text: String) throws(MailAddressError) {
        let (name, address) = try MailAddress.split(text)
        try self.init(address: address, displayName: name)
    }

    /// `Name <local@domain>` for logs and messages to people; not header-encoded.
    public var description: String {
        guard let displayName else { return address }
        return "\(MailAddress.quoteIfNeeded(displayName)) <\(address)>"
    }

    // MARK: - Header form

    /// The address as foldable pieces of a header value: display-name words (plain, quoted or
    /// RFC 2047 encoded) then the address, `<local@domain>`.
    var headerPieces: [String] {
        guard let displayName else { return [address] }
        let angle = "<\(address)>"
        if displayName.unicodeScalars.allSatisfy({ $0.value < 0x80 }) {
            let words = displayName.split(separator: " ", omittingEmptySubsequences: false)
            if words.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(MailAddress.isAtext) }) {
                return words.map(String.init) + [angle]
            }
            let quoted = MailAddress.quote(displayName)
            // A quoted string is never folded inside, so keep it short enough for one line.
            if quoted.count <= 70 && !displayName.contains("=?") {
                return [quoted, angle]
            }
        }
        // Short words so that each, with a following comma, fits a folded line of any
        // address header.
        return EncodedWord.encode(displayName, firstLimit: 60, limit: 60) + [angle]
    }

    // MARK: - Character classes

    /// RFC 5322 `atext`: the characters of an atom.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9",
             "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
            return true
        default:
            return false
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
    }

    static func trimWhitespace(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// A display name as a quoted-string (RFC 5322 section 3.2.4) unless it is plain atoms.
    static func quoteIfNeeded(_ name: String) -> String {
        let plain = name.split(separator: " ", omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { isAtext($0) || $0.value >= 0x80 } }
        return plain ? name : quote(name)
    }

    static func quote(_ name: String) -> String {
        var output = "\""
        for character in name {
            if character == "\"" || character == "\\" { output.append("\\") }
            output.append(character)
        }
        return output + "\""
    }
}
