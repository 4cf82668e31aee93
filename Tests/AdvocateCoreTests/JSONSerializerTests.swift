import AdvocateCore
import Testing

@Suite("JSON serializer")
struct JSONSerializerTests {
    // MARK: - Scalars

    @Test("scalars serialize to compact JSON", arguments: [
        (JSONValue.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.integer(0), "0"),
        (.integer(9), "9"),
        (.integer(-7), "-7"),
        (.integer(1_234_567_890), "1234567890"),
        (.integer(.max), "9223372036854775807"),
        (.integer(.min), "-9223372036854775808"),
        (.double(7), "7.0"),
        (.double(7.5), "7.5"),
        (.double(-0.0), "-0.0"),
        (.double(0.1), "0.1"),
        (.double(1e300), "1e+300"),
        (.double(1e-7), "1e-07"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
    ])
    func scalars(value: JSONValue, text: String) {
        #expect(value.serialized() == text)
    }

    @Test("non-finite doubles, which JSON cannot express, are written as null", arguments: [
        Double.nan, .infinity, -.infinity,
    ])
    func nonFinite(value: Double) {
        #expect(JSONValue.double(value).serialized() == "null")
    }

    // MARK: - Strings

    @Test("strings are escaped per RFC 8259, plus U+2028 and U+2029", arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("a\"b", #""a\"b""#),
        ("a\\b", #""a\\b""#),
        ("</script>", #""</script>""#),
        ("\u{8}\u{C}\n\r\t", #""\b\f\n\r\t""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("a\u{2028}b\u{2029}c", #""a\u2028b\u2029c""#),
        // Other characters whose UTF-8 also starts with 0xE2 stay as they are.
        ("€ — ‘’ \u{2027}\u{202A} ⌘", "\"€ — ‘’ \u{2027}\u{202A} ⌘\""),
        ("é 中 😀", "\"é 中 😀\""),
    ])
    func escapesStrings(string: String, text: String) {
        #expect(JSONValue.string(string).serialized() == text)
        var bytes: [UInt8] = []
        JSONString.escape(string, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }

    @Test("generated strings escape exactly like a simple per-character reference")
    func escapingMatchesReference() throws {
        // Special characters land at every offset relative to the 8-byte words the escaper scans.
        let alphabet: [Character] = ["a", "b", "\"", "\\", "/", "\n", "\u{1}", "\u{1F}", " ", "é", "€", "\u{2028}",
                                     "\u{2029}", "中", "😀", "\u{7F}", "~"]
        var random = JSONTestRandom(seed: 7)
        for _ in 0..<3_000 {
            let length = Int(random.next() % 40)
            let string = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let text = JSONValue.string(string).serialized()
            #expect(text == referenceEscape(string), "\(string.debugDescription)")
            #expect(try JSONValue.parse(text) == .string(string))
        }
    }

    @Test("JSONString.escape appends to what is already in the buffer")
    func escapeAppends() {
        var bytes = Array(#"{"error":"#.utf8)
        JSONString.escape("score must be an integer, got \"9\"", into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"error":"score must be an integer, got \"9\""}"#)
    }

    // MARK: - Containers

    @Test("object keys are sorted, at every level")
    func sortsKeys() {
        let value = JSONValue.object([
            "b": .integer(1), "a": .integer(2),
            "c": .object(["z": .integer(1), "y": .array([.object(["q": .null, "p": .bool(true)])])]),
            "B": .string("upper case sorts before lower case"),
        ])
        #expect(value.serialized() == #"{"B":"upper case sorts before lower case","a":2,"b":1,"c":{"y":[{"p":true,"q":null}],"z":1}}"#)
    }

    @Test("equal objects serialize identically whatever order their keys were inserted in")
    func stableOutput() {
        let keys = (0..<50).map { "key\($0)" } + ["", "é", "中", "😀", "a\"b"]
        var random = JSONTestRandom(seed: 1)
        var texts: Set<String> = []
        for _ in 0..<20 {
            var members: [String: JSONValue] = [:]
            for key in keys.shuffled(using: &random) { members[key] = .string(key) }
            texts.insert(JSONValue.object(members).serialized())
        }
        #expect(texts.count == 1)
    }

    @Test("arrays keep their order and nothing is added between tokens")
    func arrays() {
        let value = JSONValue.array([.integer(3), .array([]), .object([:]), .string("x"), .null, .double(1.5)])
        #expect(value.serialized() == #"[3,[],{},"x",null,1.5]"#)
    }

    @Test("write(into:) appends exactly serialized() to the buffer")
    func writeAppends() throws {
        let value = try JSONValue.parse(#"{"b":[1,2.5,"x"],"a":{"k":null}}"#)
        var bytes = Array("prefix:".utf8)
        value.write(into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "prefix:" + value.serialized())
    }

    // MARK: - Round trips

    @Test("parse(serialized()) gives back the same value", arguments: [
        JSONValue.null,
        .object([
            "survey_id": .integer(123), "score": .integer(9), "comment": .string("Great support, thanks!"),
            "contact": .object(["external_id": .string("u-1"), "properties": .object(["plan": .string("paid"), "mrr": .integer(120)])]),
        ]),
        .array([.integer(.min), .integer(.max), .double(-0.0), .double(1e16), .double(7), .double(0.1), .double(.leastNonzeroMagnitude)]),
        .object(["": .string(""), "\u{0}": .string("\u{1F}\"\\/\u{2028}"), "emoji 😀": .array([.bool(false)])]),
        .string(String(repeating: "long string with \"quotes\" and \\ backslashes ", count: 50)),
    ])
    func roundTripsValues(value: JSONValue) throws {
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test("canonical text serializes back unchanged", arguments: [
        #"{"a":[1,-2,3.25,1e+100,true,false,null],"b":{"c":"d\n\u0001"}}"#,
        #"[[],{},"",0,-0.5,"\\\"/"]"#,
        #"{"Қ":"İı","عربي":"\u2028","中文":"😀"}"#,  // sorted by code point
    ])
    func roundTripsText(text: String) throws {
        #expect(try JSONValue.parse(text).serialized() == text)
    }

    @Test("doubles survive a round trip bit for bit, and stay doubles")
    func doublesRoundTrip() throws {
        var random = JSONTestRandom(seed: 3)
        var checked = 0
        while checked < 10_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            checked += 1
            guard case .double(let parsed) = try JSONValue.parse(JSONValue.double(value).serialized()) else {
                Issue.record("\(value) did not come back as a double")
                continue
            }
            #expect(parsed.bitPattern == value.bitPattern, "\(value)")
        }
        // Integral doubles keep a fraction or exponent in text, so they do not turn into integers.
        for value in [7.0, -1.0, 0.0, 1e16, 0x1p53 + 2] {
            #expect(try JSONValue.parse(JSONValue.double(value).serialized()) == .double(value))
        }
    }

    @Test("a 10,000-element batch round trips")
    func largeBatchRoundTrip() throws {
        let objects = (0..<10_000).map { i in
            #"{"comment":"Great support, thanks!","contact":{"email":"a@b.co","external_id":"u-\#(i)","properties":{"mrr":120,"plan":"paid"}},"score":\#(i % 11),"survey_id":123}"#
        }
        let text = "[" + objects.joined(separator: ",") + "]"
        let value = try JSONValue.parse(text)
        #expect(value.serialized() == text)
    }
}

/// Escapes one Unicode scalar at a time: slow and obviously right, to compare the fast path with.
private func referenceEscape(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\u{8}": out += "\\b"
        case "\u{C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{2028}": out += "\\u2028"
        case "\u{2029}": out += "\\u2029"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u00" + (hex.count < 2 ? "0" + hex : hex)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
