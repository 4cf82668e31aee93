import NIOCore
import NIOSSL

// MARK: - SMTP configuration

/// Where and how to reach the SMTP server. Usually made by `parse(url:)` from
/// `smtp[s]://user:password@host:port?starttls=…`.
public struct SMTPConfiguration: Sendable {
    /// Host name or IP address of the server.
    public var host: String
    /// TCP port.
    public var port: Int
    /// How the connection is encrypted.
    public var security: Security
    /// Credentials for AUTH, if the server needs them.
    public var credentials: Credentials?
    /// The name we give in EHLO/HELO; ideally this host's public DNS name.
    public var clientName: String
    /// How long to wait for each step.
    public var timeouts: SMTPTimeouts
    /// TLS settings (trust roots, minimum version); certificates are verified by default.
    public var tls: TLSConfiguration

    /// A configuration with default timeouts and system trust roots.
    public init(host: String, port: Int, security: Security, credentials: Credentials? = nil,
                clientName: String = "localhost", timeouts: SMTPTimeouts = SMTPTimeouts(),
                tls: TLSConfiguration = .makeClientConfiguration()) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
        self.clientName = clientName
        self.timeouts = timeouts
        self.tls = tls
    }

    /// Encryption of the connection.
    public enum Security: Sendable, Equatable {
        /// Plain TCP, upgraded with STARTTLS (RFC 3207) according to the policy.
        case startTLS(STARTTLSPolicy)
        /// TLS from the first byte (`smtps`, RFC 8314), usually port 465.
        case implicitTLS
    }

    /// When to upgrade a plain connection.
    public enum STARTTLSPolicy: String, Sendable, Equatable, CaseIterable {
        /// Fail unless the server offers STARTTLS and the handshake succeeds.
        case required
        /// Upgrade when offered, else go on in plain text (but never send a password in it).
        case opportunistic
        /// Never upgrade; a password, if configured, is sent in plain text.
        case off
    }

    /// A user name and password for SMTP AUTH (RFC 4954).
    public struct Credentials: Sendable, Equatable {
        /// The SASL authentication identity.
        public var username: String
        /// The password, sent only over TLS unless the policy is `off`.
        public var password: String
        /// The SASL mechanism; nil picks PLAIN if offered, else LOGIN.
        public var mechanism: AuthMechanism?

        /// Credentials, with the mechanism chosen from what the server offers unless given.
        public init(username: String, password: String, mechanism: AuthMechanism? = nil) {
            self.username = username
            self.password = password
            self.mechanism = mechanism
        }
    }

    /// The SASL mechanisms we speak.
    public enum AuthMechanism: String, Sendable, Equatable, CaseIterable {
        /// RFC 4616.
        case plain = "PLAIN"
        /// The widespread (draft-murchison-sasl-login) LOGIN mechanism.
        case login = "LOGIN"
    }

    /// Whether TLS is needed at some point, so a TLS context must exist.
    var usesTLS: Bool {
        switch security {
        case .implicitTLS, .startTLS(.required), .startTLS(.opportunistic): return true
        case .startTLS(.off): return false
        }
    }
}
