// MARK: - Composition errors

/// Why a message cannot be composed.
public enum MailComposeError: Error, Sendable, Equatable, CustomStringConvertible {
    case noRecipients
    case invalidHeaderName(String)
    case controlCharacterInHeader(name: String, scalar: UInt32)
    case reservedHeader(String)
    case invalidUnsubscribeURI(String)
    case oneClickUnsubscribeNeedsHTTPS

    /// The problem in a sentence for the person who must fix it.
    public var description: String {
        switch self {
        case .noRecipients: return "the message has no recipient"
        case .invalidHeaderName(let name): return "'\(name)' is not a valid header name"
        case .controlCharacterInHeader(let name, let scalar): return "the \(name) header contains control character U+\(String(scalar, radix: 16, uppercase: true)) (line breaks are not allowed)"
        case .reservedHeader(let name): return "the \(name) header is written by the composer and cannot be set as an extra header"
        case .invalidUnsubscribeURI(let uri): return "'\(uri)' is not a usable List-Unsubscribe URI (ASCII, no spaces or angle brackets, at most 900 characters)"
        case .oneClickUnsubscribeNeedsHTTPS: return "one-click unsubscribe (RFC 8058) needs an https: URI in List-Unsubscribe"
        }
    }
}
