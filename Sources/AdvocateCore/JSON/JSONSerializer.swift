// MARK: - Serialization

extension JSONValue {
    /// Compact JSON text for this value (no insignificant whitespace).
    ///
    /// Output is deterministic: object keys are sorted, so equal values always serialize to the
    /// same text (stored properties can be compared and hashed as text).
    /// Non-finite doubles, which the parser never produces, are written as `null`.
    public func serialized() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends exactly what `serialized()` returns, as UTF-8, to `bytes`; responses are built
    /// in one buffer this way without an intermediate `String` per value.
    public func write(into bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let value):
            bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case .integer(let value):
            JSONNumber.write(value, into: &bytes)
        case .double(let value):
            JSONNumber.write(value, into: &bytes)
        case .string(let value):
            JSONString.escape(value, into: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for index in elements.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                elements[index].write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            Self.writeSorted(members, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes `key:value` pairs in key order. The pairs are sorted in a temporary (usually
    /// stack) buffer rather than an array, so small objects need no heap allocation; sorting
    /// only the keys would cost a second hash lookup per value.
    private static func writeSorted(_ members: [String: JSONValue], into bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: KeyValue.self, capacity: members.count) { buffer in
            var pairs = buffer  // a copy of the pointer, as `sort` is declared mutating
            _ = pairs.initialize(from: members.lazy.map(KeyValue.init))
            defer { _ = pairs.deinitialize() }
            pairs.sort { $0.key < $1.key }
            for index in pairs.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONString.escape(pairs[index].key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                pairs[index].value.write(into: &bytes)
            }
        }
    }
}

/// A key and value being written (a struct rather than a tuple, whose copies and destruction
/// would go through the runtime's generic tuple code).
private struct KeyValue {
    var key: String
    var value: JSONValue
}

// MARK: - Strings

/// Writes JSON string literals; public so that hand-built responses escape exactly as
/// `JSONValue` does.
public enum JSONString {
    /// Appends `s` to `bytes` as a quoted JSON string (RFC 8259).
    ///
    /// Escapes `"`, `\` and control characters (`\b \f \n \r \t`, others as `\u00XX`), and also
    /// U+2028/U+2029, which are valid JSON but end a line in JavaScript source. Everything else,
    /// including non-ASCII text, is copied as UTF-8.
    public static func escape(_ s: String, into bytes: inout [UInt8]) {
        var s = s  // `withUTF8` is mutating: it may first make a bridged string native.
        s.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            // Bytes that need no escape are copied in runs rather than one at a time.
            var runStart = 0
            var i = 0
            while true {
                i = nextSpecialByte(in: utf8, from: i)
                guard i < utf8.count else { break }
                let byte = utf8[i]
                let escape: StaticString
                var hexFollows = false  // "\u00" is completed by the byte's two hex digits
                var length = 1
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case 0x08: escape = "\\b"
                case 0x09: escape = "\\t"
                case 0x0A: escape = "\\n"
                case 0x0C: escape = "\\f"
                case 0x0D: escape = "\\r"
                case ..<0x20: escape = "\\u00"; hexFollows = true
                case 0xE2 where utf8.count - i >= 3 && utf8[i + 1] == 0x80 && utf8[i + 2] & 0xFE == 0xA8:
                    // 0xE2 0x80 0xA8/0xA9: U+2028 LINE SEPARATOR / U+2029 PARAGRAPH SEPARATOR.
                    escape = utf8[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    length = 3
                default:  // another character whose UTF-8 starts with 0xE2
                    i += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                bytes.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                if hexFollows {
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0xF)])
                }
                i += length
                runStart = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Offset of the first byte from `start` on that may need escaping: a quote, a backslash,
    /// a control character, or 0xE2 (which starts U+2028 and U+2029); `utf8.count` if none.
    ///
    /// Checks eight bytes at a time with bit tricks on a 64-bit word; each term below sets the
    /// high bit of the lowest matching byte (and perhaps of bytes above it, which are ignored).
    @inline(__always)
    private static func nextSpecialByte(in utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var i = start
        if let base = utf8.baseAddress {
            while utf8.count - i >= 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let e2 = word ^ (ones &* 0xE2)
                let special = ((word &- ones &* 0x20) & ~word)
                    | ((quote &- ones) & ~quote)
                    | ((backslash &- ones) & ~backslash)
                    | ((e2 &- ones) & ~e2)
                let flagged = special & (ones &* 0x80)
                if flagged != 0 { return i + flagged.trailingZeroBitCount >> 3 }
                i += 8
            }
        }
        while i < utf8.count {
            let byte = utf8[i]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0xE2 { return i }
            i += 1
        }
        return i
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

// MARK: - Numbers

/// Writes JSON numbers.
enum JSONNumber {
    /// Appends the decimal digits of `value` without creating a `String` (integers are the most
    /// common values in Advocate's responses).
    static func write(_ value: Int64, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude  // a UInt64, so Int64.min (which has no positive) works
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude != 0
        // Written least significant digit first, then reversed in place.
        var low = start
        var high = bytes.count - 1
        while low < high {
            bytes.swapAt(low, high)
            low += 1
            high -= 1
        }
    }

    /// Appends the shortest text that reads back as exactly `value` (Swift's `description`),
    /// which always has a '.' or an exponent, so it parses back as `.double`.
    static func write(_ value: Double, into bytes: inout [UInt8]) {
        // JSON has no NaN or infinity; `null` is what JavaScript's JSON.stringify writes too.
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }
}
