// MARK: - Public entry points

extension JSONValue {
    /// Parses exactly one JSON value (RFC 8259, strictly) from UTF-8 `bytes`.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice`, NIO's `ByteBufferView`, `String.UTF8View`)
    /// are parsed in place; anything else is copied into an array first.
    ///
    /// - Parameters:
    ///   - bytes: The whole document, e.g. a request body.
    ///   - maxDepth: Most arrays/objects that may be nested inside each other. The parser recurses
    ///     once per level, so this also bounds its stack use; keep it modest.
    /// - Throws: `JSONParseError` with the offset of the first problem found, counted in bytes
    ///   from the start of `bytes` (also when it is a slice).
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ JSONParser.parse($0, maxDepth: maxDepth) }) {
            return try result.get()
        }
        // Non-contiguous input is rare (a chain of buffers); one copy is cheaper than keeping a
        // second parser that is generic over the collection type.
        return try Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0, maxDepth: maxDepth) }.get()
    }

    /// Parses exactly one JSON value from `string` (for stored JSON text and tests).
    ///
    /// Offsets in errors count UTF-8 bytes of `string`, not characters.
    /// - Throws: `JSONParseError` with the byte offset of the first problem found.
    public static func parse(_ string: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        var string = string  // `withUTF8` is mutating: it may first make a bridged string native.
        return try string.withUTF8 { JSONParser.parse($0, maxDepth: maxDepth) }.get()
    }
}

// MARK: - Parser

/// A recursive-descent parser over raw bytes.
///
/// It works on an unsafe pointer because the hot path parses tens of thousands of bodies a
/// second: bounds are checked explicitly against `end` instead of by every subscript.
/// Every read of `base[i]` below is preceded by a check that `i < end`.
struct JSONParser {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let maxDepth: Int
    /// Offset of the next unread byte.
    private var pos = 0
    /// Arrays/objects currently open.
    private var depth = 0
    /// Reused for strings that contain escapes, so each does not allocate its own buffer.
    private var scratch: [UInt8] = []
    /// Elements of the arrays being parsed, innermost last (see `parseArray`).
    private var elementStack: [JSONValue] = []
    /// Members of the objects being parsed, innermost last (see `parseObject`).
    private var memberStack: [Member] = []

    /// Recently seen object keys by a hash of their bytes (see `cachedKey`); empty until needed.
    private var keyCache: [CachedKey] = []
    /// Object keys parsed so far, up to `CachedKey.threshold` (see `parseString`).
    private var keyCount = 0

    /// A key in `keyCache`: its bytes, packed as `cachedKey` does, and its `String`.
    private struct CachedKey {
        /// Longest key cached: such keys are exactly described by two 64-bit words, and (on
        /// 64-bit platforms) their `String`s are stored inline, so the cache holds no references.
        static let maxLength = 15
        /// The cache has 2^slotBits slots.
        static let slotBits = 7
        /// The cache is used after this many keys of this document.
        static let threshold = 32

        var first: UInt64 = 0
        var last: UInt64 = 0
        var length = -1  // matches no key
        var string = ""
    }

    /// An object member waiting for its object to close; the key's offset is kept for errors.
    private struct Member {
        var key: String
        var offset: Int
        var value: JSONValue

        /// What a slot holds once its member has been moved out: nothing to release.
        static let vacated = Member(key: "", offset: 0, value: .null)
    }

    private init(base: UnsafePointer<UInt8>, end: Int, maxDepth: Int) {
        self.base = base
        self.end = end
        self.maxDepth = maxDepth
    }

    /// Parses a whole document; a `Result` because `withContiguousStorageIfAvailable` and
    /// `withUTF8` only rethrow untyped errors.
    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        guard let base = buffer.baseAddress, !buffer.isEmpty else {
            return .failure(JSONParseError(offset: 0, reason: emptyBody))
        }
        var parser = JSONParser(base: base, end: buffer.count, maxDepth: maxDepth)
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }

    private static let emptyBody = "empty body: expected a JSON value"

    private mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        // Whitespace only is reported like no body at all: both mean the client sent nothing.
        guard pos < end else { throw JSONParseError(offset: 0, reason: Self.emptyBody) }
        let value = try parseValue()
        skipWhitespace()
        guard pos == end else { throw unexpected("expected end of input after the JSON value") }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < end else { throw unexpected("expected a JSON value") }
        switch base[pos] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: throw invalidValueStart()
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        if end - pos >= count {
            var i = 1  // the first byte already matched in `parseValue`
            while i < count && base[pos + i] == word.utf8Start[i] { i += 1 }
            if i == count {
                pos += count
                return
            }
        }
        throw JSONParseError(offset: pos, reason: "invalid literal, expected '\(word)'")
    }

    /// The error for a byte that cannot start a value, with a hint for the usual mistakes
    /// (JavaScript habits, comments, hand-edited files).
    private func invalidValueStart() -> JSONParseError {
        let hint: String
        switch base[pos] {
        case UInt8(ascii: "+"): hint = "numbers must not start with '+'"
        case UInt8(ascii: "."): hint = "numbers must start with a digit (write 0.5, not .5)"
        case UInt8(ascii: "'"): hint = "strings must be enclosed in double quotes"
        case UInt8(ascii: "/"): hint = "comments are not allowed in JSON"
        case UInt8(ascii: "N") where hasPrefix("NaN"), UInt8(ascii: "I") where hasPrefix("Infinity"):
            hint = "NaN and Infinity are not valid JSON numbers"
        case UInt8(ascii: "T"), UInt8(ascii: "F"), UInt8(ascii: "N"):
            hint = "true, false and null must be written in lowercase"
        case 0xEF where pos == 0 && hasPrefix("\u{FEFF}"):
            hint = "a byte order mark (BOM) is not allowed before JSON text"
        default: return unexpected("expected a JSON value")
        }
        return JSONParseError(offset: pos, reason: hint)
    }

    private func hasPrefix(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - pos >= count else { return false }
        for i in 0..<count where base[pos + i] != word.utf8Start[i] { return false }
        return true
    }

    // MARK: - Containers

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else {
            throw JSONParseError(offset: pos, reason: "nesting deeper than \(maxDepth) levels")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        pos += 1  // '['
        skipWhitespace()
        if pos < end && base[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .array([])
        }
        // Elements collect on a stack shared by all arrays, so each array is allocated once at
        // its final size instead of growing (and over-allocating) as it is parsed.
        if elementStack.capacity == 0 { elementStack.reserveCapacity(16) }
        let first = elementStack.count
        while true {
            elementStack.append(try parseValue())
            skipWhitespace()
            guard pos < end else { throw unexpected("expected ',' or ']' after an array element") }
            switch base[pos] {
            case UInt8(ascii: ","):
                try rejectTrailingComma(before: UInt8(ascii: "]"))
            case UInt8(ascii: "]"):
                pos += 1
                depth -= 1
                return .array(elementStack.removeSuffix(from: first, leaving: .null))
            default:
                throw unexpected("expected ',' or ']' after an array element")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        pos += 1  // '{'
        skipWhitespace()
        if pos < end && base[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .object([:])
        }
        // Members collect on a shared stack so the dictionary can be created at its final
        // capacity: growing it one insert at a time would rehash every key at each resize.
        if memberStack.capacity == 0 { memberStack.reserveCapacity(16) }
        let first = memberStack.count
        while true {
            guard pos < end, base[pos] == UInt8(ascii: "\"") else {
                throw unexpected("expected a double-quoted string as object key")
            }
            let keyOffset = pos
            let key = try parseString(isKey: true)
            skipWhitespace()
            guard pos < end, base[pos] == UInt8(ascii: ":") else {
                throw unexpected("expected ':' after an object key")
            }
            pos += 1
            memberStack.append(Member(key: key, offset: keyOffset, value: try parseValue()))
            skipWhitespace()
            guard pos < end else { throw unexpected("expected ',' or '}' after an object member") }
            switch base[pos] {
            case UInt8(ascii: ","):
                try rejectTrailingComma(before: UInt8(ascii: "}"))
            case UInt8(ascii: "}"):
                pos += 1
                depth -= 1
                return .object(try popMembers(from: first))
            default:
                throw unexpected("expected ',' or '}' after an object member")
            }
        }
    }

    /// Builds the dictionary for members `first...` of `memberStack` and removes them.
    private mutating func popMembers(from first: Int) throws(JSONParseError) -> [String: JSONValue] {
        let count = memberStack.count - first
        var members = [String: JSONValue](minimumCapacity: count)
        var duplicate: Member?
        memberStack.withUnsafeMutableBufferPointer { stack in
            for i in first..<stack.count {
                // Swapped out rather than copied: saves a retain and a release per member.
                var member = Member.vacated
                swap(&member, &stack[i])
                if members.updateValue(member.value, forKey: member.key) != nil && duplicate == nil {
                    duplicate = member  // the second occurrence, in document order
                }
            }
        }
        // One at a time: `removeLast(_:)` goes through the general (and slower) replaceSubrange.
        for _ in 0..<count { memberStack.removeLast() }
        if let duplicate {
            throw JSONParseError(offset: duplicate.offset, reason: "duplicate key \(quoted(duplicate.key))")
        }
        return members
    }

    /// Consumes the ',' at `pos` and the whitespace after it, naming the error precisely when
    /// the container closes right after it (a trailing comma, allowed in JavaScript but not JSON).
    @inline(__always)
    private mutating func rejectTrailingComma(before close: UInt8) throws(JSONParseError) {
        let comma = pos
        pos += 1
        skipWhitespace()
        if pos < end && base[pos] == close {
            throw JSONParseError(offset: comma, reason: "trailing comma before '\(Unicode.Scalar(close))'")
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while pos < end {
            let byte = base[pos]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            pos += 1
        }
    }

    // MARK: - Strings

    /// Parses the string whose opening quote is at `pos`; short object keys go through
    /// `keyCache`.
    private mutating func parseString(isKey: Bool = false) throws(JSONParseError) -> String {
        let quote = pos
        pos += 1
        let start = pos
        try scanPlainRun()
        guard pos < end else { throw unterminatedString(quote) }
        guard base[pos] == UInt8(ascii: "\"") else { return try parseEscapedString(quote: quote, from: start) }
        // The common case: no escapes, so the string is a slice of the input (already
        // validated; strings of up to 15 bytes are stored inline without allocating).
        let length = pos - start
        pos += 1
        if isKey && length <= CachedKey.maxLength {
            // Small documents skip the cache: setting it up would cost more than it saves.
            keyCount += 1
            if keyCount > CachedKey.threshold { return cachedKey(at: start, length: length) }
        }
        return String(decoding: UnsafeBufferPointer(start: base + start, count: length), as: UTF8.self)
    }

    /// The key of `length` (at most 15) bytes at `start`, reusing the `String` made for the
    /// same key earlier in this document. In a batch the same few keys repeat thousands of
    /// times, and creating a `String` costs more than this lookup.
    private mutating func cachedKey(at start: Int, length: Int) -> String {
        // Up to 15 bytes are fully described by their first and last 8 (which overlap);
        // shorter keys are packed into `first` alone.
        var first: UInt64 = 0
        var last: UInt64 = 0
        if length >= 8 {
            first = loadWord(at: start)
            last = loadWord(at: start + length - 8)
        } else if end - start >= 8 {
            first = loadWord(at: start) & ((1 << (8 * UInt64(length))) &- 1)
        } else {
            for i in 0..<length { first |= UInt64(base[start + i]) << (8 * i) }
        }
        let hash = (first ^ (last &* 31) ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: hash >> (64 - CachedKey.slotBits))
        if keyCache.isEmpty { keyCache = Array(repeating: CachedKey(), count: 1 << CachedKey.slotBits) }
        let cached = keyCache[slot]
        if cached.length == length && cached.first == first && cached.last == last { return cached.string }
        let key = String(decoding: UnsafeBufferPointer(start: base + start, count: length), as: UTF8.self)
        keyCache[slot] = CachedKey(first: first, last: last, length: length, string: key)
        return key
    }

    /// The 8 bytes at `offset` (which must all be in the input), first byte lowest.
    @inline(__always)
    private func loadWord(at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
    }

    /// Finishes a string that has escapes (or a control character) at `pos`, building it in
    /// `scratch` from `start`.
    private mutating func parseEscapedString(quote: Int, from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var runStart = start
        while true {
            // `scanPlainRun` stopped at a quote, a backslash or a control character.
            scratch.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: pos - runStart))
            switch base[pos] {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try appendEscape(quote: quote)
            default:
                throw controlCharacterInString()
            }
            runStart = pos
            try scanPlainRun()
            guard pos < end else { throw unterminatedString(quote) }
        }
    }

    /// Advances over bytes that stand for themselves in a string, validating UTF-8 as it goes;
    /// stops at the end or at a quote, backslash or control character.
    @inline(__always)
    private mutating func scanPlainRun() throws(JSONParseError) {
        while true {
            skipPlainASCII()
            guard pos < end else { return }
            let byte = base[pos]
            if byte < 0x80 {
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return }
                pos += 1
            } else {
                let length = utf8SequenceLength(at: pos)
                guard length > 0 else { throw JSONParseError(offset: pos, reason: "invalid UTF-8 in string") }
                pos += length
            }
        }
    }

    /// Skips ASCII string bytes that need no attention (not a quote, backslash or control
    /// character) eight at a time, using bit tricks on a 64-bit word instead of a loop over bytes.
    @inline(__always)
    private mutating func skipPlainASCII() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        while end - pos >= 8 {
            let word = loadWord(at: pos)
            // Each term sets the high bit of the lowest byte that is non-ASCII, below 0x20, '"' or
            // '\\' (it may also set bits above that byte, which are ignored).
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special = word
                | ((word &- ones &* 0x20) & ~word)
                | ((quote &- ones) & ~quote)
                | ((backslash &- ones) & ~backslash)
            let flagged = special & highBits
            guard flagged == 0 else {
                pos += flagged.trailingZeroBitCount >> 3
                return
            }
            pos += 8
        }
    }

    /// Decodes the escape sequence whose backslash is at `pos` into `scratch`.
    private mutating func appendEscape(quote: Int) throws(JSONParseError) {
        guard pos + 1 < end else { throw unterminatedString(quote) }
        let decoded: UInt8
        switch base[pos + 1] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            try appendUnicodeEscape()
            return
        default:
            throw JSONParseError(
                offset: pos,
                reason: "invalid escape in string: '\\' followed by \(describe(at: pos + 1))"
                    + " (valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
            )
        }
        scratch.append(decoded)
        pos += 2
    }

    /// Decodes `\uXXXX` at `pos`, combining a UTF-16 surrogate pair written as two escapes.
    private mutating func appendUnicodeEscape() throws(JSONParseError) {
        let escape = pos
        guard let unit = hex4(at: pos + 2) else {
            throw JSONParseError(offset: escape, reason: "invalid \\u escape: expected 4 hex digits after \\u")
        }
        pos += 6
        var scalar = unit
        switch unit {
        case 0xD800...0xDBFF:
            // A high surrogate is only meaningful followed by an escaped low surrogate.
            guard end - pos >= 6, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u"),
                  let low = hex4(at: pos + 2), (0xDC00...0xDFFF).contains(low)
            else { throw loneSurrogate(unit, at: escape) }
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            pos += 6
        case 0xDC00...0xDFFF:
            throw loneSurrogate(unit, at: escape)
        default:
            break
        }
        appendUTF8(scalar)
    }

    private func hex4(at offset: Int) -> UInt32? {
        guard end - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for i in offset..<offset + 4 {
            let byte = base[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x1_0000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: - Numbers

    /// Parses the number at `pos`, validating the RFC 8259 grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` while accumulating its digits.
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        let negative = base[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }

        // Significant digits (leading zeros skipped), as long as they fit: 19 decimal digits
        // always fit a UInt64.
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var fractionDigits = 0
        var isInteger = true

        guard pos < end, isDigit(base[pos]) else { throw unexpected("expected a digit after '-'") }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < end && isDigit(base[pos]) {
                throw JSONParseError(offset: pos - 1, reason: "leading zeros are not allowed in numbers")
            }
        } else {
            while pos < end && isDigit(base[pos]) {
                accumulate(base[pos], into: &mantissa, &significantDigits)
                pos += 1
            }
        }

        if pos < end && base[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < end, isDigit(base[pos]) else { throw unexpected("expected a digit after the decimal point") }
            while pos < end && isDigit(base[pos]) {
                accumulate(base[pos], into: &mantissa, &significantDigits)
                fractionDigits += 1
                pos += 1
            }
        }

        var exponent = 0
        if pos < end && (base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E")) {
            isInteger = false
            pos += 1
            var negativeExponent = false
            if pos < end && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) {
                negativeExponent = base[pos] == UInt8(ascii: "-")
                pos += 1
            }
            guard pos < end, isDigit(base[pos]) else { throw unexpected("expected a digit in the exponent") }
            while pos < end && isDigit(base[pos]) {
                // Clamped: anything this large is out of range (or zero) anyway.
                exponent = min(exponent * 10 + Int(base[pos] - UInt8(ascii: "0")), 1_000_000)
                pos += 1
            }
            if negativeExponent { exponent = -exponent }
        }

        if isInteger && significantDigits <= 19 {
            if !negative && mantissa <= UInt64(Int64.max) {
                return .integer(Int64(mantissa))
            }
            if negative && mantissa <= Int64.min.magnitude {
                return .integer(Int64(truncatingIfNeeded: 0 &- mantissa))
            }
        }

        let magnitude: Double
        let scale = exponent - fractionDigits
        if significantDigits <= 19 && (scale == 0 || mantissa == 0) {
            // One correctly rounded conversion (or exact zero).
            magnitude = Double(mantissa)
        } else if significantDigits <= 19 && mantissa <= 1 << 53 && (-22...22).contains(scale) {
            // Clinger's fast path: mantissa and 10^|scale| are both exact doubles, so one
            // multiplication or division rounds correctly.
            let power = Self.powersOf10[abs(scale)]
            magnitude = scale < 0 ? Double(mantissa) / power : Double(mantissa) * power
        } else {
            // Rare (long or extreme literals): the standard library's correctly rounded parser.
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
            magnitude = abs(Double(text) ?? .infinity)
        }
        guard magnitude.isFinite else { throw JSONParseError(offset: start, reason: "number out of range") }
        return .double(negative ? -magnitude : magnitude)
    }

    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    private func accumulate(_ byte: UInt8, into mantissa: inout UInt64, _ significantDigits: inout Int) {
        let digit = UInt64(byte &- UInt8(ascii: "0"))
        guard mantissa != 0 || digit != 0 else { return }  // a leading zero is not significant
        significantDigits += 1
        if significantDigits <= 19 { mantissa = mantissa &* 10 &+ digit }
    }

    // MARK: - UTF-8

    /// Length of the valid UTF-8 sequence whose lead byte (>= 0x80) is at `offset`, or 0 if it
    /// is invalid: a stray continuation byte, an overlong form, an encoded surrogate, a value
    /// above U+10FFFF, or a sequence cut short.
    @inline(__always)
    private func utf8SequenceLength(at offset: Int) -> Int {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch base[offset] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0  // below is overlong
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F  // above are surrogates
        case 0xF0: length = 4; low = 0x90  // below is overlong
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F  // above is beyond U+10FFFF
        default: return 0
        }
        guard end - offset >= length else { return 0 }
        let second = base[offset + 1]
        guard second >= low && second <= high else { return 0 }
        for i in 2..<length where base[offset + i] & 0xC0 != 0x80 { return 0 }
        return length
    }

    // MARK: - Errors

    /// "`expectation`, found X" for the byte at `pos`, or an invalid UTF-8 error if that is what
    /// is there: a garbled byte is reported as such rather than as an unexpected character.
    private func unexpected(_ expectation: String) -> JSONParseError {
        if pos < end && base[pos] >= 0x80 && utf8SequenceLength(at: pos) == 0 {
            return JSONParseError(offset: pos, reason: "invalid UTF-8")
        }
        return JSONParseError(offset: pos, reason: "\(expectation), found \(describe(at: pos))")
    }

    private func unterminatedString(_ quote: Int) -> JSONParseError {
        JSONParseError(offset: end, reason: "unterminated string (opened at byte \(quote))")
    }

    private func controlCharacterInString() -> JSONParseError {
        let byte = base[pos]
        let escape = switch byte {
        case 0x08: "\\b"
        case 0x09: "\\t"
        case 0x0A: "\\n"
        case 0x0C: "\\f"
        case 0x0D: "\\r"
        default: "\\u00" + hex(UInt32(byte), digits: 2)
        }
        return JSONParseError(
            offset: pos,
            reason: "unescaped control character U+00\(hex(UInt32(byte), digits: 2)) in string (write it as \(escape))"
        )
    }

    private func loneSurrogate(_ unit: UInt32, at offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, reason: "lone surrogate \\u\(hex(unit, digits: 4))")
    }

    /// The byte (or character) at `offset` as a client would recognise it.
    private func describe(at offset: Int) -> String {
        guard offset < end else { return "end of input" }
        let byte = base[offset]
        switch byte {
        case 0x20...0x7E:
            return "'\(Unicode.Scalar(byte))'"
        case ..<0x80:
            return "control character U+00\(hex(UInt32(byte), digits: 2))"
        default:
            let length = utf8SequenceLength(at: offset)
            guard length > 0 else { return "invalid UTF-8 byte 0x\(hex(UInt32(byte), digits: 2))" }
            let text = String(decoding: UnsafeBufferPointer(start: base + offset, count: length), as: UTF8.self)
            let scalar = text.unicodeScalars.first?.value ?? 0
            return "'\(text)' (U+\(hex(scalar, digits: 4)))"
        }
    }

    private func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private func quoted(_ key: String) -> String {
        var bytes: [UInt8] = []
        JSONString.escape(key, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Stack helper

extension Array {
    /// Removes the elements from `first` on and returns them as an array of exactly that size.
    ///
    /// They are moved, not copied, so reference-counted payloads are not retained and released
    /// once more each; the vacated slots are refilled with `filler` (which should need no
    /// release) before they are removed.
    fileprivate mutating func removeSuffix(from first: Int, leaving filler: Element) -> [Element] {
        let count = self.count - first
        let suffix = [Element](unsafeUninitializedCapacity: count) { target, initialized in
            withUnsafeMutableBufferPointer { stack in
                guard let source = stack.baseAddress.map({ $0 + first }), let target = target.baseAddress else { return }
                target.moveInitialize(from: source, count: count)
                source.initialize(repeating: filler, count: count)
            }
            initialized = count
        }
        // One at a time: `removeLast(_:)` goes through the general (and slower) replaceSubrange.
        for _ in 0..<count { removeLast() }
        return suffix
    }
}
