import NIOCore

// MARK: - Timeouts

/// How long the client waits at each step before giving up with `SMTPError.timeout`.
public struct SMTPTimeouts: Sendable, Equatable {
    /// TCP connect. For implicit TLS the handshake falls under the greeting timeout.
    public var connect: TimeAmount
    /// The server's 220 greeting (RFC 5321 section 4.5.3.2.1 suggests 5 minutes).
    public var greeting: TimeAmount
    /// Any reply to a command (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, QUIT).
    public var command: TimeAmount
    /// The reply after the message's final dot, when the server may scan it
    /// (RFC 5321 section 4.5.3.2.6 suggests 10 minutes).
    public var dataTermination: TimeAmount

    /// Defaults shorter than RFC 5321's suggestions: a send that fails is retried later by the
    /// job runner, so a stuck server should not hold a worker for long.
    public init(connect: TimeAmount = .seconds(30), greeting: TimeAmount = .seconds(120),
                command: TimeAmount = .seconds(120), dataTermination: TimeAmount = .seconds(600)) {
        self.connect = connect
        self.greeting = greeting
        self.command = command
        self.dataTermination = dataTermination
    }
}
