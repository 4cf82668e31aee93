// MARK: - Parsing and validation

extension MailAddress {
    /// RFC 5321 section 4.5.3.1: a path is at most 256 octets including its angle brackets.
    static let maximumAddressLength = 254
    /// RFC 5321 section 4.5.3.1.1.
    static let maximumLocalPartLength = 64
    /// RFC 1035: 253 characters in text form, 63 per label.
    static let maximumDomainLength = 253
    static let maximumLabelLength = 63

    /// Separates the display name from the address in `Name <address>` forms.
    static func split(_ text: String) throws(MailAddressError) -> (name: String?, address: String) {
        let trimmed = trimWhitespace(text)
        guard !trimmed.isEmpty else { throw .empty }
        let scalars = Array(trimmed.unicodeScalars)
        // Find the `<` that is outside any quoted string.
        var inQuotes = false
        var escaped = false
        var open: Int?
        for (index, scalar) in scalars.enumerated() {
            if escaped { escaped = false; continue }
            if inQuotes && scalar == "\\" { escaped = true; continue }
            if scalar == "\"" { inQuotes.toggle(); continue }
            if !inQuotes && scalar == "<" { open = index; break }
        }
        if inQuotes { throw .unterminatedQuotedName }
        guard let open else {
            if trimmed.unicodeScalars.contains(">") { throw .unbalancedAngleBracket }
            return (nil, trimmed)
        }
        guard let close = scalars[(open + 1)...].firstIndex(of: ">") else { throw .unbalancedAngleBracket }
        let after = String(String.UnicodeScalarView(scalars[(close + 1)...]))
        guard trimWhitespace(after).isEmpty else { throw .textAfterAddress(trimWhitespace(after)) }
        let address = String(String.UnicodeScalarView(scalars[(open + 1)..<close]))
        let rawName = trimWhitespace(String(String.UnicodeScalarView(scalars[..<open])))
        return (try unquoteName(rawName), address)
    }

    /// `"Doe, Jane"` → `Doe, Jane`; an unquoted name is taken as written.
    private static func unquoteName(_ raw: String) throws(MailAddressError) -> String? {
        guard !raw.isEmpty else { return nil }
        guard raw.hasPrefix("\"") else { return raw }
        var name = ""
        var escaped = false
        var closed = false
        for character in raw.dropFirst() {
            if closed { throw .textAfterQuotedName }
            if escaped { name.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "\"" { closed = true; continue }
            name.append(character)
        }
        guard closed else { throw .unterminatedQuotedName }
        return name
    }

    /// Checks `local@domain` and returns its two halves.
    static func validate(address: String) throws(MailAddressError) -> (local: String, domain: String) {
        guard !address.isEmpty else { throw .empty }
        if let space = address.unicodeScalars.first(where: { $0 == " " || $0 == "\t" || isControl($0) }) {
            throw space == " " || space == "\t" ? .whitespaceInAddress : .controlCharacterInAddress(scalar: space.value)
        }
        guard address.utf8.count <= maximumAddressLength else { throw .addressTooLong(octets: address.utf8.count) }
        guard let at = address.lastIndex(of: "@") else { throw .missingAt }
        let local = String(address[..<at])
        let domain = String(address[address.index(after: at)...])
        try validate(localPart: local)
        try validate(domain: domain)
        return (local, domain)
    }

    private static func validate(localPart local: String) throws(MailAddressError) {
        guard !local.isEmpty else { throw .emptyLocalPart }
        if local.hasPrefix("\"") { throw .quotedLocalPartNotSupported }
        guard local.utf8.count <= maximumLocalPartLength else { throw .localPartTooLong(octets: local.utf8.count) }
        if local.hasPrefix(".") || local.hasSuffix(".") { throw .dotAtEdgeOfLocalPart }
        if local.contains("..") { throw .consecutiveDotsInLocalPart }
        for (position, scalar) in local.unicodeScalars.enumerated()
        where !(isAtext(scalar) || scalar == "." || scalar.value >= 0x80) {
            throw .invalidCharacterInLocalPart(String(scalar), position: position)
        }
    }

    private static func validate(domain: String) throws(MailAddressError) {
        guard !domain.isEmpty else { throw .emptyDomain }
        if domain.hasPrefix("[") { throw .addressLiteralNotSupported }
        if domain.unicodeScalars.contains(where: { $0.value >= 0x80 }) { throw .internationalDomainNotSupported(domain) }
        guard domain.count <= maximumDomainLength else { throw .domainTooLong(characters: domain.count) }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw .emptyDomainLabel }
            guard label.count <= maximumLabelLength else { throw .domainLabelTooLong(String(label)) }
            for scalar in label.unicodeScalars {
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-": continue
                default: throw .invalidCharacterInDomain(String(scalar))
                }
            }
            if label.hasPrefix("-") || label.hasSuffix("-") { throw .hyphenAtEdgeOfDomainLabel(String(label)) }
        }
        guard labels.count >= 2 else { throw .domainWithoutDot(domain) }
    }
}
