import MailTestSupport
import NIOCore
import NIOEmbedded
import Testing
@testable import Mail

@Suite("SMTP protocol pieces")
struct SMTPProtocolTests {
    private func encode(_ text: String) throws -> String {
        var buffer = try SMTPDataEncoder.encode(Array(text.utf8))
        return buffer.readString(length: buffer.readableBytes) ?? ""
    }

    @Test("DATA: dot-stuffing, CRLF line ends, final CRLF and terminator")
    func dotStuffing() throws {
        #expect(try encode("a\r\n.\r\n..b\r\nc.d\r\n") == "a\r\n..\r\n...b\r\nc.d\r\n.\r\n")
        #expect(try encode(".first") == "..first\r\n.\r\n")
        #expect(try encode("bare\nlf\rcr\r\n") == "bare\r\nlf\r\ncr\r\n.\r\n")
        #expect(try encode("") == ".\r\n")
    }

    @Test("DATA: a line over 998 octets is refused before sending")
    func longLine() {
        #expect(throws: SMTPError.self) { try encode("ok\r\n" + String(repeating: "x", count: 999) + "\r\n") }
        #expect(throws: Never.self) { try encode(String(repeating: "x", count: 998)) }
    }

    @Test("EHLO capabilities, including the old AUTH= form")
    func capabilities() {
        let reply = SMTPReply(code: 250, lines: ["mx.example.com greets you", "PIPELINING", "SIZE 10240000", "8BITMIME",
                                                 "auth=LOGIN", "AUTH PLAIN", "SMTPUTF8", "STARTTLS"])
        let capabilities = SMTPCapabilities(ehlo: reply)
        #expect(capabilities.pipelining && capabilities.eightBitMIME && capabilities.smtpUTF8 && capabilities.startTLS)
        #expect(capabilities.sizeLimit == 10_240_000)
        #expect(capabilities.authMechanisms == ["LOGIN", "PLAIN"])
        #expect(SMTPCapabilities(ehlo: SMTPReply(code: 250, lines: ["hi"])).sizeLimit == nil)
        #expect(SMTPCapabilities.none.authMechanisms.isEmpty)
    }

    /// Feeds `chunks` to a reply handler and collects the replies it hands out.
    private func replies(from chunks: [String], count: Int) throws -> [Result<SMTPReply, any Error>] {
        let channel = EmbeddedChannel()
        let handler = SMTPReplyHandler()
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        var results: [Result<SMTPReply, any Error>] = []
        let promises = (0..<count).map { _ in channel.eventLoop.makePromise(of: SMTPReply.self) }
        for chunk in chunks {
            try channel.writeInbound(channel.allocator.buffer(string: chunk))
        }
        for promise in promises {
            handler.waitForReply(promise, timeout: .seconds(5), waitingFor: "a test reply")
            promise.futureResult.assumeIsolated().whenComplete { results.append($0) }
        }
        channel.embeddedEventLoop.run()
        _ = try? channel.finish()
        return results
    }

    @Test("multi-line replies, split anywhere across reads")
    func multiLine() throws {
        let results = try replies(from: ["25", "0-mx.example.com\r", "\n250-PIPELINING\r\n250 8BITMIME\r\n354 go", " ahead\r\n221\r\n"], count: 3)
        let replies = try results.map { try $0.get() }
        #expect(replies[0] == SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "8BITMIME"]))
        #expect(replies[1] == SMTPReply(code: 354, lines: ["go ahead"]))
        #expect(replies[2] == SMTPReply(code: 221, lines: [""]))
    }

    @Test("malformed replies fail the wait", arguments: ["hello\r\n", "250-a\r\n251 b\r\n", "2x0 ok\r\n", "250ok\r\n", "650 nope\r\n"])
    func malformed(_ input: String) throws {
        let results = try replies(from: [input], count: 1)
        #expect(throws: SMTPError.self) { try results[0].get() }
    }
}
