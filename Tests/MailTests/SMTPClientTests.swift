import MailTestSupport
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import Mail

/// The client against a real SMTP server: aiosmtpd from PyPI, started per test
/// (Fixtures/smtp_server.py), and what it stored checked byte for byte and by third parties.
@Suite("SMTPClient against aiosmtpd")
struct SMTPClientTests {
    static let sender = try! MailAddress(parsing: "Acme Feedback <feedback@acme.example.com>")

    /// A message with lines that need dot-stuffing and text in four scripts, composed and signed.
    static func signedMessage(to recipients: [MailAddress], seed: UInt64 = 21) throws -> (bytes: [UInt8], message: MailMessage) {
        let seeds = try Seeds.texts()
        let text = ".\n..two dots\n.leading dot\n\n" + seeds.map { String($0.text.prefix(400)) }.joined(separator: "\n.\n") + "\n."
        let html = "<html><body dir=\"auto\">\n.\n" + seeds.map { "<p>\(String($0.text.prefix(300)))</p>" }.joined(separator: "\n") + "\n</body></html>"
        let message = MailMessage(
            from: sender, to: recipients, subject: try Seeds.firstLine("kazakh"), text: text, html: html,
            unsubscribe: .init(uris: ["https://nps.example.com/u/tok"], oneClick: true))
        var random = SplitMix64(seed: seed)
        let composed = try message.compose(date: testDate, using: &random)
        return (try testSigner().sign(composed.bytes, at: testDate), message)
    }

    private func configuration(_ url: String, server: TestSMTPServer) throws -> SMTPConfiguration {
        var configuration = try SMTPConfiguration.parse(url: url.replacingOccurrences(of: "PORT", with: "\(server.port)"))
        configuration.clientName = "client.acme.example.com"
        configuration.timeouts = SMTPTimeouts(connect: .seconds(10), greeting: .seconds(20), command: .seconds(20), dataTermination: .seconds(20))
        if !server.caPEM.isEmpty {
            configuration.tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(server.caPEM.utf8)))
        }
        return configuration
    }

    private func send(_ bytes: [UInt8], to recipients: [MailAddress], url: String, server: TestSMTPServer,
                      sender: MailAddress? = SMTPClientTests.sender) async throws -> SMTPSendResult {
        let client = try SMTPClient(configuration: try configuration(url, server: server))
        return try await client.send(bytes, envelope: SMTPEnvelope(sender: sender, recipients: recipients))
    }

    @Test("pipelined delivery: bytes intact after dot-stuffing, parts decode, DKIM still verifies")
    func deliveryIntact() async throws {
        let recipients = [try MailAddress(parsing: "Ayşe <ayse@example.com.tr>"), try MailAddress(parsing: "bob@example.com")]
        let (signed, message) = try Self.signedMessage(to: recipients)
        try await TestSMTPServer.with(["--pipelining"]) { server in
            let result = try await send(signed, to: recipients, url: "smtp://127.0.0.1:PORT?starttls=off", server: server)
            #expect(result.allDelivered)
            #expect(result.outcomes.map(\.recipient) == recipients)

            let received = try server.messages()
            try #require(received.count == 1)
            #expect(received[0].bytes == signed, "the server stored exactly the signed bytes")
            #expect(received[0].pipelined, "MAIL FROM, RCPT TO and DATA arrived in one write")
            #expect(received[0].extended)
            #expect(received[0].mailFrom == "feedback@acme.example.com")
            #expect(received[0].recipients == ["ayse@example.com.tr", "bob@example.com"])
            #expect(received[0].mailOptions.contains { $0.hasPrefix("SIZE=") })
            #expect(!received[0].mailOptions.contains("BODY=8BITMIME"), "the composer writes 7-bit messages")

            let inspection = try Inspection(path: received[0].path, dkimRecord: try testSigner().dnsRecord)
            #expect(inspection.dkimVerified, "\(inspection.dkimError ?? "")")
            #expect(inspection.defects.isEmpty, "\(inspection.defects)")
            #expect(inspection.contentType == "multipart/alternative")
            #expect(inspection.subject == message.subject)
            #expect(inspection.fromDisplayName == "Acme Feedback")
            #expect(inspection.to == ["ayse@example.com.tr", "bob@example.com"])
            #expect(inspection.toDisplayNames.first == "Ayşe")
            #expect(inspection.parts["plain"] == message.text)
            #expect(inspection.parts["html"] == message.html)
            #expect(inspection.parts["plain_cte"] == "quoted-printable")
            #expect(inspection.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")
            #expect(inspection.dkimSignedHeaders.contains("list-unsubscribe"))
        }
    }

    @Test("a message withheld before its final dot is discarded by the server; one released is delivered, once")
    func withheldOrReleased() async throws {
        let recipient = try MailAddress(parsing: "bob@example.com")
        let (signed, _) = try Self.signedMessage(to: [recipient])
        try await TestSMTPServer.with(["--pipelining"]) { server in
            let client = try SMTPClient(configuration: try configuration("smtp://127.0.0.1:PORT?starttls=off", server: server))
            let withheld = try await client.openConnection()
            await #expect(throws: SMTPError.self) {
                try await withheld.send(signed, envelope: SMTPEnvelope(sender: Self.sender, recipients: [recipient])) { outcomes, _ in
                    #expect(outcomes == [.delivered])
                    return false
                }
            }
            #expect(!withheld.isOpen)
            let released = try await client.openConnection()
            let result = try await released.send(signed, envelope: SMTPEnvelope(sender: Self.sender, recipients: [recipient])) { _, deliver in
                deliver()
                deliver() // a second call sends nothing more
                return true
            }
            #expect(result.allDelivered)
            #expect(try await released.send(signed, envelope: SMTPEnvelope(sender: Self.sender, recipients: [recipient])).allDelivered)
            await released.close()
            #expect(try server.messages().count == 2)
            #expect(try server.messages().allSatisfy { $0.bytes == signed })
        }
    }

    @Test("per recipient: 2xx delivered, 5xx permanent failure, 4xx temporary failure", arguments: [true, false])
    func perRecipient(pipelining: Bool) async throws {
        let ok = try MailAddress(address: "ok@example.com")
        let gone = try MailAddress(address: "gone@example.com")
        let busy = try MailAddress(address: "busy@example.com")
        let (signed, _) = try Self.signedMessage(to: [ok, gone, busy])
        let options = ["--reject", "gone@example.com=550 5.1.1 No such user here",
                       "--reject", "busy@example.com=450 4.2.1 Mailbox busy, try later"] + (pipelining ? ["--pipelining"] : [])
        try await TestSMTPServer.with(options) { server in
            let result = try await send(signed, to: [ok, gone, busy], url: "smtp://127.0.0.1:PORT?starttls=off", server: server)
            #expect(result["ok@example.com"] == .delivered)
            #expect(result["gone@example.com"] == .permanentFailure(code: 550, text: "5.1.1 No such user here"))
            #expect(result["busy@example.com"] == .temporaryFailure(code: 450, text: "4.2.1 Mailbox busy, try later"))
            let received = try server.messages()
            #expect(received.map(\.recipients) == [["ok@example.com"]])
            #expect(received.first?.pipelined == pipelining)
        }
    }

    @Test("every recipient refused: nothing sent, each outcome given, the session stays usable", arguments: [true, false])
    func allRefused(pipelining: Bool) async throws {
        let gone = try MailAddress(address: "gone@example.com")
        let ok = try MailAddress(address: "ok@example.com")
        let (signed, _) = try Self.signedMessage(to: [gone])
        try await TestSMTPServer.with(["--reject", "gone@example.com=550 5.1.1 Unknown"] + (pipelining ? ["--pipelining"] : [])) { server in
            let client = try SMTPClient(configuration: try configuration("smtp://127.0.0.1:PORT?starttls=off", server: server))
            let connection = try await client.openConnection()
            let refused = try await connection.send(signed, envelope: SMTPEnvelope(sender: Self.sender, recipients: [gone]))
            #expect(refused["gone@example.com"] == .permanentFailure(code: 550, text: "5.1.1 Unknown"))
            // The same connection, as a pool would reuse it, sends the next message.
            let delivered = try await connection.send(signed, envelope: SMTPEnvelope(sender: nil, recipients: [ok]))
            #expect(delivered.allDelivered)
            await connection.close()
            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.mailFrom == "<>", "the null reverse-path, as aiosmtpd records it")
        }
    }

    @Test("a refused message (5xx after DATA) is a permanent failure for every accepted recipient")
    func dataRefused() async throws {
        let recipients = [try MailAddress(address: "a@example.com"), try MailAddress(address: "b@example.com")]
        let (signed, _) = try Self.signedMessage(to: recipients)
        try await TestSMTPServer.with(["--reject-data", "554 5.7.1 Message refused as spam"]) { server in
            let result = try await send(signed, to: recipients, url: "smtp://127.0.0.1:PORT?starttls=off", server: server)
            #expect(result.outcomes.map(\.outcome) == Array(repeating: .permanentFailure(code: 554, text: "5.7.1 Message refused as spam"), count: 2))
        }
    }

    @Test("STARTTLS with the test CA trusted, then AUTH", arguments: SMTPConfiguration.AuthMechanism.allCases)
    func startTLSAndAuth(mechanism: SMTPConfiguration.AuthMechanism) async throws {
        let to = try MailAddress(address: "ayse@example.com.tr")
        let (signed, _) = try Self.signedMessage(to: [to])
        // A password with characters that need percent-encoding and more than ASCII.
        try await TestSMTPServer.with(["--tls", "starttls", "--require-starttls", "--auth", "nps@acme.example.com:p@ss wörd:1"]) { server in
            let url = "smtp://nps%40acme.example.com:p%40ss%20w%C3%B6rd%3A1@localhost:PORT?auth=\(mechanism.rawValue.lowercased())"
            let result = try await send(signed, to: [to], url: url, server: server)
            #expect(result.allDelivered)
            let received = try server.messages()
            #expect(received.first?.overTLS == true)
            #expect(received.first?.authMechanism == mechanism.rawValue)
            #expect(received.first?.authLogin == "nps@acme.example.com")
            #expect(received.first?.bytes == signed)
        }
    }

    @Test("AUTH without TLS only when starttls=off says so")
    func plaintextAuth() async throws {
        let to = try MailAddress(address: "a@example.com")
        let (signed, _) = try Self.signedMessage(to: [to])
        try await TestSMTPServer.with(["--auth", "user:secret"]) { server in
            let result = try await send(signed, to: [to], url: "smtp://user:secret@127.0.0.1:PORT?starttls=off", server: server)
            #expect(result.allDelivered)
            #expect(try server.messages().first?.authMechanism == "PLAIN")

            await #expect { try await send(signed, to: [to], url: "smtp://user:secret@127.0.0.1:PORT?starttls=opportunistic", server: server) } throws: { error in
                guard case SMTPError.plaintextAuthenticationRefused = error else { return false }
                return true
            }
            await #expect { try await send(signed, to: [to], url: "smtp://user:secret@127.0.0.1:PORT", server: server) } throws: { error in
                guard case SMTPError.startTLSNotOffered = error else { return false }
                return true
            }
            await #expect { try await send(signed, to: [to], url: "smtp://user:wrong@127.0.0.1:PORT?starttls=off", server: server) } throws: { error in
                guard case SMTPError.authenticationFailed(let reply) = error else { return false }
                return reply.code == 535 && !(error as! SMTPError).isTransient
            }
        }
    }

    @Test("a certificate from an untrusted CA fails the STARTTLS handshake")
    func untrustedCertificate() async throws {
        let to = try MailAddress(address: "a@example.com")
        let (signed, _) = try Self.signedMessage(to: [to])
        try await TestSMTPServer.with(["--tls", "starttls"]) { server in
            var config = try configuration("smtp://localhost:PORT?starttls=required", server: server)
            config.tls = .makeClientConfiguration()  // system roots only
            let client = try SMTPClient(configuration: config)
            await #expect { try await client.send(signed, envelope: SMTPEnvelope(sender: Self.sender, recipients: [to])) } throws: { error in
                guard case SMTPError.tlsFailed = error else { return false }
                return true
            }
            #expect(try server.messages().isEmpty)
        }
    }

    @Test("implicit TLS (smtps)")
    func implicitTLS() async throws {
        let to = try MailAddress(address: "a@example.com")
        let (signed, _) = try Self.signedMessage(to: [to])
        try await TestSMTPServer.with(["--tls", "implicit", "--pipelining"]) { server in
            let result = try await send(signed, to: [to], url: "smtps://localhost:PORT", server: server)
            #expect(result.allDelivered)
            let received = try server.messages()
            #expect(received.first?.overTLS == true)
            #expect(received.first?.bytes == signed)
        }
    }

    @Test("HELO when the server refuses EHLO")
    func heloFallback() async throws {
        let to = try MailAddress(address: "a@example.com")
        let (signed, _) = try Self.signedMessage(to: [to])
        try await TestSMTPServer.with(["--no-ehlo"]) { server in
            let result = try await send(signed, to: [to], url: "smtp://127.0.0.1:PORT?starttls=opportunistic", server: server)
            #expect(result.allDelivered)
            let received = try server.messages()
            #expect(received.first?.extended == false)
            #expect(received.first?.bytes == signed)
        }
    }

    @Test("SMTPUTF8 for a non-ASCII mailbox when offered; a clear error when not")
    func smtpUTF8() async throws {
        let to = try MailAddress(address: "müşteri@example.com.tr", displayName: "Müşteri")
        let (signed, _) = try Self.signedMessage(to: [to])
        try await TestSMTPServer.with(["--smtputf8"]) { server in
            let result = try await send(signed, to: [to], url: "smtp://127.0.0.1:PORT?starttls=off", server: server)
            #expect(result.allDelivered)
            let received = try server.messages()
            #expect(received.first?.mailOptions.contains("SMTPUTF8") == true)
            #expect(received.first?.recipients == ["müşteri@example.com.tr"])
        }
        try await TestSMTPServer.with([]) { server in
            await #expect { try await send(signed, to: [to], url: "smtp://127.0.0.1:PORT?starttls=off", server: server) } throws: { error in
                guard case SMTPError.smtpUTF8NotOffered = error else { return false }
                return true
            }
        }
    }

    @Test("8-bit bodies are sent with BODY=8BITMIME")
    func eightBit() async throws {
        let to = try MailAddress(address: "a@example.com")
        let raw = Array("From: feedback@acme.example.com\r\nTo: a@example.com\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSaygılar, Ayşe\r\n".utf8)
        try await TestSMTPServer.with([]) { server in
            let result = try await send(raw, to: [to], url: "smtp://127.0.0.1:PORT?starttls=off", server: server)
            #expect(result.allDelivered)
            let received = try server.messages()
            #expect(received.first?.mailOptions.contains("BODY=8BITMIME") == true)
            #expect(received.first?.bytes == raw)
        }
    }

    @Test("nothing listening: a transient connection error")
    func connectionRefused() async throws {
        // A socket bound but not listening: connecting is refused, and no other test can take
        // the port meanwhile.
        let socket = try BoundSocket()
        defer { socket.close() }
        let port = socket.port
        let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(port)?starttls=off"))
        await #expect { try await client.send([], envelope: SMTPEnvelope(sender: nil, recipients: [try MailAddress(address: "a@example.com")])) } throws: { error in
            guard case SMTPError.connectionFailed(_, let failedPort, _) = error else { return false }
            return failedPort == port && (error as! SMTPError).isTransient
        }
    }

    @Test("a server that never greets: the greeting times out")
    func greetingTimeout() async throws {
        try await FakeSMTPServer.with(greeting: nil) { port in
            var config = try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(port)?starttls=off")
            config.timeouts.greeting = .milliseconds(300)
            let client = try SMTPClient(configuration: config)
            await #expect { try await client.openConnection() } throws: { error in
                guard case SMTPError.timeout(let what, _) = error else { return false }
                return what == "the greeting"
            }
        }
    }

    @Test("a server that answers nonsense: a malformed-reply error; one that refuses: greetingRefused")
    func badGreetings() async throws {
        try await FakeSMTPServer.with(greeting: "HTTP/1.1 400 Bad Request\r\n") { port in
            let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(port)?starttls=off"))
            await #expect { try await client.openConnection() } throws: { error in
                guard case SMTPError.malformedReply = error else { return false }
                return true
            }
        }
        try await FakeSMTPServer.with(greeting: "554-mx.example.com\r\n554 No SMTP service here\r\n") { port in
            let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(port)?starttls=off"))
            await #expect { try await client.openConnection() } throws: { error in
                guard case SMTPError.greetingRefused(let reply) = error else { return false }
                return reply == SMTPReply(code: 554, lines: ["mx.example.com", "No SMTP service here"])
            }
        }
    }
}
