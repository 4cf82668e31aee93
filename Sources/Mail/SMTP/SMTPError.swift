import NIOCore

// MARK: - SMTP errors

/// Why a connection or transaction failed as a whole. Per-recipient refusals are not errors:
/// they are outcomes in `SMTPSendResult`.
public enum SMTPError: Error, Sendable, CustomStringConvertible {
    case connectionFailed(host: String, port: Int, reason: String)
    case timeout(waitingFor: String, after: TimeAmount)
    case connectionClosed(waitingFor: String)
    case tlsFailed(String)
    case malformedReply(String)
    case dataAfterSTARTTLSReply
    case greetingRefused(SMTPReply)
    case helloRefused(SMTPReply)
    case startTLSNotOffered
    case startTLSRefused(SMTPReply)
    case authenticationNotOffered
    case authMechanismNotOffered(wanted: [String], offered: [String])
    case plaintextAuthenticationRefused
    case authenticationFailed(SMTPReply)
    case senderRejected(SMTPReply)
    case noRecipients
    case smtpUTF8NotOffered
    case eightBitMIMENotOffered
    case messageTooLarge(size: Int, limit: Int)
    case lineTooLong(line: Int, length: Int)
    case connectionBusy
    case tlsConfiguration(String)
    /// The caller's `beforeDelivery` check said no: the data was never terminated, so the server
    /// discarded the message, and the connection was closed.
    case withheldByCaller

    /// Whether sending again later may succeed (a network problem or a 4yz reply), as opposed to
    /// a configuration or message problem that needs a person.
    public var isTransient: Bool {
        switch self {
        case .connectionFailed, .timeout, .connectionClosed, .malformedReply, .connectionBusy:
            return true
        case .greetingRefused(let reply), .helloRefused(let reply), .startTLSRefused(let reply),
             .authenticationFailed(let reply), .senderRejected(let reply):
            return reply.isTransientNegative
        case .tlsFailed, .dataAfterSTARTTLSReply, .startTLSNotOffered, .authenticationNotOffered,
             .authMechanismNotOffered, .plaintextAuthenticationRefused, .noRecipients, .smtpUTF8NotOffered,
             .eightBitMIMENotOffered, .messageTooLarge, .lineTooLong, .tlsConfiguration, .withheldByCaller:
            return false
        }
    }

    /// The problem in a sentence for the person who must fix it.
    public var description: String {
        switch self {
        case .connectionFailed(let host, let port, let reason): return "cannot connect to SMTP server \(host):\(port): \(reason)"
        case .timeout(let what, let after): return "no answer from the SMTP server after \(after.nanoseconds / 1_000_000) ms waiting for \(what)"
        case .connectionClosed(let what): return "the SMTP server closed the connection while we waited for \(what)"
        case .tlsFailed(let reason): return "TLS with the SMTP server failed: \(reason)"
        case .malformedReply(let line): return "the SMTP server sent a malformed reply: '\(line)'"
        case .dataAfterSTARTTLSReply: return "the SMTP server sent data after its STARTTLS reply, before TLS (a possible injection attack)"
        case .greetingRefused(let reply): return "the SMTP server refused the connection: \(reply)"
        case .helloRefused(let reply): return "the SMTP server refused EHLO and HELO: \(reply)"
        case .startTLSNotOffered: return "the SMTP server does not offer STARTTLS, which the configuration requires (starttls=required)"
        case .startTLSRefused(let reply): return "the SMTP server refused STARTTLS: \(reply)"
        case .authenticationNotOffered: return "credentials are configured but the SMTP server offers no AUTH"
        case .authMechanismNotOffered(let wanted, let offered): return "the SMTP server offers AUTH \(offered.sorted().joined(separator: " ")), none of \(wanted.joined(separator: ", "))"
        case .plaintextAuthenticationRefused: return "refusing to send the SMTP password over an unencrypted connection (the server did not offer STARTTLS; set starttls=off to allow it)"
        case .authenticationFailed(let reply): return "SMTP authentication failed: \(reply)"
        case .senderRejected(let reply): return "the SMTP server refused the sender: \(reply)"
        case .noRecipients: return "the envelope has no recipient"
        case .smtpUTF8NotOffered: return "an address is not ASCII but the SMTP server does not offer SMTPUTF8"
        case .eightBitMIMENotOffered: return "the message has 8-bit bytes but the SMTP server does not offer 8BITMIME"
        case .messageTooLarge(let size, let limit): return "the message is \(size) bytes; the SMTP server takes at most \(limit)"
        case .lineTooLong(let line, let length): return "line \(line) of the message is \(length) bytes long; SMTP allows 998"
        case .withheldByCaller: return "the message was withheld before delivery"
        case .connectionBusy: return "the SMTP connection is already sending a message"
        case .tlsConfiguration(let reason): return "the TLS configuration is not usable: \(reason)"
        }
    }
}
