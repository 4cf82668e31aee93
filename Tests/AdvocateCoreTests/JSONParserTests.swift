import AdvocateCore
import Testing

// MARK: - Values

@Suite("JSON parser: accepted documents")
struct JSONParserTests {
    @Test("scalars and containers parse to the matching JSONValue", arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .integer(0)),
        ("\"\"", .string("")),
        ("\"hello\"", .string("hello")),
        ("[]", .array([])),
        ("{}", .object([:])),
        ("[1,\"a\",null,true,[false]]", .array([.integer(1), .string("a"), .null, .bool(true), .array([.bool(false)])])),
        ("{\"a\":{\"b\":[1,{\"c\":null}]}}", .object(["a": .object(["b": .array([.integer(1), .object(["c": .null])])])])),
    ])
    func parsesValue(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test("whitespace (space, tab, LF, CR) is allowed around and between tokens")
    func allowsWhitespace() throws {
        let text = " \t\r\n{ \"a\" :\n[ 1 ,\t2 ] , \"b\" : { } }\r\n "
        #expect(try JSONValue.parse(text) == .object(["a": .array([.integer(1), .integer(2)]), "b": .object([:])]))
    }

    @Test("escape sequences decode to the characters they stand for")
    func decodesEscapes() throws {
        let text = #""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u00E9 \u4E2D \u0000""#
        #expect(try JSONValue.parse(text) == .string("\" \\ / \u{8} \u{C} \n \r \t A é é 中 \u{0}"))
    }

    @Test("escapes in object keys are decoded too")
    func decodesEscapedKeys() throws {
        #expect(try JSONValue.parse(#"{"a\u0062\n":1}"#) == .object(["ab\n": .integer(1)]))
    }

    @Test("strings of every length up to 40 bytes with a special byte at every position parse")
    func stringsAroundWordBoundaries() throws {
        // The scanner checks 8 bytes at a time; this covers special bytes in every lane.
        for length in 0...40 {
            let plain = String(repeating: "x", count: length)
            #expect(try JSONValue.parse("\"\(plain)\"") == .string(plain))
            for position in 0..<length {
                var escaped = Array(plain.utf8)
                escaped.replaceSubrange(position...position, with: Array(#"\""#.utf8))
                var expected = Array(plain.utf8)
                expected[position] = UInt8(ascii: "\"")
                #expect(try JSONValue.parse([UInt8(ascii: "\"")] + escaped + [UInt8(ascii: "\"")])
                    == .string(String(decoding: expected, as: UTF8.self)))
            }
        }
    }

    // MARK: - Numbers

    @Test("integer literals that fit Int64 are .integer, everything else .double", arguments: [
        ("7", JSONValue.integer(7)),
        ("-7", .integer(-7)),
        ("7.0", .double(7)),
        ("7.5", .double(7.5)),
        ("7e0", .double(7)),
        ("7E+1", .double(70)),
        ("70e-1", .double(7)),
        ("-0", .integer(0)),
        ("0.5", .double(0.5)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .double(0x1p63)),
        ("-9223372036854775809", .double(-0x1p63)),  // rounds to -2^63
        ("100000000000000000000", .double(1e20)),
        ("0.000001", .double(0.000001)),
        ("1e-400", .double(0)),
    ])
    func classifiesNumbers(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test("-0.0 keeps its sign; -0 is the integer 0")
    func negativeZero() throws {
        guard case .double(let d) = try JSONValue.parse("-0.0") else { Issue.record("not a double"); return }
        #expect(d == 0 && d.sign == .minus)
        #expect(try JSONValue.parse("-0") == .integer(0))
    }

    @Test("doubles are correctly rounded (same bits as the standard library's parser)", arguments: [
        "0.1", "0.2", "0.3", "0.30000000000000004", "1.5", "3.141592653589793", "2.718281828459045",
        "1e22", "1e23", "9007199254740993e0", "9007199254740993.0", "123456789012345678901234567890",
        "1.7976931348623157e308", "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9e-324",
        "5e-324", "2.4703282292062328e-324", "0.1e-300", "1234567.891e-10", "8.98846567431158e307",
        "1.00000000000000011102230246251565404236316680908203125", "7.2057594037927933e16",
        "-123.456e-7", "0.000000000000000000000000000001", "4503599627370496.5", "4503599627370497.5",
    ])
    func doublesAreCorrectlyRounded(text: String) throws {
        let expected = try #require(Double(text))
        guard case .double(let parsed) = try JSONValue.parse(text) else {
            Issue.record("\(text) did not parse as a double")
            return
        }
        #expect(parsed.bitPattern == expected.bitPattern, "\(text): \(parsed) != \(expected)")
    }

    @Test("generated decimal literals parse to the same bits as Double(String)")
    func generatedDoubles() throws {
        // Exercises the exact fast path and the fallback with mantissas and exponents of all sizes.
        var random = JSONTestRandom(seed: 42)
        for _ in 0..<20_000 {
            let integerDigits = Int(random.next() % 12) + 1
            let fractionDigits = Int(random.next() % 12)
            var text = integerDigits == 1 && random.next() % 4 == 0 ? "0" : String(random.next() % 9 + 1)
            for _ in 1..<integerDigits { text += String(random.next() % 10) }
            if fractionDigits > 0 {
                text += "."
                for _ in 0..<fractionDigits { text += String(random.next() % 10) }
            }
            if random.next() % 2 == 0 { text += "e\(Int(random.next() % 80) - 40)" }
            let expected = try #require(Double(text))
            let parsed = try JSONValue.parse(text)
            if case .integer(let i) = parsed {
                #expect(Double(i) == expected, "\(text)")
            } else if case .double(let d) = parsed {
                #expect(d.bitPattern == expected.bitPattern, "\(text): \(d) != \(expected)")
            } else {
                Issue.record("\(text) parsed as \(parsed)")
            }
        }
    }

    // MARK: - Entry points

    @Test("every entry point gives the same value")
    func entryPoints() throws {
        let text = #"{"score":9,"tags":["a","b"]}"#
        let expected = try JSONValue.parse(text)
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
        #expect(try JSONValue.parse(text.utf8) == expected)
        #expect(try JSONValue.parse(Substring(text).utf8) == expected)
        #expect(try JSONValue.parse(ContiguousArray(text.utf8)) == expected)
        // Not contiguous: parsed from a copy.
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }) == expected)
    }

    @Test("offsets are counted from the start of a slice, contiguous or not")
    func offsetsInSlices() throws {
        let bytes = Array("xx[1,]".utf8)[2...]
        let contiguous = jsonParseError(bytes)
        #expect(contiguous?.offset == 2)
        let copied = jsonParseError(bytes.lazy.map { $0 })
        #expect(copied == contiguous)
        #expect(try JSONValue.parse(Array("xx[1]".utf8)[2...]) == .array([.integer(1)]))
    }

    // MARK: - Accessors

    @Test("subscript returns a member of an object and nil otherwise")
    func subscriptByKey() throws {
        let value = try JSONValue.parse(#"{"score":9,"contact":{"email":"a@b.co"},"n":null}"#)
        #expect(value["score"] == .integer(9))
        #expect(value["contact"]?["email"] == .string("a@b.co"))
        #expect(value["n"] == .null)
        #expect(value["missing"] == nil)
        #expect(value["contact"]?["missing"]?["deeper"] == nil)
        #expect(JSONValue.array([.integer(1)])["0"] == nil)
        #expect(JSONValue.string("score")["score"] == nil)
    }

    @Test("typeName names each case as messages show it", arguments: [
        (JSONValue.null, "null"), (.bool(true), "boolean"), (.integer(1), "integer"), (.double(1.5), "number"),
        (.string("s"), "string"), (.array([]), "array"), (.object([:]), "object"),
    ])
    func typeNames(value: JSONValue, name: String) {
        #expect(value.typeName == name)
    }

    // MARK: - Batches

    @Test("a 10,000-element batch of ingest objects parses completely")
    func largeBatch() throws {
        let objects = (0..<10_000).map { i in
            #"{"survey_id":123,"contact":{"external_id":"u-\#(i)","email":"a@b.co","properties":{"plan":"paid","mrr":120}},"score":\#(i % 11),"comment":"Great support, thanks!"}"#
        }
        let batch = Array(("[" + objects.joined(separator: ",") + "]").utf8)
        guard case .array(let elements) = try JSONValue.parse(batch) else {
            Issue.record("not an array")
            return
        }
        #expect(elements.count == 10_000)
        #expect(elements[9_999]["contact"]?["external_id"] == .string("u-9999"))
        #expect(elements[9_999]["contact"]?["properties"]?["mrr"] == .integer(120))
        #expect(elements[5_000]["score"] == .integer(5_000 % 11))
        #expect(elements.allSatisfy { $0["comment"] == .string("Great support, thanks!") })
    }

    @Test("many distinct, similar keys in one document all keep their own values")
    func manyKeys() throws {
        // Past the first few dozen keys, short keys are looked up in a cache; similar keys of
        // every cached length (and longer ones) must never be confused with each other.
        var keys: [String] = []
        for length in 1...20 {
            for variant in ["a", "b", "é", "z"] {
                keys.append(String(repeating: "k", count: max(0, length - 1)) + variant)
                keys.append(variant + String(repeating: "k", count: max(0, length - 1)))
            }
        }
        keys = Array(Set(keys)).sorted()
        let object = "{" + keys.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}"
        let batch = "[" + Array(repeating: object, count: 50).joined(separator: ",") + "]"
        guard case .array(let elements) = try JSONValue.parse(batch) else {
            Issue.record("not an array")
            return
        }
        for element in elements {
            guard case .object(let members) = element else { Issue.record("not an object"); return }
            #expect(members.count == keys.count)
            for (index, key) in keys.enumerated() { #expect(members[key] == .integer(Int64(index)), "\(key)") }
        }
    }
}

// MARK: - Helpers

/// The error `JSONValue.parse` throws for `bytes`, or nil if it parses.
func jsonParseError(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

/// The error `JSONValue.parse` throws for `text`, or nil if it parses.
func jsonParseError(_ text: String, maxDepth: Int = 64) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(text, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

/// SplitMix64, so generated cases are the same on every run (the algorithm of AdvocateCore's
/// `SeededGenerator`, repeated here so these tests build with the JSON sources alone).
struct JSONTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
