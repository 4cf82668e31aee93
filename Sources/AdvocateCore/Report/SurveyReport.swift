import NPS

/// Width of a trend bucket.
public enum TrendInterval: String, Sendable, Hashable, CaseIterable {
    case day, week, month

    /// The first day of the bucket that contains `day` (weeks start on Monday, ISO 8601).
    public func bucketStart(_ day: CalendarDay) -> CalendarDay {
        switch self {
        case .day: return day
        case .week: return day.weekStart
        case .month: return day.monthStart
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    public func nextBucket(after start: CalendarDay) -> CalendarDay {
        switch self {
        case .day: return start.advanced(by: 1)
        case .week: return start.advanced(by: 7)
        case .month: return start.advanced(by: 31).monthStart
        }
    }
}

/// An NPS with everything that must be shown beside it: n, interval, band, small-sample mark.
public struct NPSSummary: Sendable, Hashable {
    public var tally: Tally
    /// Unrounded NPS in points; nil without answers.
    public var nps: Double? { tally.nps }
    /// 95% interval by the configured method; nil without answers.
    public var interval: Interval?
    /// Commonly cited band of the NPS.
    public var band: Band? { nps.map(Band.init(nps:)) }
    /// Fewer than 30 answers: shown, but marked.
    public var isSmallSample: Bool { tally.isSmallSample }

    public init(tally: Tally, method: IntervalMethod = .adjustedWald, level: Double = 0.95) {
        self.tally = tally
        self.interval = tally.interval(method: method, level: level)
    }
}

/// One bucket of a trend.
public struct TrendPoint: Sendable, Hashable {
    /// First local day of the bucket.
    public var start: CalendarDay
    public var summary: NPSSummary
    /// Test against the previous bucket that had answers; nil for the first or when untestable.
    public var comparison: Comparison?
    /// Whether the change from that bucket is significant at p < 0.05.
    public var changeSignificant: Bool? { comparison.map { $0.isSignificant(alpha: 0.05) } }
}

/// One value of a breakdown.
public struct SegmentRow: Sendable, Hashable {
    /// The property value.
    public var value: String
    public var summary: NPSSummary
}

/// A survey's NPS over a period: overall, distribution, trend and optional breakdown.
public struct SurveyReport: Sendable, Hashable {
    public var summary: NPSSummary
    /// Answers per score 0…10.
    public var distribution: ScoreCounts
    public var trend: [TrendPoint]
    /// Per value of the `by` property, largest segments first (never ranked by raw NPS).
    public var breakdown: [SegmentRow]?
    /// Whether the breakdown's rows are groups in their own order (quartiles, tenure) rather
    /// than single values one can drill into.
    public var breakdownGrouped = false
}

/// Builds reports from daily score counts. Pure: the store supplies the counts.
public enum ReportBuilder {
    /// Most trend buckets in one report: ten years of days.
    public static let maxTrendBuckets = 3_660

    /// Builds a report.
    /// - Parameters:
    ///   - overall: daily counts for the survey as a whole within the period.
    ///   - segments: daily counts per value of the breakdown property, when one was asked for.
    ///   - range: the requested first and last day; when nil the range of the data is used.
    ///   - breakdownOrder: the order of the breakdown's groups when they have one (else largest first).
    public static func build(overall: [DailyScoreCounts], segments: [DailyScoreCounts]?,
                             interval: TrendInterval, range: ClosedRange<CalendarDay>?,
                             breakdownOrder: [String]? = nil,
                             method: IntervalMethod = .adjustedWald) -> SurveyReport {
        var distribution = ScoreCounts()
        var byBucket: [CalendarDay: ScoreCounts] = [:]
        for row in overall {
            distribution.merge(row.counts)
            byBucket[interval.bucketStart(row.day), default: ScoreCounts()].merge(row.counts)
        }
        let summary = NPSSummary(tally: distribution.tally, method: method)

        var trend: [TrendPoint] = []
        let firstDay = range?.lowerBound ?? overall.map(\.day).min()
        let lastDay = range?.upperBound ?? overall.map(\.day).max()
        if let firstDay, let lastDay, firstDay <= lastDay {
            var start = interval.bucketStart(firstDay)
            var previous: Tally?
            while start <= lastDay, trend.count < maxTrendBuckets {
                let tally = (byBucket[start] ?? ScoreCounts()).tally
                var point = TrendPoint(start: start, summary: NPSSummary(tally: tally, method: method), comparison: nil)
                if tally.n > 0 {
                    if let previous { point.comparison = Tally.compare(tally, previous, method: method) }
                    previous = tally
                }
                trend.append(point)
                start = interval.nextBucket(after: start)
            }
        }

        var breakdown: [SegmentRow]?
        if let segments {
            var bySegment: [String: ScoreCounts] = [:]
            for row in segments { bySegment[row.segment ?? "", default: ScoreCounts()].merge(row.counts) }
            breakdown = bySegment
                .filter { !$0.value.isZero }
                .map { SegmentRow(value: $0.key, summary: NPSSummary(tally: $0.value.tally, method: method)) }
                .sorted { ($0.summary.tally.n, $1.value) > ($1.summary.tally.n, $0.value) }
            if let breakdownOrder {
                // Ordered groups (quartiles, tenure) read best in their own order.
                let rank = Dictionary(breakdownOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                breakdown = breakdown?.sorted { (rank[$0.value] ?? Int.max) < (rank[$1.value] ?? Int.max) }
            }
        }
        return SurveyReport(summary: summary, distribution: distribution, trend: trend, breakdown: breakdown,
                            breakdownGrouped: breakdownOrder != nil)
    }
}
