import MailTestSupport
import Foundation
import Testing
@testable import Mail

@Suite("Header encoding (RFC 2047, RFC 5322 folding)")
struct HeaderEncodingTests {
    /// Checks a rendered field: CRLF-terminated, every line ≤ 78, continuation lines start with
    /// whitespace and are not blank; returns the unfolded value.
    private func checkFolding(_ rendered: String, name: String) throws -> String {
        #expect(rendered.hasSuffix("\r\n"))
        let physical = String(rendered.dropLast()).components(separatedBy: "\r\n")
        for (index, line) in physical.enumerated() {
            #expect(line.count <= 78, "line \(index) has \(line.count) characters: \(line)")
            if index > 0 {
                #expect(line.hasPrefix(" ") || line.hasPrefix("\t"))
                #expect(!line.trimmingCharacters(in: .whitespaces).isEmpty, "blank folded line")
            }
        }
        let unfolded = physical.joined()
        #expect(unfolded.hasPrefix(name + ": "))
        return String(unfolded.dropFirst(name.count + 2))
    }

    @Test("a short ASCII subject is left as it is")
    func plainSubject() throws {
        let field = HeaderField(name: "Subject", text: "How likely are you to recommend us?").rendered
        #expect(field == "Subject: How likely are you to recommend us?\r\n")
    }

    @Test("a long ASCII subject folds at spaces and unfolds to itself")
    func longASCIISubject() throws {
        let subject = Array(repeating: "recommend", count: 30).joined(separator: " ")
        let field = HeaderField(name: "Subject", text: subject).rendered
        #expect(field.contains("\r\n "))
        // Folding inserted CRLF before existing spaces: unfolding (removing CRLF) restores it.
        #expect(try checkFolding(field, name: "Subject") == subject)
    }

    @Test("ASCII that unfolding would not restore is encoded")
    func awkwardASCII() throws {
        for subject in ["two  spaces", " leading", "trailing ", "tab\there", "looks =?like?= a word",
                        String(repeating: "x", count: 90)] {
            let value = try checkFolding(HeaderField(name: "Subject", text: subject).rendered, name: "Subject")
            #expect(value.hasPrefix("=?UTF-8?"), "\(subject)")
            #expect(try ReferenceEncodedWords.decode(value) == subject)
        }
    }

    @Test("non-ASCII subjects from the seeds: encoded-words ≤ 75, lines ≤ 78, decode to the original",
          arguments: ["turkish", "arabic", "kazakh", "chinese"])
    func seedSubjects(language: String) throws {
        let line = try Seeds.firstLine(language)
        for subject in [line, String(line.prefix(12)), line + " " + line] {
            let value = try checkFolding(HeaderField(name: "Subject", text: subject).rendered, name: "Subject")
            for word in value.split(separator: " ") {
                #expect(word.count <= 75)
            }
            #expect(try ReferenceEncodedWords.decode(value) == subject)
        }
    }

    @Test("Q for mostly-ASCII text, B for text in other scripts")
    func encodingChoice() throws {
        #expect(EncodedWord.preferredEncoding(for: "Café au lait") == .quoted)
        #expect(EncodedWord.preferredEncoding(for: try Seeds.firstLine("chinese")) == .base64)
        #expect(EncodedWord.encode("Café au lait", firstLimit: 75) == ["=?UTF-8?Q?Caf=C3=A9_au_lait?="])
        // A lone "é" is shorter in B (4 characters) than in Q (6).
        #expect(EncodedWord.encode("é", firstLimit: 75) == ["=?UTF-8?B?w6k=?="])
    }

    @Test("encoded-words never split a character, even 4-byte ones")
    func wholeCharacters() throws {
        let text = String(repeating: "😀a", count: 40) + String(repeating: "ğ", count: 50)
        let words = EncodedWord.encode(text, firstLimit: 40)
        #expect(words.first!.count <= 40)
        #expect(words.allSatisfy { $0.count <= 75 })
        // ReferenceEncodedWords refuses a word that is not whole UTF-8 on its own.
        #expect(try ReferenceEncodedWords.decode(words.joined(separator: " ")) == text)
    }

    @Test("a To header with many recipients folds between addresses")
    func addressList() throws {
        let addresses = try (1...8).map { try MailAddress(address: "person\($0)@example.com", displayName: "Person Number \($0)") }
            + [try MailAddress(address: "ayse@example.com.tr", displayName: "Ayşe Yılmaz, Müşteri Deneyimi Ekibi Lideri")]
        let field = HeaderField(name: "To", pieces: MailMessage.addressListPieces(addresses)).rendered
        let value = try checkFolding(field, name: "To")
        #expect(value.hasPrefix("Person Number 1 <person1@example.com>, Person"))
        #expect(value.hasSuffix("<ayse@example.com.tr>"))
    }

    @Test("dates in RFC 5322 form, independent of locale and zone database")
    func dates() {
        #expect(RFC5322Date.format(testDate) == "Sun, 22 Nov 2026 09:00:00 +0000")
        #expect(RFC5322Date.format(testDate, utcOffsetMinutes: 180) == "Sun, 22 Nov 2026 12:00:00 +0300")
        #expect(RFC5322Date.format(testDate, utcOffsetMinutes: -570) == "Sat, 21 Nov 2026 23:30:00 -0930")
        #expect(RFC5322Date.format(.init(timeIntervalSince1970: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.format(.init(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(RFC5322Date.format(.init(timeIntervalSince1970: -1.5)) == "Wed, 31 Dec 1969 23:59:58 +0000")
        #expect(RFC5322Date.format(.init(timeIntervalSince1970: 4_102_444_799)) == "Thu, 31 Dec 2099 23:59:59 +0000")
    }
}
