// MARK: - Quoted-printable (RFC 2045 section 6.7)

/// Quoted-printable content transfer encoding of text bodies.
///
/// Line breaks of any kind (`\n`, `\r\n`, a lone `\r`) become hard breaks (CRLF); every other
/// byte outside printable ASCII, every `=`, and a space or tab that would end a line is written
/// as `=XX`. Lines are soft-wrapped (`=` CRLF) so that no encoded line exceeds 76 characters and
/// no escape is split.
public enum QuotedPrintable {
    /// The longest encoded line, without its CRLF (RFC 2045 rule 5).
    public static let maximumLineLength = 76

    /// Encodes text (as UTF-8) with CRLF line ends.
    public static func encode(_ text: String) -> [UInt8] {
        encode(bytes: Array(text.utf8))
    }

    /// Encodes bytes treated as text: CR, LF and CRLF are line breaks.
    public static func encode(bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8 + 16)
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == .cr || byte == .lf {
                encodeLine(bytes[lineStart..<index], into: &output)
                output.append(contentsOf: [.cr, .lf])
                // CRLF is one break, not two.
                index += (byte == .cr && index + 1 < bytes.count && bytes[index + 1] == .lf) ? 2 : 1
                lineStart = index
            } else {
                index += 1
            }
        }
        encodeLine(bytes[lineStart..<bytes.count], into: &output)
        return output
    }

    /// Encodes one line without its break, inserting soft breaks as needed.
    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var column = 0
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            let isLast = index == line.index(before: line.endIndex)
            // Trailing whitespace would be stripped by some transports (RFC 2045 rule 3).
            let literal = (byte >= 0x21 && byte <= 0x7E && byte != .equals) || ((byte == .space || byte == .tab) && !isLast)
            let width = literal ? 1 : 3
            // A line that continues needs one column for its soft-break "=".
            let limit = isLast ? maximumLineLength : maximumLineLength - 1
            if column + width > limit {
                output.append(contentsOf: [.equals, .cr, .lf])
                column = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(.equals)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
            column += width
            index = line.index(after: index)
        }
    }

    /// Upper-case hex digits, as RFC 2045 requires for `=XX`.
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
