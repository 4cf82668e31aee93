import NIOCore
import NIOSSL

// MARK: - Reply reader (runs on the channel's event loop)

/// Splits the server's bytes into replies (`250-…` continuation lines up to `250 …`) and hands
/// them, in order, to whoever waits. A timeout, a closed connection, a TLS failure or a malformed
/// line ends the connection and fails the waiter and every later wait.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// RFC 5321 section 4.5.3.1.5 allows 512 octets per reply line; we accept more from lenient
    /// servers, but not without bound.
    static let maximumLineLength = 4096
    /// No reply has a reason to be longer.
    static let maximumLinesPerReply = 512

    private var buffer = ByteBuffer()
    private var partialCode: Int?
    private var partialLines: [String] = []
    private var ready = CircularBuffer<SMTPReply>()
    private var waiter: (promise: EventLoopPromise<SMTPReply>, timeout: Scheduled<Void>?, what: String)?
    private var failure: SMTPError?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        fail(.connectionClosed(waitingFor: "a reply"))
    }

    /// The failure that ended the connection, if any.
    var recordedFailure: SMTPError? { failure }

    /// True when bytes or replies arrived that nobody asked for yet. After the STARTTLS reply
    /// there must be none: anything there was sent in clear text and could be an injection.
    var hasUnreadInput: Bool {
        buffer.readableBytes > 0 || !ready.isEmpty || partialCode != nil
    }

    /// Delivers the next reply to `promise`, or fails it after `timeout`.
    func waitForReply(_ promise: EventLoopPromise<SMTPReply>, timeout: TimeAmount, waitingFor: String) {
        if let reply = ready.popFirst() {
            promise.succeed(reply)
            return
        }
        if let failure {
            promise.fail(failure)
            return
        }
        guard let context, waiter == nil else {
            promise.fail(SMTPError.connectionClosed(waitingFor: waitingFor))
            return
        }
        let scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(.timeout(waitingFor: waitingFor, after: timeout))
        }
        waiter = (promise, scheduled, waitingFor)
    }

    // MARK: - Channel events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do {
            try readLines()
        } catch {
            fail(error)
            return
        }
        deliver()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed(waitingFor: waiter?.what ?? "a reply"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as SMTPError: fail(error)
        case let error as NIOSSLError: fail(.tlsFailed(String(describing: error)))
        case let error as BoringSSLError: fail(.tlsFailed(String(describing: error)))
        default: fail(.connectionClosed(waitingFor: "\(waiter?.what ?? "a reply") (\(error))"))
        }
    }

    // MARK: - Parsing

    private func readLines() throws(SMTPError) {
        while let newline = buffer.readableBytesView.firstIndex(of: .lf) {
            let length = newline - buffer.readerIndex
            var line = buffer.readBytes(length: length) ?? []
            buffer.moveReaderIndex(forwardBy: 1)
            if line.last == .cr { line.removeLast() }
            try parse(line)
        }
        guard buffer.readableBytes <= Self.maximumLineLength else {
            throw .malformedReply("a line longer than \(Self.maximumLineLength) bytes")
        }
        buffer.discardReadBytes()
    }

    /// `DDD text` ends a reply, `DDD-text` continues it, `DDD` alone is a reply without text.
    private func parse(_ line: [UInt8]) throws(SMTPError) {
        let text = String(decoding: line, as: UTF8.self)
        guard line.count >= 3, line[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              (2...5).contains(line[0] - 0x30),
              line.count == 3 || line[3] == .space || line[3] == UInt8(ascii: "-")
        else { throw .malformedReply(text) }
        let code = Int(line[0] - 0x30) * 100 + Int(line[1] - 0x30) * 10 + Int(line[2] - 0x30)
        if let partialCode, partialCode != code { throw .malformedReply(text) }
        partialLines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard partialLines.count <= Self.maximumLinesPerReply else {
            throw .malformedReply("a reply of more than \(Self.maximumLinesPerReply) lines")
        }
        if line.count > 3 && line[3] == UInt8(ascii: "-") {
            partialCode = code
        } else {
            ready.append(SMTPReply(code: code, lines: partialLines))
            partialCode = nil
            partialLines = []
        }
    }

    private func deliver() {
        guard let waiter, let reply = ready.popFirst() else { return }
        self.waiter = nil
        waiter.timeout?.cancel()
        waiter.promise.succeed(reply)
    }

    /// Records the first failure, fails the waiter and closes the connection.
    private func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        if let waiter {
            self.waiter = nil
            waiter.timeout?.cancel()
            waiter.promise.fail(failure ?? error)
        }
        context?.close(promise: nil)
    }
}
