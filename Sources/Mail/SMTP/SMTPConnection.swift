import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

// MARK: - One SMTP session

/// An open, greeted, (optionally) encrypted and authenticated SMTP session.
///
/// `SMTPClient` opens one per send; a pool can keep several open and call `send` on each
/// repeatedly (every transaction ends with the server ready for the next, via RSET after a
/// failure). A connection sends one message at a time: a concurrent `send` fails with
/// `SMTPError.connectionBusy` instead of interleaving commands.
public final class SMTPConnection: Sendable {
    /// What the server offered in its last EHLO reply (after STARTTLS, the encrypted one).
    public let capabilities: SMTPCapabilities
    /// Whether the session runs over TLS (implicit or STARTTLS).
    public let isEncrypted: Bool

    let channel: any Channel
    private let replies: NIOLoopBound<SMTPReplyHandler>
    let timeouts: SMTPTimeouts
    let logger: Logger
    private let busy = Mutex(false)

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, capabilities: SMTPCapabilities,
                 isEncrypted: Bool, timeouts: SMTPTimeouts, logger: Logger) {
        self.channel = channel
        self.replies = replies
        self.capabilities = capabilities
        self.isEncrypted = isEncrypted
        self.timeouts = timeouts
        self.logger = logger
    }

    /// Whether the TCP connection is still up (a pool drops connections that are not).
    public var isOpen: Bool { channel.isActive }

    // MARK: - Opening

    /// Connects, reads the greeting, says EHLO (HELO if EHLO is refused), upgrades with
    /// STARTTLS as configured and authenticates when credentials are configured.
    public static func open(configuration: SMTPConfiguration, tlsContext: NIOSSLContext?,
                            eventLoopGroup: any EventLoopGroup, logger: Logger) async throws -> SMTPConnection {
        let serverName = serverNameForTLS(configuration.host)
        let implicitTLS = configuration.security == .implicitTLS ? tlsContext : nil
        if configuration.security == .implicitTLS && implicitTLS == nil {
            throw SMTPError.tlsConfiguration("implicit TLS needs a TLS context")
        }
        // The initializer registers each channel's reply reader: looking it up in the pipeline
        // afterwards fails if the server already sent garbage and the channel closed, and with
        // several addresses (happy eyeballs) the initializer runs once per attempt.
        let readers = ReaderRegistry()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(configuration.timeouts.connect)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            let tls = try NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName)
                            try channel.pipeline.syncOperations.addHandler(tls)
                        }
                        let reader = SMTPReplyHandler()
                        try channel.pipeline.syncOperations.addHandler(reader)
                        readers.register(NIOLoopBound(reader, eventLoop: channel.eventLoop), for: channel)
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw SMTPError.connectionFailed(host: configuration.host, port: configuration.port, reason: String(describing: error))
        }

        do {
            guard let replies = readers.reader(for: channel) else {
                throw SMTPError.connectionClosed(waitingFor: "the greeting")
            }
            var logger = logger
            logger[metadataKey: "smtp.server"] = "\(configuration.host):\(configuration.port)"
            let session = Handshake(channel: channel, replies: replies, timeouts: configuration.timeouts, logger: logger)
            let (capabilities, encrypted) = try await session.run(configuration: configuration, tlsContext: tlsContext,
                                                                  serverName: serverName)
            return SMTPConnection(channel: channel, replies: replies, capabilities: capabilities, isEncrypted: encrypted,
                                  timeouts: configuration.timeouts, logger: logger)
        } catch {
            try? await channel.close().get()
            throw error
        }
    }

    /// The SNI and certificate name: the host, unless it is an IP address (SNI must not be one).
    static func serverNameForTLS(_ host: String) -> String? {
        let isIPv4 = host.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && host.allSatisfy { $0.isNumber || $0 == "." }
        return isIPv4 || host.contains(":") ? nil : host
    }

    // MARK: - Sending

    /// Sends one message in one transaction and reports the outcome per recipient.
    ///
    /// Throws `SMTPError` when the transaction fails as a whole (sender refused, connection
    /// lost, message unsuitable for the server); recipient refusals and a refused message are
    /// outcomes, not errors.
    public func send(_ message: [UInt8], envelope: SMTPEnvelope) async throws -> SMTPSendResult {
        try await send(message, envelope: envelope, beforeDelivery: nil)
    }

    /// Decides, once the server holds the whole message but before it is told to deliver it,
    /// whether to go on; given the outcome of each recipient so far. Used to record a send
    /// durably first, so that a crash can never deliver a message that is not recorded.
    ///
    /// `deliver` sends the terminating dot at once, from any thread, without waiting for
    /// anything: a caller that commits a record should call it at the very instant of the commit
    /// (from the database's commit hook), which leaves a crash no time in which the record and the
    /// delivery disagree. Returning true without having called it delivers too; returning false
    /// withholds the message.
    public typealias DeliveryCheck = @Sendable (_ outcomes: [SMTPDeliveryOutcome], _ deliver: @escaping @Sendable () -> Void) async -> Bool

    public func send(_ message: [UInt8], envelope: SMTPEnvelope, beforeDelivery: DeliveryCheck?) async throws -> SMTPSendResult {
        let claimed = busy.withLock { busy in
            defer { busy = true }
            return !busy
        }
        guard claimed else { throw SMTPError.connectionBusy }
        defer { busy.withLock { $0 = false } }
        do {
            return try await transaction(message, envelope: envelope, beforeDelivery: beforeDelivery)
        } catch let error as SMTPError where !isUsable(after: error) {
            try? await channel.close().get()
            throw error
        }
    }

    /// After these errors the session is in an unknown state and is closed.
    private func isUsable(after error: SMTPError) -> Bool {
        switch error {
        case .senderRejected, .noRecipients, .smtpUTF8NotOffered, .eightBitMIMENotOffered, .messageTooLarge, .lineTooLong:
            return channel.isActive
        default:
            return false
        }
    }

    /// Says QUIT, waits briefly for the goodbye, and closes the connection. Never throws: the
    /// message was already accepted or refused before this point.
    public func close() async {
        if channel.isActive {
            do {
                try await write("QUIT\r\n")
                _ = try await nextReply(waitingFor: "the QUIT reply", timeout: timeouts.command)
            } catch {
                logger.debug("QUIT failed", metadata: ["error": "\(error)"])
            }
        }
        try? await channel.close().get()
    }

    // MARK: - Wire

    func write(_ text: String, log: String? = nil) async throws {
        logger.trace("C: \(log ?? text.trimmingSuffixCRLF)")
        try await write(channel.allocator.buffer(string: text))
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await SMTPConnection.write(buffer, channel: channel, replies: replies)
    }

    /// Writes and flushes. A failed write reports why the connection failed (a TLS error, a
    /// reset) as the reply reader saw it, rather than the bare write error.
    static func write(_ buffer: ByteBuffer, channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>) async throws {
        do {
            try await channel.writeAndFlush(buffer).get()
        } catch {
            let recorded = try? await channel.eventLoop.submit { replies.value.recordedFailure }.get()
            if let recorded { throw recorded }
            switch error {
            case let error as NIOSSLError: throw SMTPError.tlsFailed(String(describing: error))
            case let error as BoringSSLError: throw SMTPError.tlsFailed(String(describing: error))
            default: throw SMTPError.connectionClosed(waitingFor: "a write to complete (\(error))")
            }
        }
    }

    func nextReply(waitingFor what: String, timeout: TimeAmount) async throws -> SMTPReply {
        try await SMTPConnection.nextReply(channel: channel, replies: replies, waitingFor: what, timeout: timeout, logger: logger)
    }

    static func nextReply(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, waitingFor what: String,
                          timeout: TimeAmount, logger: Logger) async throws -> SMTPReply {
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        channel.eventLoop.execute {
            replies.value.waitForReply(promise, timeout: timeout, waitingFor: what)
        }
        let reply = try await promise.futureResult.get()
        logger.trace("S: \(reply)")
        return reply
    }
}

/// The reply reader of each channel a connection attempt created.
private final class ReaderRegistry: Sendable {
    private let readers = Mutex<[ObjectIdentifier: NIOLoopBound<SMTPReplyHandler>]>([:])

    func register(_ reader: NIOLoopBound<SMTPReplyHandler>, for channel: any Channel) {
        readers.withLock { $0[ObjectIdentifier(channel)] = reader }
    }

    func reader(for channel: any Channel) -> NIOLoopBound<SMTPReplyHandler>? {
        readers.withLock { $0[ObjectIdentifier(channel)] }
    }
}

extension String {
    /// The text without trailing CR and LF (by scalar: "\r\n" is one Character).
    var trimmingSuffixCRLF: String {
        var text = self
        while let last = text.unicodeScalars.last, last == "\r" || last == "\n" { text.unicodeScalars.removeLast() }
        return text
    }
}
