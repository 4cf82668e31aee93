import MailTestSupport
import Crypto
import Foundation
import Testing
import _CryptoExtras
@testable import Mail

/// One 2048-bit key per test process, made here so no private key is committed.
let testDKIMKey: _RSA.Signing.PrivateKey = {
    do { return try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch { fatalError("RSA key generation failed: \(error)") }
}()

func testSigner(headers: [String] = DKIMSigner.defaultSignedHeaderNames) throws -> DKIMSigner {
    try DKIMSigner(domain: "acme.example.com", selector: "nps2026", privateKeyPEM: testDKIMKey.pemRepresentation,
                   signedHeaderNames: headers)
}

@Suite("DKIM (RFC 6376)")
struct DKIMTests {
    @Test("relaxed canonicalization: the example of RFC 6376 section 3.4.5")
    func rfcExample() throws {
        // A: <SP> X <CRLF>
        // B <SP> : <SP> Y <HTAB><CRLF> <HTAB> Z <SP><SP><CRLF>
        let a = DKIMCanonicalization.relaxedHeader(Array("A: X\r\n".utf8))
        let b = DKIMCanonicalization.relaxedHeader(Array("B : Y\t\r\n\tZ  \r\n".utf8))
        #expect(String(decoding: a + b, as: UTF8.self) == "a:X\r\nb:Y Z\r\n")

        // <SP> C <SP><CRLF> D <SP><HTAB><SP> E <CRLF> <CRLF> <CRLF>
        let body = Array(" C \r\nD \t E\r\n\r\n\r\n".utf8)
        #expect(String(decoding: DKIMCanonicalization.relaxedBody(body[...]), as: UTF8.self) == " C\r\nD E\r\n")

        // And the whole message through the parser: same fields and body.
        let message = try DKIMMessage(Array("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n".utf8))
        #expect(message.fields.count == 2)
        #expect(message.fields(named: "b") == [Array("B : Y\t\r\n\tZ  \r\n".utf8)])
        #expect(DKIMCanonicalization.relaxedBody(message.body) == Array(" C\r\nD E\r\n".utf8))
    }

    @Test("relaxed body edge cases: empty body, no final CRLF, whitespace-only lines")
    func bodyEdges() {
        #expect(DKIMCanonicalization.relaxedBody([][...]).isEmpty)
        #expect(DKIMCanonicalization.relaxedBody(Array("\r\n\r\n".utf8)[...]).isEmpty)
        #expect(DKIMCanonicalization.relaxedBody(Array("a  b".utf8)[...]) == Array("a b\r\n".utf8))
        #expect(DKIMCanonicalization.relaxedBody(Array("x\r\n \t \r\ny\r\n \r\n".utf8)[...]) == Array("x\r\n\r\ny\r\n".utf8))
        // The body hash of an empty body is SHA-256 of nothing (RFC 6376 section 3.4.4).
        let empty = Data(SHA256.hash(data: DKIMCanonicalization.relaxedBody([][...]))).base64EncodedString()
        #expect(empty == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    }

    @Test("DNS record: v=DKIM1; k=rsa; p=<SubjectPublicKeyInfo>")
    func dnsRecord() throws {
        let signer = try testSigner()
        #expect(signer.dnsName == "nps2026._domainkey.acme.example.com")
        let record = DKIMSigner.dnsRecord(publicKeyOf: testDKIMKey)
        #expect(record == signer.dnsRecord)
        #expect(record.hasPrefix("v=DKIM1; k=rsa; p="))
        let der = Data(base64Encoded: String(record.dropFirst("v=DKIM1; k=rsa; p=".count)))
        #expect(der == testDKIMKey.publicKey.derRepresentation)
        #expect(try _RSA.Signing.PublicKey(derRepresentation: der ?? Data()).keySizeInBits == 2048)
    }

    @Test("the signature field: tags, h= in order with unsubscribe headers, folded lines")
    func field() throws {
        var random = SplitMix64(seed: 5)
        let message = try MailMessageTests.sample().compose(date: testDate, using: &random)
        let field = try testSigner().signatureField(for: message.bytes, at: testDate)
        let lines = String(field.dropLast()).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("\t") })
        // Without any whitespace (folds may fall between or inside tags): the tags in order.
        let tags = lines.joined().filter { $0 != " " && $0 != "\t" }
        #expect(tags.hasPrefix("DKIM-Signature:v=1;a=rsa-sha256;c=relaxed/relaxed;d=acme.example.com;s=nps2026;t=1795338000;"
            + "h=from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:list-unsubscribe-post;bh="))
        #expect(tags.contains(#/;bh=[A-Za-z0-9+/]{43}=;b=[A-Za-z0-9+/]{342}==$/#))
    }

    @Test("signed messages verify with dkimpy; a changed header or body does not")
    func dkimpyVerifies() throws {
        let signer = try testSigner()
        for (language, text) in try Seeds.texts() {
            var message = try MailMessageTests.sample(text: text, html: "<p>\(text)</p>")
            message.subject = try Seeds.firstLine(language)
            var random = SplitMix64(seed: 9)
            let signed = try signer.sign(try message.compose(date: testDate, using: &random).bytes, at: testDate)
            let inspection = try Inspection(bytes: signed, dkimRecord: signer.dnsRecord)
            #expect(inspection.dkimVerified, "\(language): \(inspection.dkimError ?? "")")
            #expect(inspection.dkimSignedHeaders.contains("list-unsubscribe"))
            #expect(inspection.dkimSignedHeaders.contains("list-unsubscribe-post"))
            #expect(inspection.defects.isEmpty, "\(inspection.defects)")
            #expect(inspection.subject == message.subject)
        }

        var random = SplitMix64(seed: 9)
        let signed = try signer.sign(try MailMessageTests.sample().compose(date: testDate, using: &random).bytes, at: testDate)
        let text = String(decoding: signed, as: UTF8.self)
        let changedHeader = text.replacingOccurrences(of: "X-Campaign: Q4", with: "X-Campaign: Q3")
            .replacingOccurrences(of: "Acme Feedback <", with: "Acme Billing <")
        #expect(try !Inspection(bytes: Array(changedHeader.utf8), dkimRecord: signer.dnsRecord).dkimVerified)
        let changedBody = text.replacingOccurrences(of: "recommend Acme", with: "recommend Evil")
        #expect(try !Inspection(bytes: Array(changedBody.utf8), dkimRecord: signer.dnsRecord).dkimVerified)
        // Relaxed canonicalization survives whitespace changes in transit.
        let rewhitespaced = text.replacingOccurrences(of: "MIME-Version: 1.0", with: "MIME-Version:    1.0  ")
        #expect(try Inspection(bytes: Array(rewhitespaced.utf8), dkimRecord: signer.dnsRecord).dkimVerified)
    }

    @Test("several instances of a signed header are all signed, bottom-up")
    func repeatedHeaders() throws {
        let signer = try testSigner(headers: ["from", "x-tag"])
        let message = Array("From: a@acme.example.com\r\nX-Tag: one\r\nTo: b@example.com\r\nX-Tag: two\r\n\r\nbody\r\n".utf8)
        let signed = try signer.sign(message, at: testDate)
        let inspection = try Inspection(bytes: signed, dkimRecord: signer.dnsRecord)
        #expect(inspection.dkimSignedHeaders == ["from", "x-tag", "x-tag"])
        #expect(inspection.dkimVerified, "\(inspection.dkimError ?? "")")
    }

    @Test("refusals: bare line breaks, no From, bad key, domain or selector")
    func refusals() throws {
        let signer = try testSigner()
        #expect(throws: DKIMError.bareLineBreak(offset: 24)) { try signer.sign(Array("From: a@acme.example.com\n\r\nx\r\n".utf8), at: testDate) }
        #expect(throws: DKIMError.missingFromHeader) { try signer.sign(Array("To: a@example.com\r\n\r\nx\r\n".utf8), at: testDate) }
        #expect(throws: DKIMError.malformedHeader(line: "not a header")) { try signer.sign(Array("not a header\r\n\r\nx\r\n".utf8), at: testDate) }
        #expect(throws: DKIMError.fromNotSigned) { try testSigner(headers: ["subject"]) }
        #expect(throws: DKIMError.invalidDomain("acme")) { try DKIMSigner(domain: "acme", selector: "s", privateKey: testDKIMKey) }
        #expect(throws: DKIMError.invalidSelector("a b")) { try DKIMSigner(domain: "acme.example.com", selector: "a b", privateKey: testDKIMKey) }
        #expect { try DKIMSigner(domain: "acme.example.com", selector: "s", privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----") } throws: { error in
            guard case DKIMError.invalidPrivateKey = error else { return false }
            return true
        }
    }
}
