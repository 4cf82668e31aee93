// MARK: - Replies

/// A server reply: a three-digit code and one or more lines of text (RFC 5321 section 4.2).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, 200…599.
    public let code: Int
    /// The text of each line, without the code and separator.
    public let lines: [String]

    /// A reply of `code` with `lines` of text.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The lines joined by spaces, for errors and outcomes.
    public var text: String { lines.joined(separator: " ") }

    /// 2yz.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 4yz: try again later.
    public var isTransientNegative: Bool { (400..<500).contains(code) }
    /// 5yz: do not try again as is.
    public var isPermanentNegative: Bool { (500..<600).contains(code) }

    /// `250 text`, as the server sent it (first line).
    public var description: String { "\(code) \(text)" }
}
