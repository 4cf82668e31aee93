import Logging
import NIOCore
import NIOPosix
import NIOSSL

// MARK: - Client

/// Sends messages to one SMTP server, one connection per send.
///
/// Each `send` opens an `SMTPConnection`, runs one transaction and says QUIT. A connection pool
/// with a rate limit can later be built on `openConnection()` and `SMTPConnection.send`.
public struct SMTPClient: Sendable {
    /// Where and how messages go.
    public let configuration: SMTPConfiguration
    private let tlsContext: NIOSSLContext?
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    /// A client for `configuration`. The TLS context is built once here, so a bad TLS setting
    /// fails at start-up rather than at the first send.
    public init(configuration: SMTPConfiguration,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "advocate.mail.smtp")) throws {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        if configuration.usesTLS {
            do {
                tlsContext = try NIOSSLContext(configuration: configuration.tls)
            } catch {
                throw SMTPError.tlsConfiguration(String(describing: error))
            }
        } else {
            tlsContext = nil
        }
    }

    /// Sends `message` (CRLF line ends, e.g. `ComposedMessage.bytes`, signed or not) to the
    /// envelope's recipients and reports the outcome per recipient.
    public func send(_ message: [UInt8], envelope: SMTPEnvelope) async throws -> SMTPSendResult {
        let connection = try await openConnection()
        do {
            let result = try await connection.send(message, envelope: envelope)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// A ready session (greeted, encrypted and authenticated as configured).
    public func openConnection() async throws -> SMTPConnection {
        try await SMTPConnection.open(configuration: configuration, tlsContext: tlsContext,
                                      eventLoopGroup: eventLoopGroup, logger: logger)
    }
}
