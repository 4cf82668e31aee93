import AdvocateCore
import Testing

/// Input that must be rejected, where, and a phrase the reason must contain.
struct JSONRejection: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let offset: Int
    let phrase: String

    init(_ text: String, at offset: Int, _ phrase: String) {
        self.init(Array(text.utf8), at: offset, phrase)
    }

    init(_ bytes: [UInt8], at offset: Int, _ phrase: String) {
        self.bytes = bytes
        self.offset = offset
        self.phrase = phrase
    }

    var testDescription: String { "\(String(decoding: bytes, as: UTF8.self).debugDescription) → byte \(offset)" }

    /// Checks that parsing fails at `offset` with a reason containing `phrase`.
    func check() {
        guard let error = jsonParseError(bytes) else {
            Issue.record("accepted \(testDescription)")
            return
        }
        #expect(error.offset == offset, "\(error)")
        #expect(error.reason.contains(phrase), "\(error)")
    }
}

@Suite("JSON parser: rejected documents")
struct JSONParseErrorTests {
    @Test("empty input is reported as an empty body at byte 0", arguments: ["", " ", " \n\t\r "])
    func emptyBody(text: String) {
        JSONRejection(text, at: 0, "empty body").check()
    }

    @Test("syntax errors name what was expected and what was found", arguments: [
        JSONRejection("[1,2,]", at: 4, "trailing comma before ']'"),
        JSONRejection(#"{"a":1,}"#, at: 6, "trailing comma before '}'"),
        JSONRejection("[1 , \n]", at: 3, "trailing comma before ']'"),
        JSONRejection("[1 2]", at: 3, "expected ',' or ']' after an array element, found '2'"),
        JSONRejection("[1}", at: 2, "expected ',' or ']' after an array element, found '}'"),
        JSONRejection(#"{"a":1 "b":2}"#, at: 7, #"expected ',' or '}' after an object member, found '"'"#),
        JSONRejection(#"{"a":1]"#, at: 6, "expected ',' or '}' after an object member, found ']'"),
        JSONRejection(#"{"a" 1}"#, at: 5, "expected ':' after an object key, found '1'"),
        JSONRejection("{a:1}", at: 1, "expected a double-quoted string as object key, found 'a'"),
        JSONRejection("{'a':1}", at: 1, "expected a double-quoted string as object key, found '''"),
        JSONRejection(#"{"a":1,,"b":2}"#, at: 7, "expected a double-quoted string as object key, found ','"),
        JSONRejection(#"{"a":}"#, at: 5, "expected a JSON value, found '}'"),
        JSONRejection("[,1]", at: 1, "expected a JSON value, found ','"),
        JSONRejection("]", at: 0, "expected a JSON value, found ']'"),
        JSONRejection("1 2", at: 2, "expected end of input after the JSON value, found '2'"),
        JSONRejection("{}}", at: 2, "expected end of input after the JSON value, found '}'"),
        JSONRejection("1\u{0}", at: 1, "found control character U+0000"),
        JSONRejection("[é]", at: 1, "expected a JSON value, found 'é' (U+00E9)"),
        JSONRejection("'a'", at: 0, "strings must be enclosed in double quotes"),
        JSONRejection("tru", at: 0, "invalid literal, expected 'true'"),
        JSONRejection("[nul]", at: 1, "invalid literal, expected 'null'"),
        JSONRejection("falsy", at: 0, "invalid literal, expected 'false'"),
        JSONRejection("True", at: 0, "must be written in lowercase"),
        JSONRejection("\u{FEFF}{}", at: 0, "byte order mark"),
    ])
    func syntaxErrors(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("comments are rejected", arguments: [
        JSONRejection("// note\n1", at: 0, "comments are not allowed"),
        JSONRejection("/* note */ 1", at: 0, "comments are not allowed"),
        JSONRejection("[1, /* two */ 2]", at: 4, "comments are not allowed"),
        JSONRejection("[1] // done", at: 4, "expected end of input after the JSON value, found '/'"),
    ])
    func comments(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("input that ends early says what was still expected", arguments: [
        JSONRejection("[", at: 1, "expected a JSON value, found end of input"),
        JSONRejection("[1,", at: 3, "expected a JSON value, found end of input"),
        JSONRejection("[1", at: 2, "expected ',' or ']' after an array element, found end of input"),
        JSONRejection("{", at: 1, "expected a double-quoted string as object key, found end of input"),
        JSONRejection(#"{"a""#, at: 4, "expected ':' after an object key, found end of input"),
        JSONRejection(#"{"a":"#, at: 5, "expected a JSON value, found end of input"),
        JSONRejection(#"{"a":1"#, at: 6, "expected ',' or '}' after an object member, found end of input"),
        JSONRejection(#""abc"#, at: 4, "unterminated string (opened at byte 0)"),
        JSONRejection(#"["a\"#, at: 4, "unterminated string (opened at byte 1)"),
        JSONRejection(#"["a\n"#, at: 5, "unterminated string (opened at byte 1)"),
    ])
    func truncated(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("numbers outside the RFC 8259 grammar are rejected", arguments: [
        JSONRejection("01", at: 0, "leading zeros are not allowed"),
        JSONRejection("[-012]", at: 2, "leading zeros are not allowed"),
        JSONRejection("00.5", at: 0, "leading zeros are not allowed"),
        JSONRejection("+1", at: 0, "numbers must not start with '+'"),
        JSONRejection(".5", at: 0, "numbers must start with a digit"),
        JSONRejection("-.5", at: 1, "expected a digit after '-', found '.'"),
        JSONRejection("1.", at: 2, "expected a digit after the decimal point, found end of input"),
        JSONRejection("[1.]", at: 3, "expected a digit after the decimal point, found ']'"),
        JSONRejection("1.e5", at: 2, "expected a digit after the decimal point, found 'e'"),
        JSONRejection("1e", at: 2, "expected a digit in the exponent, found end of input"),
        JSONRejection("1e+", at: 3, "expected a digit in the exponent"),
        JSONRejection("1E-x", at: 3, "expected a digit in the exponent, found 'x'"),
        JSONRejection("-", at: 1, "expected a digit after '-', found end of input"),
        JSONRejection("- 1", at: 1, "expected a digit after '-', found ' '"),
        JSONRejection("0x10", at: 1, "expected end of input after the JSON value, found 'x'"),
        JSONRejection("1.5.3", at: 3, "expected end of input after the JSON value, found '.'"),
        JSONRejection("NaN", at: 0, "NaN and Infinity are not valid JSON numbers"),
        JSONRejection("[Infinity]", at: 1, "NaN and Infinity are not valid JSON numbers"),
        JSONRejection("-Infinity", at: 1, "expected a digit after '-', found 'I'"),
    ])
    func badNumbers(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("numbers too large for a Double are rejected as out of range", arguments: [
        JSONRejection("1e400", at: 0, "number out of range"),
        JSONRejection("[-1e400]", at: 1, "number out of range"),
        JSONRejection("1.8e308", at: 0, "number out of range"),
        JSONRejection("1e99999999999999999999", at: 0, "number out of range"),
        JSONRejection("1" + String(repeating: "0", count: 400), at: 0, "number out of range"),
        JSONRejection(#"{"mrr":123e456}"#, at: 7, "number out of range"),
    ])
    func outOfRange(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("bad escapes and lone surrogates are rejected at their backslash", arguments: [
        JSONRejection(#""\x""#, at: 1, #"invalid escape in string: '\' followed by 'x'"#),
        JSONRejection(#""ab\'""#, at: 3, "invalid escape in string"),
        JSONRejection(#""\u12""#, at: 1, #"invalid \u escape: expected 4 hex digits"#),
        JSONRejection(#""\u12G4""#, at: 1, #"invalid \u escape"#),
        JSONRejection(#""\U0041""#, at: 1, "invalid escape in string"),
        JSONRejection(#""\uD800""#, at: 1, #"lone surrogate \uD800"#),
        JSONRejection(#""ab\udc00""#, at: 3, #"lone surrogate \uDC00"#),
        JSONRejection(#""\ud83d""#, at: 1, #"lone surrogate \uD83D"#),
        JSONRejection(#""\uD800\u0041""#, at: 1, #"lone surrogate \uD800"#),
        JSONRejection(#""\uD800\uD800""#, at: 1, #"lone surrogate \uD800"#),
        JSONRejection(#""\uD800x""#, at: 1, #"lone surrogate \uD800"#),
        JSONRejection(#""\ude00\ud83d""#, at: 1, #"lone surrogate \uDE00"#),
    ])
    func badEscapes(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("every unescaped control character in a string is rejected", arguments: 0..<0x20)
    func controlCharacters(byte: Int) {
        let code = String(byte, radix: 16, uppercase: true)
        let name = "U+00" + (code.count < 2 ? "0" + code : code)
        let plain = [UInt8(ascii: "\""), UInt8(ascii: "a"), UInt8(byte), UInt8(ascii: "\"")]
        JSONRejection(plain, at: 2, "unescaped control character \(name) in string").check()
        // After an escape the string is decoded by a different path; it must reject them too.
        let afterEscape = Array(#""\n"#.utf8) + [UInt8(byte), UInt8(ascii: "\"")]
        JSONRejection(afterEscape, at: 3, "unescaped control character \(name) in string").check()
    }

    @Test("control characters are reported with the escape to write instead")
    func controlCharacterHint() {
        JSONRejection("\"a\tb\"", at: 2, #"(write it as \t)"#).check()
        JSONRejection("\"a\nb\"", at: 2, #"(write it as \n)"#).check()
        JSONRejection("\"a\u{1}b\"", at: 2, #"(write it as \u0001)"#).check()
    }

    @Test("invalid UTF-8 in strings is rejected at the first byte of the bad sequence", arguments: [
        JSONRejection([0x22, 0xC0, 0xAF, 0x22], at: 1, "invalid UTF-8 in string"),  // overlong '/'
        JSONRejection([0x22, 0xC1, 0xBF, 0x22], at: 1, "invalid UTF-8 in string"),  // overlong
        JSONRejection([0x22, 0xE0, 0x80, 0xAF, 0x22], at: 1, "invalid UTF-8 in string"),  // overlong, 3 bytes
        JSONRejection([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], at: 1, "invalid UTF-8 in string"),  // overlong, 4 bytes
        JSONRejection([0x22, 0xED, 0xA0, 0x80, 0x22], at: 1, "invalid UTF-8 in string"),  // U+D800 encoded
        JSONRejection([0x22, 0xED, 0xBF, 0xBF, 0x22], at: 1, "invalid UTF-8 in string"),  // U+DFFF encoded
        JSONRejection([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], at: 1, "invalid UTF-8 in string"),  // above U+10FFFF
        JSONRejection([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], at: 1, "invalid UTF-8 in string"),  // lead byte > 0xF4
        JSONRejection([0x22, 0xFF, 0x22], at: 1, "invalid UTF-8 in string"),
        JSONRejection([0x22, 0x80, 0x22], at: 1, "invalid UTF-8 in string"),  // stray continuation byte
        JSONRejection([0x22, 0x61, 0xE2, 0x82, 0x22], at: 2, "invalid UTF-8 in string"),  // cut short
        JSONRejection([0x22, 0xE2, 0x82], at: 1, "invalid UTF-8 in string"),  // cut short by the end
        JSONRejection([0x22, 0xC3], at: 1, "invalid UTF-8 in string"),
        JSONRejection([0x22, 0xC3, 0xA9, 0xC3, 0x22], at: 3, "invalid UTF-8 in string"),  // after a valid 'é'
        JSONRejection(Array(#""abcdefghij"#.utf8) + [0xFE, 0x22], at: 11, "invalid UTF-8 in string"),
        JSONRejection(Array(#""\n"#.utf8) + [0xC0, 0x80, 0x22], at: 3, "invalid UTF-8 in string"),  // after an escape
        JSONRejection(Array(#"{""#.utf8) + [0xFF] + Array(#"":1}"#.utf8), at: 2, "invalid UTF-8 in string"),  // in a key
    ])
    func invalidUTF8InStrings(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("invalid UTF-8 outside strings is reported as such", arguments: [
        JSONRejection([0x5B, 0xFF, 0x5D], at: 1, "invalid UTF-8"),
        JSONRejection([0x31, 0x20, 0xC3], at: 2, "invalid UTF-8"),
        JSONRejection([0xC0, 0xAF], at: 0, "invalid UTF-8"),
    ])
    func invalidUTF8Elsewhere(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("duplicate keys are rejected at the second occurrence", arguments: [
        JSONRejection(#"{"score":1,"score":2}"#, at: 11, #"duplicate key "score""#),
        JSONRejection(#"{"a":{"x":1,"x":2}}"#, at: 12, #"duplicate key "x""#),
        JSONRejection(#"{"a":1,"b":2,"a":3}"#, at: 13, #"duplicate key "a""#),
        JSONRejection(#"{"a":1,"\u0061":2}"#, at: 7, #"duplicate key "a""#),  // the same key, escaped
        JSONRejection(#"{"a\nb":1,"a\nb":2}"#, at: 10, #"duplicate key "a\nb""#),  // shown escaped
    ])
    func duplicateKeys(rejection: JSONRejection) {
        rejection.check()
    }

    @Test("duplicate keys are still found once the key cache is in use")
    func duplicateKeysInLargeDocuments() {
        let filler = (0..<100).map { #"{"k\#($0)":\#($0)}"# }.joined(separator: ",")
        let text = "[" + filler + #",{"score":1,"score":2}]"#
        let offset = Array(text.utf8).count - #""score":2}]"#.utf8.count
        JSONRejection(text, at: offset, #"duplicate key "score""#).check()
    }

    @Test("nesting deeper than maxDepth is rejected at the opening bracket that exceeds it")
    func depthLimit() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(jsonParseError(deepest) == nil)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        JSONRejection(tooDeep, at: 64, "nesting deeper than 64 levels").check()
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        JSONRejection(objects, at: 5 * 64, "nesting deeper than 64 levels").check()
        // A hostile body of a million brackets fails fast at the limit instead of overflowing the stack.
        JSONRejection(String(repeating: "[", count: 1_000_000), at: 64, "nesting deeper than 64 levels").check()
    }

    @Test("maxDepth can be lowered", arguments: [0, 1, 3])
    func customDepth(maxDepth: Int) throws {
        let ok = String(repeating: "[", count: maxDepth) + String(repeating: "]", count: maxDepth)
        #expect(jsonParseError(ok.isEmpty ? "1" : ok, maxDepth: maxDepth) == nil)
        let tooDeep = String(repeating: "[", count: maxDepth + 1) + String(repeating: "]", count: maxDepth + 1)
        let error = jsonParseError(tooDeep, maxDepth: maxDepth)
        #expect(error?.offset == maxDepth)
        #expect(error?.reason == "nesting deeper than \(maxDepth) levels")
    }

    @Test("description reads \"invalid JSON at byte N: reason\"")
    func description() throws {
        let error = try #require(jsonParseError(#"{"a":1,}"#))
        #expect(error == JSONParseError(offset: 6, reason: "trailing comma before '}'"))
        #expect(error.description == "invalid JSON at byte 6: trailing comma before '}'")
        #expect("\(error)" == error.description)
    }
}
