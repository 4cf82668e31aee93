// MARK: - Configuration errors

/// Why an SMTP URL was refused; each case names the exact problem.
public enum SMTPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case containsWhitespace
    case missingScheme
    case unsupportedScheme(String)
    case fragmentNotAllowed
    case unexpectedPath(String)
    case missingHost
    case invalidHost(String)
    case invalidPort(String)
    case emptyUser
    case missingPassword
    case invalidPercentEncoding(component: String)
    case unknownParameter(String)
    case duplicateParameter(String)
    case invalidParameterValue(name: String, value: String, allowed: [String])
    case startTLSWithImplicitTLS
    case authWithoutCredentials

    /// The problem in a sentence for the person who must fix it.
    public var description: String {
        switch self {
        case .empty: return "the SMTP URL is empty"
        case .containsWhitespace: return "the SMTP URL contains whitespace or control characters (percent-encode them)"
        case .missingScheme: return "the SMTP URL must start with smtp:// or smtps://"
        case .unsupportedScheme(let scheme): return "unsupported scheme '\(scheme)': use smtp:// (STARTTLS) or smtps:// (implicit TLS)"
        case .fragmentNotAllowed: return "the SMTP URL must not contain '#' (percent-encode it as %23 in a password)"
        case .unexpectedPath(let path): return "the SMTP URL must not have a path ('\(path)')"
        case .missingHost: return "the SMTP URL has no host"
        case .invalidHost(let host): return "'\(host)' is not a valid host name or [IPv6] address"
        case .invalidPort(let port): return "'\(port)' is not a port number (1–65535)"
        case .emptyUser: return "the SMTP URL has a password but no user name"
        case .missingPassword: return "the SMTP URL has a user name but no password (user:password@host)"
        case .invalidPercentEncoding(let component): return "the \(component) in the SMTP URL has an invalid percent-escape or is not UTF-8"
        case .unknownParameter(let name): return "unknown SMTP URL parameter '\(name)' (known: starttls, auth)"
        case .duplicateParameter(let name): return "the SMTP URL parameter '\(name)' is given twice"
        case .invalidParameterValue(let name, let value, let allowed): return "'\(value)' is not a valid \(name) value; use one of \(allowed.joined(separator: ", "))"
        case .startTLSWithImplicitTLS: return "starttls= applies only to smtp://; smtps:// is TLS from the start"
        case .authWithoutCredentials: return "auth= needs a user name and password in the SMTP URL"
        }
    }
}
