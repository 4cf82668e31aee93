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
    /// Changed before.
    public var updatedBefore: Timestamp?
    /// Text the comment contains (any script; case is ignored where the database folds it:
    /// everywhere on PostgreSQL, for ASCII letters on SQLite). Indexed: see `CommentSearch`.
    public var search: String?
    /// A tag the response carries.
    public var tag: String?
    /// A theme the response has (by a rule or by hand, not removed by hand).
    public var themeID: Int64?
    /// Surveys whose answers are left out (employee surveys, whose answers are never listed).
    public var excludedSurveyIDs: [Int64] = []

    public init() {}

    /// A LIKE pattern matching `text` anywhere, with LIKE's own characters taken literally.
    static func containing(_ text: String) -> String { "%" + likeEscaped(text) + "%" }

    /// A LIKE pattern matching text that starts with `prefix`.
    static func startingWith(_ prefix: String) -> String { likeEscaped(prefix) + "%" }

    private static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for c in text {
            if c == "\\" || c == "%" || c == "_" { escaped.append("\\") }
            escaped.append(c)
        }
        return escaped
    }

    /// The filter's conditions, columns qualified by `responses`. `searchPlan`: how `search` finds
    /// its candidates (`CommentSearch.plan`); `searchJoined`: the query reads the comment index's
    /// matches already (`CommentSearch.newestMatches`).
    func sql(_ dialect: Dialect, searchPlan: CommentSearch.Plan?, searchJoined: Bool = false) -> SQLQueryString {
        var q: SQLQueryString = ""
        if let v = surveyID { q += " AND responses.survey_id = \(bind: v)" }
        if !excludedSurveyIDs.isEmpty { q += " AND responses.survey_id NOT IN (\(binds: excludedSurveyIDs))" }
        if let v = contactID { q += " AND responses.contact_id = \(bind: v)" }
        if let v = category {
            switch v {
            case .detractor: q += " AND responses.score <= 6"
            case .passive: q += " AND responses.score BETWEEN 7 AND 8"
            case .promoter: q += " AND responses.score >= 9"
            }
        }
        if let v = scores, !v.isEmpty { q += " AND responses.score IN (\(binds: v.sorted()))" }
        if let v = channel { q += " AND responses.channel = \(bind: v.rawValue)" }
        if let v = hasComment { q += v ? " AND responses.comment IS NOT NULL" : " AND responses.comment IS NULL" }
        if let v = from { q += " AND responses.created_at >= \(bind: v.milliseconds)" }
        if let v = to { q += " AND responses.created_at < \(bind: v.milliseconds)" }
        if let v = updatedSince { q += " AND responses.updated_at >= \(bind: v.milliseconds)" }
        if let v = updatedBefore { q += " AND responses.updated_at < \(bind: v.milliseconds)" }
        if let v = search { q += CommentSearch.condition(v, plan: searchPlan ?? .scan, joined: searchJoined) }
        if let v = tag { q += " AND responses.tags LIKE \(bind: Self.containing(JSONValue.string(v).serialized())) ESCAPE '\\'" }
        if let v = themeID { q += " AND responses.id IN (SELECT response_id FROM response_themes WHERE theme_id = \(bind: v) AND applied = 1)" }
        return q
    }
}

/// The order of a numbered list of responses.
public enum ResponseOrder: Sendable, Hashable {
    case createdAscending, createdDescending, updatedAscending, updatedDescending
}

/// A note someone wrote about a response.
public struct ResponseNote: Sendable, Hashable {
    public var id: Int64
    public var responseID: Int64
    public var author: String?
    public var text: String
    public var createdAt: Timestamp
}

extension AdvocateStore {
    /// Stores answers through the group-commit writer (see `IngestWriter`).
    public func record(workspaceID: Int64, _ items: [ResponseSubmission], batch: Bool) async throws -> [IngestOutcome] {
        try await ingest.submit(workspaceID: workspaceID, items, batch: batch)
    }

    /// Runs an import's writes as one bulk load: on SQLite the commits stop waiting for the disk
    /// until the end (see `Database.bulkLoad`). For CLI imports, whose process writes nothing else.
    public func bulkLoad<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await database.bulkLoad(body)
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
        let dialect = database.dialect
        return try await database.read { sql in
            let plan = try await CommentSearch.plan(filter.search, dialect: dialect, on: sql)
            let matches = CommentSearch.newestMatches(plan)
            var q: SQLQueryString = "SELECT responses.* FROM "
            q += matches?.from ?? "responses WHERE"
            q += " responses.workspace_id = \(bind: workspaceID) AND responses.status = 'counted'"
            q += filter.sql(dialect, searchPlan: plan, searchJoined: matches != nil)
            let id = matches?.id ?? "responses.id"
            if let cursor { q += " AND \(unsafeRaw: id) < \(bind: cursor)" }
            q += " ORDER BY \(unsafeRaw: id) DESC LIMIT \(literal: limit + 1)"
            let rows = try await sql.raw(q).all()
            let items = try rows.prefix(limit).map(Self.decodeResponse)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// Every response `filter` selects, oldest first, with their contacts (for exports).
    public func exportableResponses(workspaceID: Int64, filter: ResponseFilter) async throws -> (responses: [Response], contacts: [Int64: Contact]) {
        var responses: [Response] = []
        var cursor: Int64?
        repeat {
            let page = try await self.responses(workspaceID: workspaceID, filter: filter, before: cursor, limit: 1_000)
            responses.append(contentsOf: page.items)
            cursor = page.nextCursor.flatMap(Cursor.decode)
        } while cursor != nil
        responses.reverse()
        return (responses, try await contacts(workspaceID: workspaceID, ids: Array(Set(responses.compactMap(\.contactID)))))
    }

    /// The source ids already recorded in the workspace that start with `prefix` ("delighted:"):
    /// what lets a re-run import skip its old rows before any work on them.
    public func recordedSourceIDs(workspaceID: Int64, prefix: String) async throws -> Set<String> {
        try await database.read { sql in
            var ids: Set<String> = []
            for row in try await sql.raw("""
                SELECT source_id FROM responses WHERE workspace_id = \(bind: workspaceID) AND source_id IS NOT NULL
                AND source_id LIKE \(bind: ResponseFilter.startingWith(prefix)) ESCAPE '\\'
                """).all() {
                ids.insert(try row.decode(column: "source_id", as: String.self))
            }
            return ids
        }
    }

    /// One numbered page of responses (1-based) in `order`: for clients that page by number.
    public func responses(workspaceID: Int64, filter: ResponseFilter, order: ResponseOrder, page: Int, perPage: Int) async throws -> [Response] {
        let dialect = database.dialect
        return try await database.read { sql in
            let plan = try await CommentSearch.plan(filter.search, dialect: dialect, on: sql)
            var q: SQLQueryString = "SELECT * FROM responses WHERE workspace_id = \(bind: workspaceID) AND status = 'counted'"
            q += filter.sql(dialect, searchPlan: plan)
            switch order {
            case .createdAscending: q += " ORDER BY created_at, id"
            case .createdDescending: q += " ORDER BY created_at DESC, id DESC"
            case .updatedAscending: q += " ORDER BY updated_at, id"
            case .updatedDescending: q += " ORDER BY updated_at DESC, id DESC"
            }
            q += " LIMIT \(literal: perPage) OFFSET \(literal: (page - 1) * perPage)"
            return try await sql.raw(q).all().map(Self.decodeResponse)
        }
    }

    /// Counted answers of a survey per score (index 0…10), given between two instants (inclusive).
    /// Reads the responses, not the daily rollup, because the bounds need not fall on local midnights.
    public func scoreCounts(surveyID: Int64, from: Timestamp?, to: Timestamp?) async throws -> [Int] {
        var q: SQLQueryString = "SELECT score, COUNT(*) AS n FROM responses WHERE survey_id = \(bind: surveyID) AND status = 'counted'"
        if let from { q += " AND created_at >= \(bind: from.milliseconds)" }
        if let to { q += " AND created_at <= \(bind: to.milliseconds)" }
        let query = q + " GROUP BY score"
        return try await database.read { sql in
            var counts = Array(repeating: 0, count: 11)
            for row in try await sql.raw(query).all() {
                let score = try row.decode(column: "score", as: Int.self)
                if (0...10).contains(score) { counts[score] = try row.decode(column: "n", as: Int.self) }
            }
            return counts
        }
    }

    /// The notes on each of `responseIDs`, oldest first.
    public func notes(workspaceID: Int64, responseIDs: [Int64]) async throws -> [Int64: [ResponseNote]] {
        guard !responseIDs.isEmpty else { return [:] }
        return try await database.read { sql in
            var result: [Int64: [ResponseNote]] = [:]
            for chunk in responseIDs.chunked(1_000) {
                for row in try await sql.raw("""
                    SELECT * FROM response_notes WHERE workspace_id = \(bind: workspaceID) AND response_id IN (\(binds: Array(chunk))) ORDER BY id
                    """).all() {
                    let note = ResponseNote(id: try row.decode(column: "id", as: Int64.self),
                                            responseID: try row.decode(column: "response_id", as: Int64.self),
                                            author: try row.decode(column: "author", as: String?.self),
                                            text: try row.decode(column: "text", as: String.self),
                                            createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
                    result[note.responseID, default: []].append(note)
                }
            }
            return result
        }
    }

    /// Changes a counted response: its score, comment and a merge patch of its properties (null
    /// removes). The report moves with it in the same transaction. Nil when there is no such response.
    public func updateResponse(workspaceID: Int64, id: Int64, score: Score?, comment: String??, properties patch: Properties?) async throws -> Response? {
        let now = clock.now()
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        return try await retryingWrite { sql in
            guard var r = try await sql.raw("""
                SELECT * FROM responses WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID) AND status = 'counted'\(lock)
                """).first().map(Self.decodeResponse) else { return nil }
            var delta = RollupDelta()
            delta.add(surveyID: r.surveyID, day: r.day, score: r.score, channel: r.channel, locale: r.locale, properties: r.properties, sign: -1)
            if let score { r.score = score }
            if let comment { r.comment = comment }
            if let patch { r.properties = r.properties.merging(patch: patch) }
            r.updatedAt = now
            delta.add(surveyID: r.surveyID, day: r.day, score: r.score, channel: r.channel, locale: r.locale, properties: r.properties, sign: 1)
            try await sql.raw("""
                UPDATE responses SET score = \(bind: r.score.value), comment = \(bind: r.comment), properties = \(bind: r.properties.jsonText),
                    updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)
                """).run()
            try await delta.apply(in: sql)
            if comment != nil {
                try await Self.tagComments([(r.id, workspaceID, r.comment, r.locale)], replacing: [r.id], database: self.database, in: sql)
            }
            try await Self.enqueueAlertEvaluations([(workspaceID, r.id)], now: now, in: sql)
            return r
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
                        day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                        tags: ResponseTags.decode(try row.decode(column: "tags", as: String.self)),
                        sourceID: try row.decode(column: "source_id", as: String?.self))
    }
}
