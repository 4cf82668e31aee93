import AdvocateCore
import Testing

@Suite("JSON and Unicode")
struct JSONUnicodeTests {
    static let samples = [
        "مرحبا، الخدمة ممتازة!",  // Arabic
        "İstanbul'da ılık bir gün: I ı İ i",  // Turkish dotted and dotless i
        "Қазақстан, Алматы — рақмет!",  // Kazakh
        "你好，世界。服务很好！",  // Chinese
        "😀👍🏽👨‍👩‍👧 🇰🇿",  // emoji: surrogate pairs in UTF-16, skin tone, ZWJ sequence, flag
        "mixed: é Қ 中 😀 ع",
    ]

    @Test("text in any script parses as written and is written back as raw UTF-8", arguments: samples)
    func rawText(text: String) throws {
        let json = "\"" + text + "\""
        #expect(try JSONValue.parse(json) == .string(text))
        #expect(try JSONValue.parse(Array(json.utf8)) == .string(text))
        // Written as UTF-8, not as \u escapes.
        #expect(JSONValue.string(text).serialized() == json)
    }

    @Test("non-ASCII object keys work and sort by code point", arguments: samples)
    func keys(text: String) throws {
        let value = try JSONValue.parse(#"{"\#(text)":1,"a":2}"#)
        #expect(value[text] == .integer(1))
        #expect(value.serialized() == #"{"a":2,"\#(text)":1}"#)
    }

    @Test("\\u escapes decode to the same characters as raw UTF-8", arguments: [
        (#"\u0645\u0631\u062d\u0628\u0627"#, "مرحبا"),
        (#"\u0130\u0131"#, "İı"),
        (#"\u049a\u049B"#, "Ққ"),
        (#"\u4f60\u597D"#, "你好"),
        (#"\ud83d\ude00"#, "😀"),
        (#"\uD83D\uDE00"#, "😀"),
        (#"\ud83d\udc4d\ud83c\udffd"#, "👍🏽"),
        (#"\uDBFF\uDFFF"#, "\u{10FFFF}"),
        (#"x\u00e9y\u2028z"#, "xéy\u{2028}z"),
    ])
    func unicodeEscapes(escaped: String, expected: String) throws {
        #expect(try JSONValue.parse("\"" + escaped + "\"") == .string(expected))
    }

    @Test("Turkish İ, ı, I and i are four different keys")
    func turkishKeysAreDistinct() throws {
        let value = try JSONValue.parse(#"{"I":1,"İ":2,"i":3,"ı":4}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.count == 4)
        #expect(value["İ"] == .integer(2) && value["ı"] == .integer(4))
    }

    @Test("U+2028 and U+2029 are escaped on output and read back")
    func lineSeparators() throws {
        let value = JSONValue.string("before\u{2028}middle\u{2029}after")
        let text = value.serialized()
        #expect(text == #""before\u2028middle\u2029after""#)
        #expect(try JSONValue.parse(text) == value)
        // Raw U+2028 is valid JSON input.
        #expect(try JSONValue.parse("\"a\u{2028}b\"") == .string("a\u{2028}b"))
    }

    @Test("error offsets count UTF-8 bytes, not characters")
    func offsetsCountBytes() {
        // 'Қ' is 2 bytes, '😀' is 4.
        JSONRejection("\"Қ\t\"", at: 3, "unescaped control character").check()
        JSONRejection("[\"😀\",]", at: 7, "trailing comma before ']'").check()
        JSONRejection(#"{"中文":1,"中文":2}"#, at: 12, #"duplicate key "中文""#).check()
    }

    @Test("the boundaries of valid UTF-8 are accepted", arguments: [
        [0xC2, 0x80],  // U+0080, first two-byte character
        [0xDF, 0xBF],  // U+07FF
        [0xE0, 0xA0, 0x80],  // U+0800, first three-byte character
        [0xED, 0x9F, 0xBF],  // U+D7FF, just below the surrogates
        [0xEE, 0x80, 0x80],  // U+E000, just above them
        [0xEF, 0xBF, 0xBF],  // U+FFFF
        [0xF0, 0x90, 0x80, 0x80],  // U+10000, first four-byte character
        [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF, the last
    ] as [[UInt8]])
    func utf8Boundaries(bytes: [UInt8]) throws {
        let expected = String(decoding: bytes, as: UTF8.self)
        #expect(try JSONValue.parse([0x22] + bytes + [0x22]) == .string(expected))
    }

    @Test("canonically equivalent keys are one Swift key, so they are reported as duplicates")
    func canonicallyEquivalentKeys() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are equal Swift strings; keeping
        // one silently would lose data, so the parser says so.
        JSONRejection("{\"\u{E9}\":1,\"e\u{301}\":2}", at: 8, "duplicate key").check()
    }
}
