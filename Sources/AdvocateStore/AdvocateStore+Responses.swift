import AdvocateCore
import NPS
import SQLKit

/// Which responses a list shows.
public struct ResponseFilter: Sendable, Hashable {
    public var surveyID: Int64?
    public var contactID: Int64?
    public var category: NPS.Category?
    public var scores: Set<Int>?
    public var channel: Channel?
    public var hasComment: Bool?
    /// Answered at or after.
    public var from: Timestamp?
    /// Answered before.
    public var to: Timestamp?
    /// Changed at or after (for CRM sync).
    public var updatedSince: Timestamp?

    public init() {}
}

extension AdvocateStore {
    /// Stores answers through the group-commit writer (see `IngestWriter`).
    public func record(workspaceID: Int64, _ items: [ResponseSubmission], batch: Bool) async throws -> [IngestOutcome] {
        try await ingest.submit(workspaceID: workspaceID, items, batch: batch)
    }

    /// What `record` would refuse in `items` if they were recorded now, as the batch endpoint
    /// names them (`responses[i].field`); writes nothing. Lets an import refuse a file whole.
    public func check(workspaceID: Int64, _ items: [ResponseSubmission]) async throws -> [ValidationIssue] {
        try await database.check(IngestRequest(workspaceID: workspaceID, items: items, batch: true), now: clock.now())
    }

    /// One response of the workspace.
    public func response(workspaceID: Int64, id: Int64) async throws -> Response? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT * FROM responses WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID) AND status = 'counted'
                """).first().map(Self.decodeResponse)
        }
    }

    /// Responses of the workspace, newest first.
    public func responses(workspaceID: Int64, filter: ResponseFilter, before cursor: Int64?, limit: Int) async throws -> Page<Response> {
        var q: SQLQueryString = "SELECT * FROM responses WHERE workspace_id = \(bind: workspaceID) AND status = 'counted'"
        if let v = filter.surveyID { q += " AND survey_id = \(bind: v)" }
        if let v = filter.contactID { q += " AND contact_id = \(bind: v)" }
        if let v = filter.category {
            switch v {
            case .detractor: q += " AND score <= 6"
            case .passive: q += " AND score BETWEEN 7 AND 8"
            case .promoter: q += " AND score >= 9"
            }
        }
        if let v = filter.scores, !v.isEmpty { q += " AND score IN (\(binds: v.sorted()))" }
        if let v = filter.channel { q += " AND channel = \(bind: v.rawValue)" }
        if let v = filter.hasComment { q += v ? " AND comment IS NOT NULL" : " AND comment IS NULL" }
        if let v = filter.from { q += " AND created_at >= \(bind: v.milliseconds)" }
        if let v = filter.to { q += " AND created_at < \(bind: v.milliseconds)" }
        if let v = filter.updatedSince { q += " AND updated_at >= \(bind: v.milliseconds)" }
        if let cursor { q += " AND id < \(bind: cursor)" }
        q += " ORDER BY id DESC LIMIT \(literal: limit + 1)"
        let query = q
        return try await database.read { sql in
            let rows = try await sql.raw(query).all()
            let items = try rows.prefix(limit).map(Self.decodeResponse)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    static func decodeResponse(_ row: any SQLRow) throws -> Response {
        let scoreValue = try row.decode(column: "score", as: Int.self)
        guard let score = Score(scoreValue) else { throw StoreError.corrupt("response with score \(scoreValue)") }
        return Response(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                        surveyID: try row.decode(column: "survey_id", as: Int64.self),
                        contactID: try row.decode(column: "contact_id", as: Int64?.self), score: score,
                        comment: try row.decode(column: "comment", as: String?.self),
                        properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)),
                        channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api,
                        locale: try row.decode(column: "locale", as: String?.self),
                        createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                        updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
                        day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)))
    }
}

extension AdvocateStore {
    /// A counted response's comment, for verbatim analysis.
    public struct Comment: Sendable, Hashable {
        public var responseID: Int64
        public var score: Int
        public var text: String
    }

    /// Counted responses of the survey with a comment, answered on local days `from`…`to`
    /// (inclusive), newest first, at most `limit`.
    public func comments(workspaceID: Int64, surveyID: Int64, from: CalendarDay?, to: CalendarDay?, limit: Int) async throws -> [Comment] {
        var q: SQLQueryString = """
            SELECT id, score, comment FROM responses
            WHERE workspace_id = \(bind: workspaceID) AND survey_id = \(bind: surveyID) AND status = 'counted' AND comment IS NOT NULL
            """
        if let from { q += " AND day >= \(bind: from.daysSinceEpoch)" }
        if let to { q += " AND day <= \(bind: to.daysSinceEpoch)" }
        q += " ORDER BY id DESC LIMIT \(literal: limit)"
        let query = q
        return try await database.read { sql in
            try await sql.raw(query).all().map { row in
                Comment(responseID: try row.decode(column: "id", as: Int64.self), score: try row.decode(column: "score", as: Int.self),
                        text: try row.decode(column: "comment", as: String.self))
            }
        }
    }
}
