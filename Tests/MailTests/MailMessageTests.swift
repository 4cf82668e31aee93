import MailTestSupport
import Foundation
import Testing
@testable import Mail

@Suite("MailMessage composer")
struct MailMessageTests {
    static func sample(text: String = "How likely are you to recommend Acme?\n\nhttps://nps.example.com/r/abc/10\n",
                       html: String? = "<p>How likely are you to recommend <b>Acme</b>?</p>\n") throws -> MailMessage {
        MailMessage(
            from: try MailAddress(parsing: "Acme Feedback <feedback@acme.example.com>"),
            to: [try MailAddress(parsing: "Ayşe Yılmaz <ayse@example.com.tr>")],
            subject: "Bize bir dakikanızı ayırır mısınız?",
            text: text,
            html: html,
            unsubscribe: .init(uris: ["https://nps.example.com/u/abc", "mailto:unsubscribe@acme.example.com"], oneClick: true),
            extraHeaders: [try MailHeader(name: "X-Campaign", value: "Q4 relationship survey")]
        )
    }

    private func compose(_ message: MailMessage, seed: UInt64 = 1) throws -> ComposedMessage {
        var random = SplitMix64(seed: seed)
        return try message.compose(date: testDate, using: &random)
    }

    @Test("headers: From, To, Subject, Date, Message-ID, MIME-Version, unsubscribe, extras")
    func headers() throws {
        let composed = try compose(try Self.sample())
        let bytes = composed.bytes
        let names = bytes.headerLines.filter { !$0.hasPrefix(" ") && !$0.hasPrefix("\t") }.map { String($0.prefix { $0 != ":" }) }
        #expect(names == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "List-Unsubscribe",
                          "List-Unsubscribe-Post", "X-Campaign", "Content-Type"])
        #expect(bytes.header("From") == "Acme Feedback <feedback@acme.example.com>")
        #expect(bytes.header("Date") == "Sun, 22 Nov 2026 09:00:00 +0000")
        #expect(bytes.header("MIME-Version") == "1.0")
        #expect(bytes.header("List-Unsubscribe") == "<https://nps.example.com/u/abc>, <mailto:unsubscribe@acme.example.com>")
        #expect(bytes.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(bytes.header("X-Campaign") == "Q4 relationship survey")
        #expect(try ReferenceEncodedWords.decode(bytes.header("Subject") ?? "") == "Bize bir dakikanızı ayırır mısınız?")
        #expect(bytes.header("Message-ID") == composed.messageID)
        #expect(composed.messageID.wholeMatch(of: /<[0-9a-f]{32}@acme\.example\.com>/) != nil)
    }

    @Test("CRLF everywhere, 7-bit, header lines ≤ 78, body lines ≤ 76")
    func lineDiscipline() throws {
        let long = try Seeds.texts().map(\.text).joined(separator: "\n")
        let bytes = try compose(try Self.sample(text: long, html: "<div dir=\"rtl\">\(long)</div>")).bytes
        #expect(bytes.allSatisfy { $0 < 0x80 })
        #expect(ReferenceQPCheck.noBareLineBreaks(bytes))
        let lines = bytes.crlfLines
        let blank = lines.firstIndex(of: "")!
        #expect(lines[..<blank].allSatisfy { $0.count <= 78 })
        #expect(lines[blank...].allSatisfy { $0.count <= 76 })
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
    }

    @Test("multipart/alternative: text then HTML, both quoted-printable UTF-8, decoding to the input")
    func parts() throws {
        let message = try Self.sample(text: "Merhaba Ayşe,\n.\n..dots\nend ", html: "<p>سلام</p>")
        let composed = try compose(message)
        let parsed = try MIMEParts(composed.bytes)
        #expect(parsed.parts.count == 2)
        #expect(parsed.parts[0].headers == ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"])
        #expect(parsed.parts[1].headers == ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"])
        #expect(try ReferenceQP.decode(parsed.parts[0].body) == Array("Merhaba Ayşe,\r\n.\r\n..dots\r\nend ".utf8))
        #expect(try ReferenceQP.decode(parsed.parts[1].body) == Array("<p>سلام</p>".utf8))
    }

    @Test("without HTML the message is a single text/plain part")
    func textOnly() throws {
        let bytes = try compose(try Self.sample(text: "Hi\n", html: nil)).bytes
        #expect(bytes.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(bytes.header("Content-Transfer-Encoding") == "quoted-printable")
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix("\r\n\r\nHi\r\n"))
    }

    @Test("the same seed gives the same bytes; another seed another Message-ID and boundary")
    func reproducible() throws {
        let message = try Self.sample()
        #expect(try compose(message, seed: 7) == compose(message, seed: 7))
        let a = try compose(message, seed: 7), b = try compose(message, seed: 8)
        #expect(a.messageID != b.messageID)
        #expect(a.bytes.header("Content-Type") != b.bytes.header("Content-Type"))
    }

    @Test("the boundary never occurs inside a part, even when the text contains it")
    func boundaryNotInParts() throws {
        let first = try compose(try Self.sample(), seed: 3)
        let boundary = try MIMEParts(first.bytes).boundary
        // The text now contains the very boundary the same seed produces, as a delimiter line.
        let hostile = "before\n--\(boundary)\nContent-Type: text/plain\n\nforged\n--\(boundary)--\n"
        let second = try compose(try Self.sample(text: hostile, html: hostile), seed: 3)
        let parsed = try MIMEParts(second.bytes)
        #expect(parsed.parts.count == 2)
        #expect(try ReferenceQP.decode(parsed.parts[0].body) == Array(hostile.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        let delimiter = Array("--\(parsed.boundary)".utf8)
        for part in parsed.parts { #expect(!part.body.contains(subsequence: delimiter)) }

        // And with raw bytes (not quoted-printable) that contain the first candidate, another is drawn.
        var random = SplitMix64(seed: 11)
        let candidate = MailMessage.boundary(notIn: [], using: &random)
        random = SplitMix64(seed: 11)
        let chosen = MailMessage.boundary(notIn: [Array("x\(candidate)y".utf8)], using: &random)
        #expect(chosen != candidate)
        #expect(chosen.hasPrefix("=_"))
    }

    @Test("refusals: no recipient, controls in the subject, reserved or bad extra headers, bad unsubscribe")
    func refusals() throws {
        var message = try Self.sample()
        message.to = []
        #expect(throws: MailComposeError.noRecipients) { try compose(message) }

        message = try Self.sample()
        message.subject = "Hello\r\nBcc: eve@example.com"
        #expect(throws: MailComposeError.controlCharacterInHeader(name: "Subject", scalar: 0x0D)) { try compose(message) }

        message = try Self.sample()
        message.extraHeaders = [try MailHeader(name: "Message-ID", value: "<x@y>")]
        #expect(throws: MailComposeError.reservedHeader("Message-ID")) { try compose(message) }

        #expect(throws: MailComposeError.invalidHeaderName("X Bad")) { try MailHeader(name: "X Bad", value: "v") }
        #expect(throws: MailComposeError.invalidHeaderName("X:Bad")) { try MailHeader(name: "X:Bad", value: "v") }
        #expect(throws: MailComposeError.controlCharacterInHeader(name: "X-A", scalar: 0x0A)) { try MailHeader(name: "X-A", value: "a\nB: c") }

        message = try Self.sample()
        message.unsubscribe = .init(uris: ["mailto:u@acme.example.com"], oneClick: true)
        #expect(throws: MailComposeError.oneClickUnsubscribeNeedsHTTPS) { try compose(message) }
        message.unsubscribe = .init(uris: ["https://x.example.com/u?a b"], oneClick: false)
        #expect(throws: MailComposeError.invalidUnsubscribeURI("https://x.example.com/u?a b")) { try compose(message) }
    }

    @Test("non-ASCII extra header values are encoded")
    func extraHeaderEncoding() throws {
        var message = try Self.sample()
        message.extraHeaders = [try MailHeader(name: "X-Survey", value: "Қазақстан сауалнамасы")]
        let value = try compose(message).bytes.header("X-Survey") ?? ""
        #expect(try ReferenceEncodedWords.decode(value) == "Қазақстан сауалнамасы")
    }
}

// MARK: - Helpers

enum ReferenceQPCheck {
    static func noBareLineBreaks(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A && (index == 0 || bytes[index - 1] != 0x0D) { return false }
            if byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A) { return false }
        }
        return true
    }
}

/// A minimal multipart/alternative splitter for the tests (RFC 2046 section 5.1.1).
struct MIMEParts {
    struct Part { let headers: [String]; let body: [UInt8] }
    let boundary: String
    let parts: [Part]

    init(_ message: [UInt8]) throws {
        guard let contentType = message.header("Content-Type"),
              let match = contentType.firstMatch(of: /multipart\/alternative; ?boundary="([^"]+)"/) else {
            throw FixtureError("not multipart/alternative")
        }
        boundary = String(match.1)
        let text = String(decoding: message, as: UTF8.self)
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let sections = ("\r\n" + body).components(separatedBy: "\r\n--\(boundary)")
        guard sections.count >= 3, sections.last!.hasPrefix("--") else { throw FixtureError("no closing delimiter") }
        parts = sections.dropFirst().dropLast().map { section in
            let content = section.dropFirst()  // the CRLF after the delimiter (one Character)
            let split = content.components(separatedBy: "\r\n\r\n")
            return Part(headers: split[0].components(separatedBy: "\r\n"),
                        body: Array(split.dropFirst().joined(separator: "\r\n\r\n").utf8))
        }
    }
}
