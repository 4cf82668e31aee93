import MailTestSupport
import Foundation

// MARK: - Seeded randomness, seed texts, reference decoders

/// SplitMix64: a small reproducible generator for Message-IDs and boundaries in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The clock every test uses: 2026-11-22T09:00:00Z.
let testDate = Date(timeIntervalSince1970: 1_795_338_000)

/// Texts in several scripts (Turkish, Arabic, Kazakh, Chinese): the product's seed articles,
/// copied into Tests/Fixtures/seeds so that a fresh clone has them.
enum Seeds {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/seeds").standardized

    /// Each seed file's text, by language.
    static func texts() throws -> [(language: String, text: String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }.sorted()
        guard !files.isEmpty else { throw FixtureError("no seed texts in \(directory.path)") }
        return try files.map { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return (language(of: text), text)
        }
    }

    /// The first line of the seed in `language`: a long, non-ASCII subject.
    static func firstLine(_ language: String) throws -> String {
        guard let text = try texts().first(where: { $0.language == language })?.text else {
            throw FixtureError("no \(language) seed text")
        }
        return String(text.split(separator: "\n").first ?? "")
    }

    private static func language(of text: String) -> String {
        let scalars = text.unicodeScalars
        if scalars.contains(where: { (0x0600...0x06FF).contains($0.value) }) { return "arabic" }
        if scalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) { return "chinese" }
        if scalars.contains(where: { "әғқңөұүһ".unicodeScalars.contains($0) }) { return "kazakh" }
        if scalars.contains(where: { "ğışİŞ".unicodeScalars.contains($0) }) { return "turkish" }
        return "other"
    }
}

/// A strict quoted-printable decoder written from RFC 2045 section 6.7 for the tests; it
/// refuses what a conforming encoder must not produce.
enum ReferenceQP {
    struct Invalid: Error, CustomStringConvertible { let description: String }

    static func decode(_ encoded: [UInt8]) throws -> [UInt8] {
        for (index, byte) in encoded.enumerated() {
            let bare = (byte == 0x0A && (index == 0 || encoded[index - 1] != 0x0D))
                || (byte == 0x0D && (index + 1 == encoded.count || encoded[index + 1] != 0x0A))
            guard !bare else { throw Invalid(description: "bare CR or LF at byte \(index)") }
        }
        var output: [UInt8] = []
        let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
        for (number, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            guard bytes.count <= 76 else { throw Invalid(description: "line \(number) has \(bytes.count) characters") }
            if let last = bytes.last, last == 0x20 || last == 0x09 { throw Invalid(description: "line \(number) ends in whitespace") }
            var index = 0
            var soft = false
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x09 || (0x20...0x7E).contains(byte) else { throw Invalid(description: "raw byte \(byte) on line \(number)") }
                guard byte == UInt8(ascii: "=") else {
                    output.append(byte)
                    index += 1
                    continue
                }
                if index == bytes.count - 1 { soft = true; break }
                guard index + 2 < bytes.count else { throw Invalid(description: "escape cut by the end of line \(number)") }
                let digits = bytes[(index + 1)...(index + 2)]
                // RFC 2045: upper-case hex only.
                guard digits.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }),
                      let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16)
                else { throw Invalid(description: "bad escape on line \(number)") }
                output.append(value)
                index += 3
            }
            if !soft && number < lines.count - 1 { output += [0x0D, 0x0A] }
        }
        return output
    }
}

/// Decodes header values made of RFC 2047 encoded-words (UTF-8, B or Q) for the tests.
enum ReferenceEncodedWords {
    /// The words of an unfolded header value, each checked and decoded, concatenated.
    static func decode(_ value: String) throws -> String {
        var bytes: [UInt8] = []
        for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard word.count <= 75 else { throw ReferenceQP.Invalid(description: "encoded-word of \(word.count) characters") }
            let parts = word.split(separator: "?", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "=", parts[1].uppercased() == "UTF-8", parts[4] == "=" else {
                throw ReferenceQP.Invalid(description: "not an encoded-word: \(word)")
            }
            var wordBytes: [UInt8]
            switch parts[2].uppercased() {
            case "B":
                guard let data = Data(base64Encoded: String(parts[3])) else { throw ReferenceQP.Invalid(description: "bad base64 in \(word)") }
                wordBytes = Array(data)
            case "Q":
                wordBytes = []
                var iterator = Array(parts[3].utf8).makeIterator()
                while let byte = iterator.next() {
                    if byte == UInt8(ascii: "_") {
                        wordBytes.append(0x20)
                    } else if byte == UInt8(ascii: "=") {
                        let hex = String(decoding: [iterator.next() ?? 0, iterator.next() ?? 0], as: UTF8.self)
                        guard let value = UInt8(hex, radix: 16) else { throw ReferenceQP.Invalid(description: "bad Q escape in \(word)") }
                        wordBytes.append(value)
                    } else {
                        wordBytes.append(byte)
                    }
                }
            default:
                throw ReferenceQP.Invalid(description: "unknown encoding in \(word)")
            }
            // RFC 2047 section 5: each word holds whole characters.
            guard String(validating: wordBytes, as: UTF8.self) != nil else {
                throw ReferenceQP.Invalid(description: "encoded-word \(word) splits a character")
            }
            bytes += wordBytes
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Message helpers

extension Array where Element == UInt8 {
    /// The header section (before the first empty line), unfolded into (name, value) pairs,
    /// with the raw folded lines kept for length checks.
    var headerLines: [String] {
        let text = String(decoding: self, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        return head.components(separatedBy: "\r\n")
    }

    /// The value of the first header field called `name`, unfolded (CRLF removed).
    func header(_ name: String) -> String? {
        var fields: [String] = []
        for line in headerLines {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !fields.isEmpty {
                fields[fields.count - 1] += line
            } else {
                fields.append(line)
            }
        }
        guard let field = fields.first(where: { $0.lowercased().hasPrefix(name.lowercased() + ":") }) else { return nil }
        return String(field.dropFirst(name.count + 1).drop(while: { $0 == " " }))
    }

    /// Lines split at CRLF (a bare LF or CR anywhere fails the caller's checks).
    var crlfLines: [String] {
        String(decoding: self, as: UTF8.self).components(separatedBy: "\r\n")
    }
}
