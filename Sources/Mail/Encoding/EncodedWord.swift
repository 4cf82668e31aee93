import Foundation

// MARK: - RFC 2047 encoded-words

/// RFC 2047 encoded-words (`=?UTF-8?B?…?=` or `=?UTF-8?Q?…?=`) for non-ASCII header text.
///
/// Each word holds whole Unicode scalars (RFC 2047 section 5: an encoded-word must represent an
/// integral number of characters) and is at most 75 characters long (section 2). Whichever of
/// B and Q is shorter for the whole text is used for every word.
enum EncodedWord {
    /// RFC 2047 section 2: "An 'encoded-word' may not be more than 75 characters long".
    static let maximumLength = 75

    /// `=?UTF-8?X?` plus `?=`.
    private static let overhead = 12

    /// The encodings of RFC 2047 section 4.
    enum Encoding: Sendable { case base64, quoted }

    /// Splits `text` into encoded-words: the first at most `firstLimit` characters long, the
    /// others at most `limit` (both capped at 75). Adjacent encoded-words separated only by
    /// folding white space decode to the concatenated text (section 6.2), so spaces of the text
    /// are kept inside the words.
    static func encode(_ text: String, firstLimit: Int, limit: Int = maximumLength) -> [String] {
        let scalars = Array(text.unicodeScalars)
        let encoding = preferredEncoding(for: text)
        let marker = encoding == .base64 ? "B" : "Q"
        var words: [String] = []
        var pendingBytes: [UInt8] = []
        var budget = payloadBudget(for: min(firstLimit, maximumLength))

        func flush() {
            guard !pendingBytes.isEmpty else { return }
            words.append("=?UTF-8?\(marker)?\(payload(of: pendingBytes, encoding))?=")
            pendingBytes.removeAll(keepingCapacity: true)
            budget = payloadBudget(for: min(limit, maximumLength))
        }

        for scalar in scalars {
            let bytes = Array(String(scalar).utf8)
            if payloadLength(of: pendingBytes + bytes, encoding) > budget {
                flush()
            }
            pendingBytes += bytes
        }
        flush()
        return words
    }

    /// Q when the text is mostly ASCII, B otherwise: the shorter of the two.
    static func preferredEncoding(for text: String) -> Encoding {
        let bytes = Array(text.utf8)
        return payloadLength(of: bytes, .quoted) <= payloadLength(of: bytes, .base64) ? .quoted : .base64
    }

    /// How many payload characters a word of `length` characters can hold. A 4-byte scalar
    /// needs 12 in Q and 8 in B; callers never ask for less than 30.
    private static func payloadBudget(for length: Int) -> Int {
        max(length, 30) - overhead
    }

    private static func payloadLength(of bytes: [UInt8], _ encoding: Encoding) -> Int {
        switch encoding {
        case .base64: return (bytes.count + 2) / 3 * 4
        case .quoted: return bytes.reduce(0) { $0 + (isQLiteral($1) || $1 == .space ? 1 : 3) }
        }
    }

    private static func payload(of bytes: [UInt8], _ encoding: Encoding) -> String {
        switch encoding {
        case .base64:
            return Data(bytes).base64EncodedString()
        case .quoted:
            var output: [UInt8] = []
            for byte in bytes {
                if isQLiteral(byte) {
                    output.append(byte)
                } else if byte == .space {
                    output.append(UInt8(ascii: "_"))  // section 4.2 (2)
                } else {
                    output.append(.equals)
                    output.append(QuotedPrintable.hexDigits[Int(byte >> 4)])
                    output.append(QuotedPrintable.hexDigits[Int(byte & 0x0F)])
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// The characters RFC 2047 section 5 (3) allows literally in a `phrase`, the strictest
    /// context; using them everywhere keeps one encoder correct for Subject and display names.
    private static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}
