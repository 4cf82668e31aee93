import AdvocateCore
import NPS
import SQLKit

extension AdvocateStore {
    /// A survey's report for local days `from`…`to` (each end optional): the overall daily series
    /// folded into trend buckets, and a breakdown by `by` (a property, or `channel` / `locale`).
    /// The one way every caller (API, CLI, benchmark) builds a report.
    /// With `segment` (a property, or `channel` / `locale`, and one of its values) the report is of
    /// that segment alone; the rollup keeps one dimension per row, so it then has no breakdown.
    public func report(survey: Survey, from: CalendarDay?, to: CalendarDay?, interval: TrendInterval, by: String?,
                       segment: (dimension: String, value: String)? = nil,
                       method: IntervalMethod = .adjustedWald) async throws -> SurveyReport {
        var overall: [DailyScoreCounts]
        if let segment {
            overall = try await dailyCounts(surveyID: survey.id, dimension: ReportDimension.stored(forRequested: segment.dimension),
                                            segment: segment.value, from: from, to: to)
            for i in overall.indices { overall[i].segment = nil }
        } else {
            overall = try await dailyCounts(surveyID: survey.id, dimension: ReportDimension.overall, from: from, to: to)
        }
        var segments: [DailyScoreCounts]?
        if let by, segment == nil {
            segments = try await segmentTotals(surveyID: survey.id, dimension: ReportDimension.stored(forRequested: by), from: from, to: to)
        }
        let range: ClosedRange<CalendarDay>? = if let from, let to, from <= to { from...to } else { nil }
        return ReportBuilder.build(overall: overall, segments: segments, interval: interval, range: range, method: method)
    }

    /// Daily score counts of a survey for one dimension (the whole survey when `dimension` is
    /// `ReportDimension.overall`), between two local days inclusive.
    ///
    /// Reads the rollup only: the cost is days × segments, whatever the number of responses.
    public func dailyCounts(surveyID: Int64, dimension: String, segment: String? = nil, from: CalendarDay?, to: CalendarDay?) async throws -> [DailyScoreCounts] {
        let one: SQLQueryString = segment.map { " AND segment = \(bind: $0)" } ?? ""
        let query: SQLQueryString = """
            SELECT segment, day, \(unsafeRaw: Self.packedCounts(summed: false)) AS counts FROM nps_rollups
            WHERE survey_id = \(bind: surveyID) AND dimension = \(bind: dimension)\(one)\(Self.dayRange(from, to))
            """
        let overall = dimension == ReportDimension.overall
        return try await database.read { sql in
            try await sql.raw(query).all().map { row in
                DailyScoreCounts(day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                                 segment: overall ? nil : try row.decode(column: "segment", as: String.self),
                                 counts: try Self.unpackCounts(row))
            }
        }
    }

    /// Each segment's counts summed over the days between `from` and `to`, one row per segment,
    /// dated at the segment's first day in the range.
    ///
    /// A breakdown needs only these totals; summing in the database returns one row per segment
    /// instead of one per segment and day (8 instead of 5,840 for 8 countries over two years).
    public func segmentTotals(surveyID: Int64, dimension: String, from: CalendarDay?, to: CalendarDay?) async throws -> [DailyScoreCounts] {
        let query: SQLQueryString = """
            SELECT segment, MIN(day) AS day, \(unsafeRaw: Self.packedCounts(summed: true)) AS counts FROM nps_rollups
            WHERE survey_id = \(bind: surveyID) AND dimension = \(bind: dimension)\(Self.dayRange(from, to))
            GROUP BY segment
            """
        return try await database.read { sql in
            try await sql.raw(query).all().map { row in
                DailyScoreCounts(day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                                 segment: try row.decode(column: "segment", as: String.self),
                                 counts: try Self.unpackCounts(row))
            }
        }
    }

    /// The dimensions a survey's answers can be broken down by (properties seen, `channel`, `locale`).
    public func reportDimensions(surveyID: Int64) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT DISTINCT dimension FROM nps_rollups WHERE survey_id = \(bind: surveyID) AND dimension <> ''").all()
                .map { row in
                    let d = try row.decode(column: "dimension", as: String.self)
                    return d.hasPrefix("@") ? String(d.dropFirst()) : d
                }.sorted()
        }
    }

    private static func dayRange(_ from: CalendarDay?, _ to: CalendarDay?) -> SQLQueryString {
        var q: SQLQueryString = ""
        if let from { q += " AND day >= \(bind: from.daysSinceEpoch)" }
        if let to { q += " AND day <= \(bind: to.daysSinceEpoch)" }
        return q
    }

    /// The eleven counts as one text column, "s0,s1,…,s10". Decoding one column instead of
    /// eleven made the report over two years of daily rows several times faster: SQLKit's
    /// per-column decode, not the database, was the cost. Fixed SQL, no input: safe as raw.
    private static func packedCounts(summed: Bool) -> String {
        (0...10).map { summed ? "CAST(CAST(SUM(s\($0)) AS BIGINT) AS TEXT)" : "CAST(s\($0) AS TEXT)" }
            .joined(separator: " || ',' || ")
    }

    private static func unpackCounts(_ row: any SQLRow) throws -> ScoreCounts {
        let text = try row.decode(column: "counts", as: String.self)
        var counts = [Int64](repeating: 0, count: 11)
        var index = 0
        var value: Int64 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ",") {
                guard index < 10 else { break }
                counts[index] = value
                index += 1
                value = 0
            } else {
                guard byte >= 48 && byte <= 57 else { throw StoreError.corrupt("rollup counts are not numbers: \(text)") }
                value = value &* 10 &+ Int64(byte - 48)
            }
        }
        guard index == 10 else { throw StoreError.corrupt("rollup counts are not eleven numbers: \(text)") }
        counts[10] = value
        return ScoreCounts(counts)
    }
}
