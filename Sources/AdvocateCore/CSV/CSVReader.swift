import Foundation

/// A strict RFC 4180 reader: comma-separated, double-quoted fields, CRLF or LF line ends.
///
/// Fields may hold commas, quotes (doubled) and line breaks inside quotes. Invalid UTF-8 and a
/// quote left open at the end of the input are errors with a line number, never a guess.
public struct CSVReader {
    private let bytes: [UInt8]
    private var position = 0
    /// 1-based line number where the next record starts.
    public private(set) var line = 1

    /// A problem in the CSV text itself.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public init(_ bytes: [UInt8]) {
        var b = bytes
        // A UTF-8 byte order mark (Excel writes one) is not part of the first header.
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
        self.bytes = b
    }

    /// The next record, or nil at the end of the input.
    public mutating func next() throws(ParseError) -> [String]? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        while position < bytes.count {
            let c = bytes[position]
            position += 1
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                        field.append(c)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case UInt8(ascii: ","):
                fields.append(try string(field, line: startLine))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case UInt8(ascii: "\""):
                guard field.isEmpty, !wasQuoted else {
                    throw ParseError(line: line, reason: "a quote inside an unquoted field (quote the whole field and double inner quotes)")
                }
                quoted = true
                wasQuoted = true
            case UInt8(ascii: "\r") where position < bytes.count && bytes[position] == UInt8(ascii: "\n"):
                continue
            case UInt8(ascii: "\n"):
                line += 1
                fields.append(try string(field, line: startLine))
                return fields
            default:
                if wasQuoted { throw ParseError(line: line, reason: "text after a closing quote") }
                field.append(c)
            }
        }
        if quoted { throw ParseError(line: startLine, reason: "a quoted field is not closed before the end of the file") }
        fields.append(try string(field, line: startLine))
        return fields
    }

    private func string(_ bytes: [UInt8], line: Int) throws(ParseError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ParseError(line: line, reason: "the text is not valid UTF-8 (save the file as UTF-8)")
        }
        return s
    }
}

/// Writes RFC 4180 CSV, quoting only where needed.
public enum CSVWriter {
    /// One record, with a CRLF line end.
    public static func record(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    static func escape(_ field: String) -> String {
        var needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        // A leading =, +, - or @ makes spreadsheets run the cell as a formula (CSV injection):
        // quoting does not stop that, a leading apostrophe does.
        var value = field
        if let first = field.unicodeScalars.first, "=+-@".unicodeScalars.contains(first), !isPlainNegativeNumber(field) {
            value = "'" + field
            needsQuotes = true
        }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `-5` or `-12.5`: a value spreadsheets read as a number, never as a formula. (A check with
    /// `Int(field)` let `+1` through unprefixed, and spreadsheets evaluate a leading `+` as a
    /// formula; it also prefixed negative decimals, which turned them into text.)
    static func isPlainNegativeNumber(_ field: String) -> Bool {
        let bytes = Array(field.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "-") else { return false }
        let parts = bytes.dropFirst().split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }
}
