import AdvocateCore
import SQLKit

extension AdvocateStore {
    /// Daily score counts of a survey for one dimension (the whole survey when `dimension` is
    /// `ReportDimension.overall`), between two local days inclusive.
    ///
    /// Reads the rollup only: the cost is days × segments, whatever the number of responses.
    public func dailyCounts(surveyID: Int64, dimension: String, from: CalendarDay?, to: CalendarDay?) async throws -> [DailyScoreCounts] {
        var q: SQLQueryString = """
            SELECT segment, day, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10 FROM nps_rollups
            WHERE survey_id = \(bind: surveyID) AND dimension = \(bind: dimension)
            """
        if let from { q += " AND day >= \(bind: from.daysSinceEpoch)" }
        if let to { q += " AND day <= \(bind: to.daysSinceEpoch)" }
        let query = q
        let overall = dimension == ReportDimension.overall
        return try await database.read { sql in
            var result: [DailyScoreCounts] = []
            let rows = try await sql.raw(query).all()
            result.reserveCapacity(rows.count)
            for row in rows {
                var counts = [Int64](repeating: 0, count: 11)
                for i in 0..<11 { counts[i] = try row.decode(column: Self.scoreColumns[i], as: Int64.self) }
                result.append(DailyScoreCounts(day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                                               segment: overall ? nil : try row.decode(column: "segment", as: String.self),
                                               counts: ScoreCounts(counts)))
            }
            return result
        }
    }

    private static let scoreColumns = (0...10).map { "s\($0)" }
}
