// MARK: - Score

/// One answer to "How likely is it that you would recommend …?" on the 0–10 scale.
///
/// A `Score` can only hold 0…10, so every later stage can trust it without re-checking, and
/// answers from 1–10 or 5-point instruments cannot be pooled in by accident.
public struct Score: Sendable, Hashable, Comparable, Codable, CaseIterable {
    /// The only scale this module accepts. Its 0 anchor is deliberate, because it signals that
    /// 1 is not the best score.
    public static let range: ClosedRange<Int> = 0...10

    /// All eleven scores, lowest first, so that distributions can be walked without
    /// unwrapping `Score(_:)` eleven times.
    public static let allCases: [Score] = range.map { Score(unchecked: $0) }

    /// The answer, always within `Score.range`.
    public let value: Int

    /// Returns nil outside 0…10, so that invalid input is rejected at the point it enters.
    public init?(_ value: Int) {
        guard Self.range.contains(value) else { return nil }
        self.value = value
    }

    private init(unchecked value: Int) {
        self.value = value
    }

    /// Derived rather than stored, so that it can never disagree with the score.
    public var category: Category { Category(score: self) }

    /// Orders by value, so that sorted distributions read from 0 to 10.
    public static func < (lhs: Score, rhs: Score) -> Bool { lhs.value < rhs.value }

    // MARK: - Codable

    /// Decodes a bare integer and rejects values outside 0…10, so that decoding cannot get
    /// around the failable initialiser.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Int.self)
        guard let score = Score(value) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "An NPS score must be 0…10, got \(value).")
        }
        self = score
    }

    /// Encodes as a bare integer, so that JSON and stored rows read `7` and not `{"value": 7}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
