import AdvocateCore
import Logging
import Mail

/// A few long-lived SMTP sessions shared by every sender, with a per-minute rate limit.
///
/// Opening a session (TCP, TLS, EHLO, AUTH) costs several round trips; reusing it makes a
/// message cost one pipelined round trip and the data. `concurrency` bounds the sessions open at
/// once (mail providers limit them per client).
public actor SMTPPool {
    private let client: SMTPClient
    private let concurrency: Int
    private let messagesPerSession: Int
    private let clock: any AdvocateClock
    private var rateLimit: RateLimit
    private var idle: [(connection: SMTPConnection, sent: Int)] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let logger: Logger

    /// - Parameters:
    ///   - concurrency: most sessions open at once.
    ///   - perMinute: most messages per minute (nil: no limit).
    ///   - messagesPerSession: a session is closed after this many messages (servers cap them).
    public init(client: SMTPClient, concurrency: Int, perMinute: Int?, messagesPerSession: Int = 100,
                clock: any AdvocateClock, logger: Logger = Logger(label: "advocate.mail")) {
        self.client = client
        self.concurrency = max(1, concurrency)
        self.messagesPerSession = max(1, messagesPerSession)
        self.clock = clock
        self.rateLimit = RateLimit(perMinute: perMinute)
        self.logger = logger
    }

    /// Sends one message on a pooled session (see `SMTPConnection.send(_:envelope:beforeDelivery:)`).
    public nonisolated func send(_ message: [UInt8], envelope: SMTPEnvelope,
                                 beforeDelivery: SMTPConnection.DeliveryCheck?) async throws -> SMTPSendResult {
        let delay = await reservePermit()
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        let (connection, sent) = try await acquire()
        do {
            let result = try await connection.send(message, envelope: envelope, beforeDelivery: beforeDelivery)
            await release(connection, sent: sent + 1)
            return result
        } catch {
            await release(connection, sent: sent + 1)
            throw error
        }
    }

    /// Closes every idle session (at shutdown).
    public func close() async {
        let sessions = idle
        idle = []
        open -= sessions.count
        for s in sessions { await s.connection.close() }
    }

    private func reservePermit() -> Int64 { rateLimit.reserve(at: clock.now()) }

    private func acquire() async throws -> (SMTPConnection, Int) {
        while true {
            while let session = idle.popLast() {
                if session.connection.isOpen { return session }
                open -= 1
            }
            if open < concurrency {
                open += 1
                do {
                    return (try await client.openConnection(), 0)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ connection: SMTPConnection, sent: Int) async {
        if connection.isOpen && sent < messagesPerSession {
            idle.append((connection, sent))
        } else {
            open -= 1
            if connection.isOpen { await connection.close() }
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
