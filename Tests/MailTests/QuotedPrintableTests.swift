import MailTestSupport
import Foundation
import Testing
@testable import Mail

@Suite("Quoted-printable (RFC 2045)")
struct QuotedPrintableTests {
    private func encoded(_ text: String) -> String {
        String(decoding: QuotedPrintable.encode(text), as: UTF8.self)
    }

    /// The text with every kind of line break as CRLF: what a QP round trip gives back.
    private func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    @Test("printable ASCII passes through, = is escaped")
    func basics() {
        #expect(encoded("Hello, world!") == "Hello, world!")
        #expect(encoded("a=b") == "a=3Db")
        #expect(encoded("==") == "=3D=3D")
        #expect(encoded("") == "")
    }

    @Test("whitespace at a line end is encoded, inside a line it is not")
    func trailingWhitespace() {
        #expect(encoded("a b") == "a b")
        #expect(encoded("end ") == "end=20")
        #expect(encoded("end\t") == "end=09")
        #expect(encoded("one  \ntwo\t\r\nthree") == "one =20\r\ntwo=09\r\nthree")
        #expect(encoded(" ") == "=20")
    }

    @Test("every kind of line break becomes CRLF")
    func lineBreaks() {
        #expect(encoded("a\nb\r\nc\rd\n") == "a\r\nb\r\nc\r\nd\r\n")
        #expect(encoded("\n\n") == "\r\n\r\n")
    }

    @Test("long lines are soft-wrapped at 76 characters")
    func longLines() throws {
        let text = String(repeating: "0123456789", count: 30)
        let output = encoded(text)
        let lines = output.components(separatedBy: "\r\n")
        // 75 characters and a soft break per line: 300 characters make four lines.
        #expect(lines.map(\.count) == [76, 76, 76, 75])
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        #expect(try ReferenceQP.decode(Array(output.utf8)) == Array(text.utf8))

        // Exactly 76 characters fit on one line without a soft break; 77 do not.
        #expect(encoded(String(repeating: "x", count: 76)) == String(repeating: "x", count: 76))
        #expect(encoded(String(repeating: "x", count: 77)).components(separatedBy: "\r\n").map(\.count) == [76, 2])
    }

    @Test("an escape is never split by a soft break")
    func escapesStayWhole() throws {
        for prefix in 0..<4 {
            let text = String(repeating: "a", count: prefix) + String(repeating: "é=ü", count: 40)
            let output = QuotedPrintable.encode(text)
            #expect(try ReferenceQP.decode(output) == Array(text.utf8))
        }
    }

    @Test("seed texts in Turkish, Arabic, Kazakh and Chinese round-trip")
    func seeds() throws {
        let texts = try Seeds.texts()
        #expect(Set(texts.map(\.language)).isSuperset(of: ["turkish", "arabic", "kazakh", "chinese"]))
        for (language, text) in texts {
            let output = QuotedPrintable.encode(text)
            #expect(output.allSatisfy { $0 == 0x0D || $0 == 0x0A || (0x20...0x7E).contains($0) }, "\(language): 7-bit only")
            #expect(try ReferenceQP.decode(output) == crlf(text), "\(language)")
        }
    }

    @Test("Python's quopri decodes what we encode")
    func pythonQuopri() throws {
        let directory = try Python.temporaryDirectory("mail-qp")
        defer { try? FileManager.default.removeItem(at: directory) }
        let samples = try Seeds.texts().map(\.text) + ["trailing \nspaces\t\n= signs == \n" + String(repeating: "long line ", count: 30)]
        for (index, text) in samples.enumerated() {
            let encodedPath = directory.appendingPathComponent("\(index).qp").path
            let decodedPath = directory.appendingPathComponent("\(index).out").path
            try Data(QuotedPrintable.encode(text)).write(to: URL(fileURLWithPath: encodedPath))
            let run = try Python.run(["-c", "import quopri,sys; open(sys.argv[2],'wb').write(quopri.decodestring(open(sys.argv[1],'rb').read()))",
                                      encodedPath, decodedPath])
            #expect(run.status == 0, "\(run.stderr)")
            let decoded = try [UInt8](Data(contentsOf: URL(fileURLWithPath: decodedPath)))
            #expect(decoded == crlf(text), "sample \(index)")
        }
    }
}
