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
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            // Sorting (key, value) pairs avoids a second hash lookup per key.
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONString.escape(member.key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                member.value.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
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
            bytes.reserveCapacity(bytes.count + utf8.count + 2)
            bytes.append(UInt8(ascii: "\""))
            // Unescaped bytes are copied in runs rather than one at a time.
            var runStart = 0
            var i = 0
            while i < utf8.count {
                let byte = utf8[i]
                let escape: StaticString
                var hexFollows = false  // "\u00" is completed by the byte's two hex digits
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case 0x08: escape = "\\b"
                case 0x09: escape = "\\t"
                case 0x0A: escape = "\\n"
                case 0x0C: escape = "\\f"
                case 0x0D: escape = "\\r"
                case ..<0x20: escape = "\\u00"; hexFollows = true
                case 0xE2 where i + 2 < utf8.count && utf8[i + 1] == 0x80 && utf8[i + 2] & 0xFE == 0xA8:
                    escape = utf8[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                default:
                    i += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                bytes.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                if hexFollows {
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0xF)])
                }
                i += byte == 0xE2 ? 3 : 1
                runStart = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

// MARK: - Numbers

enum JSONNumber {
    /// Appends the decimal digits of `value` without going through `String`.
    static func write(_ value: Int64, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude  // `magnitude` handles Int64.min, which has no positive
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude != 0
        bytes[start...].reverse()
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
