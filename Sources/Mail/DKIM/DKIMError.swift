// MARK: - DKIM errors

/// Why a DKIM signer cannot be made or a message cannot be signed.
public enum DKIMError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPrivateKey(String)
    case invalidDomain(String)
    case invalidSelector(String)
    case fromNotSigned
    case missingFromHeader
    case bareLineBreak(offset: Int)
    case malformedHeader(line: String)
    case signingFailed(String)

    /// The problem in a sentence for the person who must fix it.
    public var description: String {
        switch self {
        case .invalidPrivateKey(let reason): return "the DKIM private key cannot be read (an RSA key of at least 2048 bits in PEM form is needed): \(reason)"
        case .invalidDomain(let domain): return "'\(domain)' is not a valid DKIM signing domain"
        case .invalidSelector(let selector): return "'\(selector)' is not a valid DKIM selector"
        case .fromNotSigned: return "the signed header list must include 'from' (RFC 6376 section 5.4)"
        case .missingFromHeader: return "the message has no From header to sign"
        case .bareLineBreak(let offset): return "the message has a bare CR or LF at byte \(offset); lines must end with CRLF"
        case .malformedHeader(let line): return "not a header field: '\(line)'"
        case .signingFailed(let reason): return "RSA signing failed: \(reason)"
        }
    }
}
