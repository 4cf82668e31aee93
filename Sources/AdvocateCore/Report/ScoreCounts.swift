import NPS

/// How many answers each score 0…10 received: the unit every report is built from.
///
/// Keeping all eleven counts (not just the three categories) lets one rollup serve the NPS,
/// the 0–10 distribution and any future re-banding without rescanning responses.
public struct ScoreCounts: Sendable, Hashable {
    /// Counts for scores 0…10.
    public private(set) var counts: [Int64]

    /// All zero.
    public init() { counts = Array(repeating: 0, count: 11) }

    /// From eleven counts; extra or missing entries are a programming error.
    public init(_ counts: [Int64]) {
        precondition(counts.count == 11, "ScoreCounts needs 11 counts")
        self.counts = counts
    }

    /// Adds `count` answers of `score` (negative to remove).
    public mutating func add(_ score: Score, count: Int64 = 1) { counts[score.value] += count }

    /// Adds another set of counts.
    public mutating func merge(_ other: ScoreCounts) {
        for i in 0..<11 { counts[i] += other.counts[i] }
    }

    /// Total answers.
    public var total: Int64 { counts.reduce(0, +) }

    /// Whether every count is zero.
    public var isZero: Bool { counts.allSatisfy { $0 == 0 } }

    /// Promoters, passives and detractors.
    public var tally: Tally { Tally(scoreCounts: counts.map { Int($0) }) }
}

/// Score counts of one local day, optionally for one segment value.
public struct DailyScoreCounts: Sendable, Hashable {
    public var day: CalendarDay
    /// The segment value (nil for the survey as a whole).
    public var segment: String?
    public var counts: ScoreCounts

    public init(day: CalendarDay, segment: String? = nil, counts: ScoreCounts) {
        self.day = day
        self.segment = segment
        self.counts = counts
    }
}
