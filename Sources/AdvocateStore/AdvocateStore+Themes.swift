import AdvocateCore
import NPS
import SQLKit
import Synchronization

/// A workspace's named reason people give for their score, with the rules that find it in comments.
public struct Theme: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var name: String
    public var rules: [ThemeRule]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
}

/// One run of applying a workspace's rules to every old comment, in the background.
public struct ThemeRetag: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Comments are still being read.
        case running
        /// Every comment was read with the rules of the time.
        case done
        /// The rules changed again before it finished; a newer run took over.
        case superseded
    }

    public var id: Int64
    public var workspaceID: Int64
    /// Comments in the workspace when it started.
    public var total: Int
    /// Comments read so far.
    public var done: Int
    public var state: State
    public var createdAt: Timestamp
    public var finishedAt: Timestamp?
}

/// A theme on one response, and who put it there.
public struct ResponseTheme: Sendable, Hashable {
    public enum Origin: String, Sendable, Hashable {
        /// A rule matched the comment.
        case rule
        /// A person decided (and rules no longer change it).
        case hand
    }

    public var themeID: Int64
    public var name: String
    public var origin: Origin
    /// False for a theme a person removed: the response does not have it, whatever the rules say.
    public var applied: Bool
    public var decidedBy: String?
    public var decidedAt: Timestamp?
}

/// A counted response with a comment, its score, segment and themes: what key drivers and
/// distinctive terms read.
public struct ThemedComment: Sendable, Hashable {
    public var responseID: Int64
    public var score: Score
    public var text: String
    public var locale: String?
    /// The themes it has: matched by a rule or added by hand, and not removed by hand.
    public var themes: Set<Int64>
}

/// One segment of responses: `plan:paid`, `channel:email`, `locale:tr` (as on the report).
public struct ResponseSegment: Sendable, Hashable, CustomStringConvertible {
    /// A property name, or `channel` / `locale`.
    public var dimension: String
    public var value: String

    public init(dimension: String, value: String) {
        self.dimension = dimension
        self.value = value
    }

    public var description: String { "\(dimension):\(value)" }

    /// Whether a response with these fields is in the segment: the rule the report's rollup follows.
    func contains(channel: Channel, locale: String?, properties: Properties) -> Bool {
        let stored = ReportDimension.stored(forRequested: dimension)
        return ReportDimension.pairs(channel: channel, locale: locale, properties: properties).contains { $0 == (stored, value) }
    }
}

/// Why a theme cannot be saved as asked.
public enum ThemeRefusal: Error, Sendable, Hashable {
    case notFound
    /// Another theme of the workspace has this name.
    case duplicateName(String)
    /// The workspace has as many themes as allowed.
    case tooMany
}

/// The job kind that applies a workspace's rules to its old comments.
public let themeRetagJobKind = "themes.retag"

extension AdvocateStore {
    /// Most themes in one workspace.
    public static let maxThemes = 200
    /// Comments read per transaction when rules are applied again: short enough that answers
    /// arriving meanwhile wait little for the writer.
    public static let retagChunk = 2_000

    // MARK: - Themes

    /// The workspace's themes by name.
    public func themes(workspaceID: Int64) async throws -> [Theme] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM themes WHERE workspace_id = \(bind: workspaceID) ORDER BY name, id").all().map(Self.decodeTheme)
        }
    }

    /// The workspace's themes' names by id, without their rules (the starter set alone has over
    /// 2,000): what the report's drivers and the responses list need.
    public func themeNames(workspaceID: Int64) async throws -> [(id: Int64, name: String)] {
        try await database.read { sql in
            try await sql.raw("SELECT id, name FROM themes WHERE workspace_id = \(bind: workspaceID) ORDER BY name, id").all().map { row in
                (try row.decode(column: "id", as: Int64.self), try row.decode(column: "name", as: String.self))
            }
        }
    }

    public func theme(workspaceID: Int64, id: Int64) async throws -> Theme? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM themes WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeTheme)
        }
    }

    /// Creates a theme; with rules, their application to old comments is queued in the same
    /// transaction (new comments get them from the moment it commits).
    public func createTheme(workspaceID: Int64, name: String, rules: [ThemeRule]) async throws -> Result<(Theme, ThemeRetag?), ThemeRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            switch try await Self.insertThemes(workspaceID: workspaceID, [(name, rules)], now: now, in: sql) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let themes):
                let retag = rules.isEmpty ? nil : try await Self.startRetag(workspaceID: workspaceID, now: now, in: sql)
                return .success((themes[0], retag))
            }
        }
    }

    /// Installs the starter themes (`StarterThemes`) the workspace does not have by name yet, and
    /// queues one application of the rules. Returns the themes it made.
    public func installStarterThemes(workspaceID: Int64) async throws -> Result<([Theme], ThemeRetag?), ThemeRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            let existing = Set(try await sql.raw("SELECT name FROM themes WHERE workspace_id = \(bind: workspaceID)").all()
                .map { try $0.decode(column: "name", as: String.self) })
            let missing = StarterThemes.all.filter { !existing.contains($0.name) }.map { ($0.name, $0.rules) }
            guard !missing.isEmpty else { return .success(([], nil)) }
            switch try await Self.insertThemes(workspaceID: workspaceID, missing, now: now, in: sql) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let themes): return .success((themes, try await Self.startRetag(workspaceID: workspaceID, now: now, in: sql)))
            }
        }
    }

    /// Renames a theme or replaces its rules; changed rules are applied to old comments in the background.
    public func updateTheme(workspaceID: Int64, id: Int64, name: String?, rules: [ThemeRule]?) async throws -> Result<(Theme, ThemeRetag?), ThemeRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            try await Self.bumpThemesVersion(workspaceID: workspaceID, in: sql)
            guard var theme = try await sql.raw("SELECT * FROM themes WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first()
                .map(Self.decodeTheme) else { return .failure(.notFound) }
            if let name, name != theme.name {
                if try await sql.raw("SELECT id FROM themes WHERE workspace_id = \(bind: workspaceID) AND name = \(bind: name)").first() != nil {
                    return .failure(.duplicateName(name))
                }
                theme.name = name
            }
            let rulesChanged = rules != nil && rules != theme.rules
            if let rules { theme.rules = rules }
            theme.updatedAt = now
            try await sql.raw("""
                UPDATE themes SET name = \(bind: theme.name), rules = \(bind: ThemeRule.json(theme.rules).serialized()), updated_at = \(bind: now.milliseconds)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                """).run()
            let retag = rulesChanged ? try await Self.startRetag(workspaceID: workspaceID, now: now, in: sql) : nil
            return .success((theme, retag))
        }
    }

    /// Adds one rule to a theme unless it has it already: a distinctive term made into a rule.
    public func addThemeRule(workspaceID: Int64, id: Int64, rule: ThemeRule) async throws -> Result<(Theme, ThemeRetag?), ThemeRefusal> {
        guard let theme = try await theme(workspaceID: workspaceID, id: id) else { return .failure(.notFound) }
        if theme.rules.contains(rule) { return .success((theme, nil)) }
        return try await updateTheme(workspaceID: workspaceID, id: id, name: nil, rules: theme.rules + [rule])
    }

    /// Deletes a theme and its tags (hand decisions included). False when there is no such theme.
    public func deleteTheme(workspaceID: Int64, id: Int64) async throws -> Bool {
        try await database.write { sql in
            try await Self.bumpThemesVersion(workspaceID: workspaceID, in: sql)
            return try await !sql.raw("DELETE FROM themes WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING id").all().isEmpty
        }
    }

    private static func insertThemes(workspaceID: Int64, _ themes: [(name: String, rules: [ThemeRule])], now: Timestamp,
                                     in sql: any SQLDatabase) async throws -> Result<[Theme], ThemeRefusal> {
        try await bumpThemesVersion(workspaceID: workspaceID, in: sql)
        let count = try await sql.raw("SELECT COUNT(*) AS n FROM themes WHERE workspace_id = \(bind: workspaceID)").first()!.decode(column: "n", as: Int.self)
        guard count + themes.count <= maxThemes else { return .failure(.tooMany) }
        var saved: [Theme] = []
        for (name, rules) in themes {
            if try await sql.raw("SELECT id FROM themes WHERE workspace_id = \(bind: workspaceID) AND name = \(bind: name)").first() != nil {
                return .failure(.duplicateName(name))
            }
            let id = try await sql.raw("""
                INSERT INTO themes (workspace_id, name, rules, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: name), \(bind: ThemeRule.json(rules).serialized()), \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            saved.append(Theme(id: id, workspaceID: workspaceID, name: name, rules: rules, createdAt: now, updatedAt: now))
        }
        return .success(saved)
    }

    /// Marks the workspace's themes as changed. Every change does this first, so that on
    /// PostgreSQL it holds the workspace row before touching a theme: an ingest reading the
    /// version (FOR SHARE) then either waits for the change or the change waits for it, and a
    /// comment is never tagged with a theme deleted meanwhile.
    private static func bumpThemesVersion(workspaceID: Int64, in sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE workspaces SET themes_version = themes_version + 1 WHERE id = \(bind: workspaceID)").run()
    }

    static func decodeTheme(_ row: any SQLRow) throws -> Theme {
        Theme(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
              name: try row.decode(column: "name", as: String.self), rules: ThemeRule.decode(try row.decode(column: "rules", as: String.self)),
              createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
              updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    // MARK: - Applying rules to old comments

    /// Starts a new run over every comment of the workspace (an unfinished older run stops at its
    /// next step) and queues its job.
    private static func startRetag(workspaceID: Int64, now: Timestamp, in sql: any SQLDatabase) async throws -> ThemeRetag {
        let total = try await sql.raw("""
            SELECT COUNT(*) AS n FROM responses WHERE workspace_id = \(bind: workspaceID) AND comment IS NOT NULL
            """).first()!.decode(column: "n", as: Int.self)
        let id = try await sql.raw("""
            INSERT INTO theme_retags (workspace_id, total, created_at) VALUES (\(bind: workspaceID), \(bind: total), \(bind: now.milliseconds)) RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        try await insertJobs([NewJob(workspaceID: workspaceID, kind: themeRetagJobKind, payload: ["retag_id": .integer(id)], runAt: now)], now: now, in: sql)
        return ThemeRetag(id: id, workspaceID: workspaceID, total: total, done: 0, state: .running, createdAt: now, finishedAt: nil)
    }

    /// The workspace's latest run, or nil when its rules were never applied to old comments.
    public func latestRetag(workspaceID: Int64) async throws -> ThemeRetag? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM theme_retags WHERE workspace_id = \(bind: workspaceID) ORDER BY id DESC LIMIT 1").first().map(Self.decodeRetag)
        }
    }

    /// Applies the current rules to the next `retagChunk` comments of run `id`, in one
    /// transaction (so a crash resumes where the last step committed). Returns false when the run
    /// has finished or a newer run superseded it.
    public func continueRetag(id: Int64) async throws -> Bool {
        let now = clock.now()
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT * FROM theme_retags WHERE id = \(bind: id)\(lock)").first() else { return false }
            let retag = try Self.decodeRetag(row)
            guard retag.state == .running else { return false }
            let after = try row.decode(column: "after_response_id", as: Int64.self)
            let latest = try await sql.raw("SELECT MAX(id) AS id FROM theme_retags WHERE workspace_id = \(bind: retag.workspaceID)").first()!
                .decode(column: "id", as: Int64.self)
            guard latest == id else {
                try await sql.raw("UPDATE theme_retags SET superseded = 1, finished_at = \(bind: now.milliseconds) WHERE id = \(bind: id)").run()
                return false
            }
            let rows = try await sql.raw("""
                SELECT id, comment, locale FROM responses WHERE workspace_id = \(bind: retag.workspaceID) AND comment IS NOT NULL AND id > \(bind: after)
                ORDER BY id LIMIT \(literal: Self.retagChunk)
                """).all()
            guard let last = try rows.last?.decode(column: "id", as: Int64.self) else {
                try await sql.raw("UPDATE theme_retags SET finished_at = \(bind: now.milliseconds) WHERE id = \(bind: id)").run()
                return false
            }
            let matcher = try await self.database.themeMatcher(workspaceID: retag.workspaceID, in: sql)
            var tagged: [(responseID: Int64, themes: Set<Int64>)] = []
            tagged.reserveCapacity(rows.count)
            for row in rows {
                tagged.append((try row.decode(column: "id", as: Int64.self),
                               matcher.themes(of: try row.decode(column: "comment", as: String.self), locale: try row.decode(column: "locale", as: String?.self))))
            }
            try await sql.raw("""
                DELETE FROM response_themes WHERE workspace_id = \(bind: retag.workspaceID) AND origin = 'rule'
                AND response_id > \(bind: after) AND response_id <= \(bind: last)
                """).run()
            try await Self.insertRuleThemes(workspaceID: retag.workspaceID, tagged, in: sql)
            try await sql.raw("""
                UPDATE theme_retags SET done = done + \(bind: rows.count), after_response_id = \(bind: last) WHERE id = \(bind: id)
                """).run()
            return true
        }
    }

    static func decodeRetag(_ row: any SQLRow) throws -> ThemeRetag {
        let finishedAt = try row.decode(column: "finished_at", as: Int64?.self).map(Timestamp.init(milliseconds:))
        let state: ThemeRetag.State = finishedAt == nil ? .running : try row.decode(column: "superseded", as: Int.self) == 1 ? .superseded : .done
        return ThemeRetag(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                          total: try row.decode(column: "total", as: Int.self), done: try row.decode(column: "done", as: Int.self), state: state,
                          createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)), finishedAt: finishedAt)
    }

    /// Records rule matches; a response's hand decision on the same theme stays as it is.
    static func insertRuleThemes(workspaceID: Int64, _ tagged: [(responseID: Int64, themes: Set<Int64>)], in sql: any SQLDatabase) async throws {
        let rows = tagged.flatMap { item in item.themes.sorted().map { (item.responseID, $0) } }
        for chunk in rows.chunked(1_000) {
            try await sql.raw("""
                INSERT INTO response_themes (response_id, theme_id, workspace_id, origin, applied)
                VALUES \(SQLList(chunk.map { SQLQueryString("(\(bind: $0.0), \(bind: $0.1), \(bind: workspaceID), 'rule', 1)") }))
                ON CONFLICT (response_id, theme_id) DO NOTHING
                """).run()
        }
    }

    /// Tags responses whose comment was just written (ingest, an edit) with the rules as they are
    /// in this transaction. `replacing` are responses that had a comment before: their rule
    /// matches are worked out again.
    static func tagComments(_ comments: [(responseID: Int64, workspaceID: Int64, comment: String?, locale: String?)], replacing: [Int64],
                            database: Database, in sql: any SQLDatabase) async throws {
        for chunk in replacing.chunked(1_000) {
            try await sql.raw("DELETE FROM response_themes WHERE origin = 'rule' AND response_id IN (\(binds: Array(chunk)))").run()
        }
        let byWorkspace = Dictionary(grouping: comments.filter { $0.comment != nil }, by: \.workspaceID)
        for workspaceID in byWorkspace.keys.sorted() {
            let matcher = try await database.themeMatcher(workspaceID: workspaceID, in: sql)
            guard !matcher.isEmpty else { continue }
            let tagged = byWorkspace[workspaceID]!.map { ($0.responseID, matcher.themes(of: $0.comment!, locale: $0.locale)) }.filter { !$0.1.isEmpty }
            try await insertRuleThemes(workspaceID: workspaceID, tagged, in: sql)
        }
    }

    // MARK: - Themes of one response

    /// The themes of a response, with their origin (removed ones included, `applied` false); nil
    /// when the workspace has no such response.
    public func responseThemes(workspaceID: Int64, responseID: Int64) async throws -> [ResponseTheme]? {
        try await database.read { sql in
            guard try await sql.raw("SELECT id FROM responses WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: responseID)").first() != nil else {
                return nil
            }
            return try await Self.responseThemes(workspaceID: workspaceID, responseID: responseID, in: sql)
        }
    }

    private static func responseThemes(workspaceID: Int64, responseID: Int64, in sql: any SQLDatabase) async throws -> [ResponseTheme] {
        try await sql.raw("""
            SELECT rt.theme_id, t.name, rt.origin, rt.applied, rt.decided_by, rt.decided_at FROM response_themes rt
            JOIN themes t ON t.id = rt.theme_id
            WHERE rt.workspace_id = \(bind: workspaceID) AND rt.response_id = \(bind: responseID) ORDER BY t.name, t.id
            """).all().map { row in
            ResponseTheme(themeID: try row.decode(column: "theme_id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                          origin: ResponseTheme.Origin(rawValue: try row.decode(column: "origin", as: String.self)) ?? .rule,
                          applied: try row.decode(column: "applied", as: Int.self) == 1, decidedBy: try row.decode(column: "decided_by", as: String?.self),
                          decidedAt: try row.decode(column: "decided_at", as: Int64?.self).map(Timestamp.init(milliseconds:)))
        }
    }

    /// A person's decision that a response has (`applied`) or has not a theme; rules never change
    /// it afterwards. Nil when the workspace has no such response or theme.
    public func decideTheme(workspaceID: Int64, responseID: Int64, themeID: Int64, applied: Bool, by person: String?) async throws -> [ResponseTheme]? {
        let now = clock.now()
        return try await database.write { sql in
            guard try await sql.raw("SELECT id FROM responses WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: responseID)").first() != nil,
                  try await sql.raw("SELECT id FROM themes WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: themeID)").first() != nil else {
                return nil
            }
            try await sql.raw("""
                INSERT INTO response_themes (response_id, theme_id, workspace_id, origin, applied, decided_by, decided_at)
                VALUES (\(bind: responseID), \(bind: themeID), \(bind: workspaceID), 'hand', \(bind: applied ? 1 : 0), \(bind: person), \(bind: now.milliseconds))
                ON CONFLICT (response_id, theme_id) DO UPDATE SET origin = 'hand', applied = excluded.applied,
                    decided_by = excluded.decided_by, decided_at = excluded.decided_at
                """).run()
            return try await Self.responseThemes(workspaceID: workspaceID, responseID: responseID, in: sql)
        }
    }

    // MARK: - Comments with their themes

    /// Key drivers of a survey's commenters (the latest `limit` comments in the days and
    /// passing `filter`), with the themes' names; drivers in name order. The report page, the API and the
    /// digest all read them here.
    public func keyDrivers(workspaceID: Int64, surveyID: Int64, from: CalendarDay?, to: CalendarDay?, filter: ReportFilter,
                           limit: Int) async throws -> (drivers: [KeyDriver], names: [Int64: String], commenters: Tally) {
        let analysed: (drivers: [KeyDriver], commenters: Tally)
        if filter.isEmpty {
            // Every commenter of the days, from the rollup: no comment is read, and no limit applies.
            analysed = try await driverRollup(surveyID: surveyID, from: from, to: to)
        } else if filter.campaignID == nil, filter.variant == nil,
                  let columns = try await commenterColumns(surveyID: surveyID, from: from, to: to) {
            // The same newest `limit` commenters, counted from the answer columns, not read.
            let counted = columns.commenters(conditions: filter.storedConditions, from: from?.daysSinceEpoch, to: to?.daysSinceEpoch, limit: limit)
            analysed = (KeyDrivers.drivers(commenters: counted.all, mentioning: counted.mentioning), counted.all)
        } else {
            let comments = try await themedComments(workspaceID: workspaceID, surveyID: surveyID, from: from, to: to, filter: filter,
                                                    limit: limit, readingText: false)
            var commenters = Tally.empty
            for comment in comments { commenters.add(comment.score) }
            analysed = (KeyDrivers.analyse(comments.map { ThemedResponse(score: $0.score, themes: $0.themes) }), commenters)
        }
        let names = Dictionary(try await themeNames(workspaceID: workspaceID).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let commenters = analysed.commenters
        // A theme deleted since the comments were read has no name and is left out.
        let drivers = analysed.drivers
            .filter { names[$0.theme] != nil }
            .sorted { (names[$0.theme]!, $0.theme) < (names[$1.theme]!, $1.theme) }
        return (drivers, names, commenters)
    }

    /// Counted responses of the survey with a comment, answered on local days `from`…`to`
    /// (inclusive) and in `segment`, newest first, at most `limit`, each with its themes.
    public func themedComments(workspaceID: Int64, surveyID: Int64, from: CalendarDay?, to: CalendarDay?, segment: ResponseSegment?,
                               limit: Int) async throws -> [ThemedComment] {
        try await themedComments(workspaceID: workspaceID, surveyID: surveyID, from: from, to: to, filter: ReportFilter(segment), limit: limit)
    }

    /// Counted responses of the survey with a comment, answered on local days `from`…`to`
    /// (inclusive) and passing `segments`, newest first, at most `limit`, each with its themes.
    /// Without `readingText` the texts are left empty: the drivers need only scores and themes, and
    /// the comments are most of what such a read would carry.
    public func themedComments(workspaceID: Int64, surveyID: Int64, from: CalendarDay?, to: CalendarDay?, filter segments: ReportFilter,
                               limit: Int, readingText: Bool = true) async throws -> [ThemedComment] {
        var filter: SQLQueryString = """
            r.workspace_id = \(bind: workspaceID) AND r.survey_id = \(bind: surveyID) AND r.status = 'counted' AND r.comment IS NOT NULL
            """
        if let from { filter += " AND r.day >= \(bind: from.daysSinceEpoch)" }
        if let to { filter += " AND r.day <= \(bind: to.daysSinceEpoch)" }
        // The columns narrow in SQL; a property is checked exactly below, as the rollup reads it.
        filter += segments.narrowing
        let join = segments.invitationJoin
        let condition = filter
        let text: SQLQueryString = readingText ? "r.comment" : "''"
        let properties: SQLQueryString = segments.decidedInSQL ? "'{}'" : "r.properties"
        return try await database.read { sql in
            var comments: [ThemedComment] = []
            var index: [Int64: Int] = [:]
            var cursor = Int64.max
            // Pages, because a property segment is only narrowed, not decided, by SQL.
            while comments.count < limit {
                let rows = try await sql.raw("""
                    SELECT r.id, r.score, \(text) AS comment, r.channel, r.locale, \(properties) AS properties FROM responses r\(join)
                    WHERE \(condition) AND r.id < \(bind: cursor) ORDER BY r.id DESC LIMIT \(literal: min(limit, 10_000))
                    """).all()
                for row in rows {
                    let id = try row.decode(column: "id", as: Int64.self)
                    cursor = id
                    let locale = try row.decode(column: "locale", as: String?.self)
                    if !segments.decidedInSQL {
                        let channel = Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api
                        let properties = Properties(jsonText: try row.decode(column: "properties", as: String.self))
                        guard segments.contains(channel: channel, locale: locale, properties: properties) else { continue }
                    }
                    guard comments.count < limit, let score = Score(try row.decode(column: "score", as: Int.self)) else { continue }
                    index[id] = comments.count
                    comments.append(ThemedComment(responseID: id, score: score, text: try row.decode(column: "comment", as: String.self),
                                                  locale: locale, themes: []))
                }
                if rows.count < min(limit, 10_000) { break }
            }
            guard let oldest = comments.last?.responseID else { return comments }
            for row in try await sql.raw("""
                SELECT rt.response_id, rt.theme_id FROM response_themes rt JOIN responses r ON r.id = rt.response_id\(join)
                WHERE \(condition) AND rt.applied = 1 AND r.id >= \(bind: oldest)
                """).all() {
                if let i = index[try row.decode(column: "response_id", as: Int64.self)] {
                    comments[i].themes.insert(try row.decode(column: "theme_id", as: Int64.self))
                }
            }
            return comments
        }
    }

    /// The newest `limit` comments of the workspace (any survey), for previews of rules.
    public func recentComments(workspaceID: Int64, limit: Int) async throws -> [(responseID: Int64, score: Score, text: String, locale: String?)] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT id, score, comment, locale FROM responses WHERE workspace_id = \(bind: workspaceID) AND status = 'counted' AND comment IS NOT NULL
                ORDER BY id DESC LIMIT \(literal: limit)
                """).all().compactMap { row in
                guard let score = Score(try row.decode(column: "score", as: Int.self)) else { return nil }
                return (try row.decode(column: "id", as: Int64.self), score, try row.decode(column: "comment", as: String.self),
                        try row.decode(column: "locale", as: String?.self))
            }
        }
    }
}

// MARK: - The rules, compiled once per change

/// Each workspace's compiled rules with the themes version they were read at: ingest asks for
/// the version (one indexed row) and reads and compiles the rules only when it moved.
final class ThemeMatcherCache: Sendable {
    private let entries = Mutex<[Int64: (version: Int64, matcher: ThemeMatcher)]>([:])

    func matcher(workspaceID: Int64, version: Int64) -> ThemeMatcher? {
        entries.withLock { e in e[workspaceID].flatMap { $0.version == version ? $0.matcher : nil } }
    }

    func store(_ matcher: ThemeMatcher, workspaceID: Int64, version: Int64) {
        entries.withLock { e in
            if e.count > 10_000 { e.removeAll() }
            e[workspaceID] = (version, matcher)
        }
    }
}

extension Database {
    /// The workspace's rules as they are in the transaction `sql`, compiled.
    func themeMatcher(workspaceID: Int64, in sql: any SQLDatabase) async throws -> ThemeMatcher {
        let share: SQLQueryString = dialect == .postgres ? " FOR SHARE" : ""
        let version = try await sql.raw("SELECT themes_version FROM workspaces WHERE id = \(bind: workspaceID)\(share)").first()?
            .decode(column: "themes_version", as: Int64.self) ?? 0
        if let cached = themeMatchers.matcher(workspaceID: workspaceID, version: version) { return cached }
        var rules: [(theme: Int64, rule: ThemeRule)] = []
        for row in try await sql.raw("SELECT id, rules FROM themes WHERE workspace_id = \(bind: workspaceID) ORDER BY id").all() {
            let id = try row.decode(column: "id", as: Int64.self)
            rules.append(contentsOf: ThemeRule.decode(try row.decode(column: "rules", as: String.self)).map { (id, $0) })
        }
        let matcher = ThemeMatcher(rules)
        themeMatchers.store(matcher, workspaceID: workspaceID, version: version)
        return matcher
    }
}
