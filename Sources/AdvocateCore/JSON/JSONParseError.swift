// MARK: - JSONParseError

/// Why a request body is not valid JSON, and where.
///
/// Both parts are meant for the client: `reason` names what was expected and what was found,
/// and `offset` lets them find the spot in what they sent.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset in the input where the problem was found (0-based, counted in UTF-8 bytes).
    public let offset: Int
    /// What is wrong, e.g. "expected ',' or '}' after an object member, found ']'".
    public let reason: String

    /// An error at `offset` with the given `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// The message for a 4xx response: "invalid JSON at byte 17: expected ...".
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
