import AdvocateCore
import NPS
import SQLKit

extension AdvocateStore {
    /// The survey's answers as columns, up to date: the rows changed since the last look (by
    /// `updated_at`, index `responses_survey_updated`) are read into them. Nil when, even after
    /// reading them all again, their counts for the days `from`…`to` differ from the rollup's (a
    /// write between the two reads; a deletion or a change of time zone moves no `updated_at`,
    /// and this is how those are noticed).
    func answerColumns(surveyID: Int64, from: CalendarDay?, to: CalendarDay?) async throws -> AnswerColumns? {
        try await answerColumnsEntry(surveyID: surveyID, from: from, to: to)?.columns
    }

    private func answerColumnsEntry(surveyID: Int64, from: CalendarDay?, to: CalendarDay?) async throws -> HeldColumns? {
        let cache = database.answerColumns
        for attempt in 0..<2 {
            var entry = attempt == 0 ? cache.entry(surveyID) ?? HeldColumns() : HeldColumns()
            try await readChanges(surveyID: surveyID, into: &entry)
            let rollup = try await dailyCounts(surveyID: surveyID, dimension: ReportDimension.overall, from: from, to: to)
            let held = entry.columns.dailyTotals(from: from?.daysSinceEpoch, to: to?.daysSinceEpoch)
            let agrees = held.count == rollup.filter { !$0.counts.isZero }.count
                && rollup.allSatisfy { $0.counts.isZero || held[$0.day.daysSinceEpoch] == $0.counts }
            if agrees {
                cache.keep(entry, for: surveyID)
                return entry
            }
            cache.forget(surveyID)
        }
        return nil
    }

    /// The answer columns with their commenters' themes checked too: the columns' commenters per
    /// day and theme in `from`…`to` must equal `driver_rollups`. A theme decided by hand or
    /// re-tagged moves no `updated_at`, so the days that differ have their themes read again;
    /// nil when they still differ (a write between the reads).
    func commenterColumns(surveyID: Int64, from: CalendarDay?, to: CalendarDay?) async throws -> AnswerColumns? {
        guard var entry = try await answerColumnsEntry(surveyID: surveyID, from: from, to: to) else { return nil }
        let (low, high) = (from?.daysSinceEpoch, to?.daysSinceEpoch)
        let rollup = try await driverRollupByDay(surveyID: surveyID, from: from, to: to)
        let differing = Self.differingDays(entry.columns.commenterTallies(from: low, to: high), rollup)
        guard !differing.isEmpty else { return entry.columns }
        try await readThemes(surveyID: surveyID, days: differing.sorted(), into: &entry.columns)
        guard Self.differingDays(entry.columns.commenterTallies(from: low, to: high), rollup).isEmpty else { return nil }
        database.answerColumns.keep(entry, for: surveyID)
        return entry.columns
    }

    /// Brings into memory the columns that a filtered report of each survey holding at least
    /// `minimumAnswers` answers reads (its answers with their themes, the invitations of the
    /// last `invitationDays` UTC days, its workspace's contacts), largest survey first, and
    /// returns those surveys. Run in the background when the server starts, so the first such
    /// report after a start does not wait for them (about 8 s at a million answers); stops
    /// between pages when cancelled. A report reads only the invitations of the days it shows,
    /// so older ones are left until asked for (all of them: 31 s and 395 MB at 1M).
    public func warmReportColumns(minimumAnswers: Int64, invitationDays: Int64 = 180) async throws -> [Int64] {
        var total: SQLQueryString = "0"
        for score in 0...10 { total += " + s\(unsafeRaw: String(score))" }
        let query: SQLQueryString = """
            SELECT survey_id, SUM(\(total)) AS answers FROM nps_rollups WHERE dimension = \(bind: ReportDimension.overall)
            GROUP BY survey_id HAVING SUM(\(total)) >= \(bind: minimumAnswers) ORDER BY answers DESC, survey_id
            """
        let surveys = try await database.read { sql in
            try await sql.raw(query).all().map { try $0.decode(column: "survey_id", as: Int64.self) }
        }
        for surveyID in surveys {
            try Task.checkCancellation()
            _ = try await commenterColumns(surveyID: surveyID, from: nil, to: nil)
            let today = clock.now().milliseconds / Timestamp.millisecondsPerDay
            let since = Timestamp(milliseconds: (today - invitationDays) * Timestamp.millisecondsPerDay)
            _ = try await funnelFromColumns(surveyID: surveyID, from: since, to: nil, filter: ReportFilter())
            _ = try await contactColumns(surveyID: surveyID)
        }
        return surveys
    }

    private static func differingDays(_ a: [DayTheme: Tally], _ b: [DayTheme: Tally]) -> Set<Int> {
        var days = Set<Int>()
        for (key, tally) in a where b[key] != tally { days.insert(key.day) }
        for (key, tally) in b where a[key] != tally { days.insert(key.day) }
        return days
    }

    /// Commenters per local day and theme (0: every commenter) from `driver_rollups`, rows that
    /// sum to nothing left out.
    private func driverRollupByDay(surveyID: Int64, from: CalendarDay?, to: CalendarDay?) async throws -> [DayTheme: Tally] {
        let query: SQLQueryString = """
            SELECT day, theme_id, promoters, passives, detractors FROM driver_rollups WHERE survey_id = \(bind: surveyID)\(Self.dayRange(from, to))
            """
        return try await database.read { sql in
            var result: [DayTheme: Tally] = [:]
            for row in try await sql.raw(query).all() {
                let tally = Tally(promoters: try row.decode(column: "promoters", as: Int.self), passives: try row.decode(column: "passives", as: Int.self),
                                  detractors: try row.decode(column: "detractors", as: Int.self))
                guard tally.n > 0 else { continue }
                result[DayTheme(day: try row.decode(column: "day", as: Int.self), theme: try row.decode(column: "theme_id", as: Int64.self))] = tally
            }
            return result
        }
    }

    /// Reads again the applied themes of the survey's commenters on `days`.
    private func readThemes(surveyID: Int64, days: [Int], into columns: inout AnswerColumns) async throws {
        for chunk in stride(from: 0, to: days.count, by: 500).map({ Array(days[$0..<min($0 + 500, days.count)]) }) {
            var list: SQLQueryString = ""
            for (i, day) in chunk.enumerated() {
                if i > 0 { list += ", " }
                list += "\(bind: day)"
            }
            let query: SQLQueryString = """
                SELECT r.id, rt.theme_id FROM responses r LEFT JOIN response_themes rt ON rt.response_id = r.id AND rt.applied = 1
                WHERE r.survey_id = \(bind: surveyID) AND r.status = 'counted' AND r.comment IS NOT NULL AND r.day IN (\(list))
                """
            var themes: [Int64: [Int64]] = [:]
            for row in try await database.read({ sql in try await sql.raw(query).all() }) {
                let id = try row.decode(column: "id", as: Int64.self)
                themes[id, default: []].append(contentsOf: try row.decode(column: "theme_id", as: Int64?.self).map { [$0] } ?? [])
            }
            for (id, applied) in themes { columns.setThemes(id: id, themes: applied) }
        }
    }

    /// Reads the survey's rows changed since the last read into `entry` (from
    /// `HeldColumns.cursor`), with their applied themes, in pages.
    private func readChanges(surveyID: Int64, into entry: inout HeldColumns) async throws {
        let readAt = clock.now().milliseconds
        var after = entry.cursor
        var held = entry
        let pageSize = 20_000
        while true {
            // A long first read (a million answers) gives way to a server shutting down.
            try Task.checkCancellation()
            let start = after
            let page: SQLQueryString = """
                SELECT id, day, score, status, CASE WHEN comment IS NULL THEN 0 ELSE 1 END AS commented, channel, locale, properties, updated_at
                FROM responses
                WHERE survey_id = \(bind: surveyID) AND updated_at >= \(bind: start.updatedAt) AND (updated_at > \(bind: start.updatedAt) OR id > \(bind: start.id))
                ORDER BY updated_at, id LIMIT \(literal: pageSize)
                """
            let (rows, themeRows) = try await database.read { sql -> ([any SQLRow], [any SQLRow]) in
                let rows = try await sql.raw(page).all()
                guard let last = rows.last else { return (rows, []) }
                let lastUpdated = try last.decode(column: "updated_at", as: Int64.self), lastID = try last.decode(column: "id", as: Int64.self)
                // The themes of the same rows, in the same read.
                let themes = try await sql.raw("""
                    SELECT rt.response_id, rt.theme_id FROM response_themes rt JOIN responses r ON r.id = rt.response_id
                    WHERE r.survey_id = \(bind: surveyID) AND rt.applied = 1
                    AND r.updated_at >= \(bind: start.updatedAt) AND (r.updated_at > \(bind: start.updatedAt) OR r.id > \(bind: start.id))
                    AND r.updated_at <= \(bind: lastUpdated) AND (r.updated_at < \(bind: lastUpdated) OR r.id <= \(bind: lastID))
                    """).all()
                return (rows, themes)
            }
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self)
                let updatedAt = try row.decode(column: "updated_at", as: Int64.self)
                var score: Score?
                if try row.decode(column: "status", as: String.self) == "counted" { score = Score(try row.decode(column: "score", as: Int.self)) }
                held.columns.set(id: id, day: try row.decode(column: "day", as: Int.self), score: score,
                            commented: try row.decode(column: "commented", as: Int.self) == 1,
                            channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api,
                            locale: try row.decode(column: "locale", as: String?.self),
                            properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)))
                after = (updatedAt, id)
                held.read(updatedAt: updatedAt, id: id)
            }
            var themes: [Int64: [Int64]] = [:]
            for row in themeRows { themes[try row.decode(column: "response_id", as: Int64.self), default: []].append(try row.decode(column: "theme_id", as: Int64.self)) }
            for (id, applied) in themes { held.columns.setThemes(id: id, themes: applied) }
            if rows.count < pageSize { break }
        }
        held.readAt = readAt
        entry = held
    }
}
