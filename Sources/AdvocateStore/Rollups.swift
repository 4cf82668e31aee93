import AdvocateCore
import NPS
import SQLKit

/// The rollup row a response contributes to for one dimension.
struct RollupKey: Hashable, Comparable, Sendable {
    var surveyID: Int64
    var dimension: String
    var segment: String
    var day: Int

    static func < (a: RollupKey, b: RollupKey) -> Bool {
        (a.surveyID, a.dimension, a.segment, a.day) < (b.surveyID, b.dimension, b.segment, b.day)
    }
}

/// Report dimensions: the survey as a whole, built-ins, and every scalar property.
///
/// Built-ins are prefixed with `@` so a property that happens to be called `channel` cannot
/// mix with the channel an answer arrived by.
public enum ReportDimension {
    /// The survey as a whole.
    public static let overall = ""
    /// How the answer arrived.
    public static let channel = "@channel"
    /// The respondent's language.
    public static let locale = "@locale"

    /// The stored dimension for a `by=` name: `channel` and `locale` are the built-ins, anything
    /// else is a property name.
    public static func stored(forRequested name: String) -> String {
        switch name {
        case "channel": return channel
        case "locale": return locale
        default: return name
        }
    }

    /// Every (dimension, segment) pair a response counts in.
    static func pairs(channel: Channel, locale: String?, properties: Properties) -> [(String, String)] {
        var result: [(String, String)] = [(overall, ""), (Self.channel, channel.rawValue)]
        result.reserveCapacity(properties.count + 3)
        if let locale { result.append((Self.locale, locale)) }
        for (name, value) in properties {
            if let segment = value.segmentValue { result.append((name, segment)) }
        }
        return result
    }
}

/// Score-count changes to apply to the rollup in one statement per chunk.
struct RollupDelta {
    private(set) var changes: [RollupKey: [Int64]] = [:]

    var isEmpty: Bool { changes.isEmpty }

    /// Counts (or, with `sign` −1, uncounts) an answer in every dimension it belongs to.
    mutating func add(surveyID: Int64, day: CalendarDay, score: Score, channel: Channel, locale: String?,
                      properties: Properties, sign: Int64) {
        for (dimension, segment) in ReportDimension.pairs(channel: channel, locale: locale, properties: properties) {
            let key = RollupKey(surveyID: surveyID, dimension: dimension, segment: segment, day: day.daysSinceEpoch)
            changes[key, default: Array(repeating: 0, count: 11)][score.value] += sign
        }
    }

    /// Writes the changes. Keys go in sorted order so that two PostgreSQL writers touching the
    /// same rows lock them in the same order and cannot deadlock.
    func apply(in db: any SQLDatabase) async throws {
        let keys = changes.keys.sorted()
        let chunkSize = 1_000 // 15 binds a row: far below both databases' bind limits
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + chunkSize, keys.count)]
            var q: SQLQueryString = """
                INSERT INTO nps_rollups (survey_id, dimension, segment, day, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10) VALUES 
                """
            var first = true
            for key in chunk {
                let c = changes[key]!
                if !first { q.appendLiteral(", ") }
                first = false
                q.appendLiteral("(")
                q.appendInterpolation(bind: key.surveyID)
                q.appendLiteral(", ")
                q.appendInterpolation(bind: key.dimension)
                q.appendLiteral(", ")
                q.appendInterpolation(bind: key.segment)
                q.appendLiteral(", ")
                q.appendInterpolation(bind: key.day)
                for i in 0..<11 {
                    // Literal integers keep the bind count low; they are our own numbers.
                    q.appendLiteral(", ")
                    q.appendInterpolation(literal: c[i])
                }
                q.appendLiteral(")")
            }
            q.appendLiteral(" ON CONFLICT (survey_id, dimension, segment, day) DO UPDATE SET ")
            q.appendLiteral((0...10).map { "s\($0) = nps_rollups.s\($0) + excluded.s\($0)" }.joined(separator: ", "))
            try await db.raw(q).run()
            start += chunkSize
        }
    }
}

extension Database {
    /// Recomputes a survey's rollup from its counted responses (after a time-zone change, or to
    /// repair). Runs inside the caller's write transaction.
    func rebuildRollups(surveyID: Int64, zone: SurveyTimeZone, in db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM nps_rollups WHERE survey_id = \(bind: surveyID)").run()
        var lastID: Int64 = 0
        while true {
            let rows = try await db.raw("""
                SELECT id, score, channel, locale, properties, created_at FROM responses
                WHERE survey_id = \(bind: surveyID) AND status = 'counted' AND id > \(bind: lastID)
                ORDER BY id LIMIT 5000
                """).all()
            if rows.isEmpty { break }
            var delta = RollupDelta()
            var updates: [(Int64, Int)] = []
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self)
                guard let score = Score(try row.decode(column: "score", as: Int.self)) else { continue }
                let created = Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self))
                let day = zone.day(containing: created)
                delta.add(surveyID: surveyID, day: day, score: score,
                          channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api,
                          locale: try row.decode(column: "locale", as: String?.self),
                          properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)), sign: 1)
                updates.append((id, day.daysSinceEpoch))
                lastID = id
            }
            for (id, day) in updates {
                try await db.raw("UPDATE responses SET day = \(bind: day) WHERE id = \(bind: id)").run()
            }
            try await delta.apply(in: db)
        }
    }
}
