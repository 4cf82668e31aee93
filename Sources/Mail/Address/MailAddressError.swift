// MARK: - Address errors

/// Why a text is not an address we can send to; each case names the exact problem.
public enum MailAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case missingAt
    case whitespaceInAddress
    case controlCharacterInAddress(scalar: UInt32)
    case addressTooLong(octets: Int)
    case emptyLocalPart
    case localPartTooLong(octets: Int)
    case quotedLocalPartNotSupported
    case dotAtEdgeOfLocalPart
    case consecutiveDotsInLocalPart
    case invalidCharacterInLocalPart(String, position: Int)
    case emptyDomain
    case addressLiteralNotSupported
    case internationalDomainNotSupported(String)
    case domainTooLong(characters: Int)
    case emptyDomainLabel
    case domainLabelTooLong(String)
    case invalidCharacterInDomain(String)
    case hyphenAtEdgeOfDomainLabel(String)
    case domainWithoutDot(String)
    case unbalancedAngleBracket
    case textAfterAddress(String)
    case unterminatedQuotedName
    case textAfterQuotedName
    case controlCharacterInDisplayName(scalar: UInt32)

    /// The problem in a sentence for the person who must fix it.
    public var description: String {
        switch self {
        case .empty: return "the address is empty"
        case .missingAt: return "the address has no @"
        case .whitespaceInAddress: return "the address contains a space"
        case .controlCharacterInAddress(let scalar): return "the address contains control character U+\(hex(scalar))"
        case .addressTooLong(let octets): return "the address is \(octets) bytes long; at most \(MailAddress.maximumAddressLength) are allowed"
        case .emptyLocalPart: return "nothing before the @"
        case .localPartTooLong(let octets): return "the part before the @ is \(octets) bytes long; at most \(MailAddress.maximumLocalPartLength) are allowed"
        case .quotedLocalPartNotSupported: return "quoted local parts (\"…\"@domain) are not supported"
        case .dotAtEdgeOfLocalPart: return "the part before the @ starts or ends with a dot"
        case .consecutiveDotsInLocalPart: return "the part before the @ contains two dots in a row"
        case .invalidCharacterInLocalPart(let character, let position): return "character '\(character)' at position \(position) is not allowed before the @"
        case .emptyDomain: return "nothing after the @"
        case .addressLiteralNotSupported: return "address literals (user@[IP]) are not supported"
        case .internationalDomainNotSupported(let domain): return "the domain '\(domain)' is not ASCII; give its xn-- (punycode) form"
        case .domainTooLong(let characters): return "the domain is \(characters) characters long; at most \(MailAddress.maximumDomainLength) are allowed"
        case .emptyDomainLabel: return "the domain has an empty label (a leading, trailing or double dot)"
        case .domainLabelTooLong(let label): return "the domain label '\(label)' is longer than \(MailAddress.maximumLabelLength) characters"
        case .invalidCharacterInDomain(let character): return "character '\(character)' is not allowed in a domain"
        case .hyphenAtEdgeOfDomainLabel(let label): return "the domain label '\(label)' starts or ends with a hyphen"
        case .domainWithoutDot(let domain): return "the domain '\(domain)' has no dot"
        case .unbalancedAngleBracket: return "unbalanced < or >"
        case .textAfterAddress(let text): return "unexpected text after the address: '\(text)'"
        case .unterminatedQuotedName: return "the quoted display name has no closing quote"
        case .textAfterQuotedName: return "unexpected text after the quoted display name"
        case .controlCharacterInDisplayName(let scalar): return "the display name contains control character U+\(hex(scalar))"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
