import AdvocateCore
import Logging
import NPS
import SQLKit
import SQLiteNIO

/// What happened to one submitted answer.
public struct IngestOutcome: Sendable, Hashable {
    /// The response's id (an existing one when the answer updated its round's response).
    public var id: Int64
    /// The response's category after this answer.
    public var category: NPS.Category
    /// False when the answer updated the response of the same contact, survey and round.
    public var created: Bool
}

/// Group commit for answers: every caller waits for the transaction that contains its answers.
///
/// Requests that arrive while a transaction is being written queue up and go together in the
/// next one, so throughput grows with load instead of collapsing to one fsync per answer, and
/// nobody is told "201" before their answer is committed. A submission (one request) is all or
/// nothing: if one of its answers is refused, none of them is written, and other requests in the
/// same transaction are unaffected.
public actor IngestWriter {
    private let database: Database
    private let clock: any AdvocateClock
    private var pending: [PendingSubmission] = []
    private var draining = false

    /// Most answers in one transaction (a larger single submission still goes whole).
    public static let maxAnswersPerTransaction = 20_000

    init(database: Database, clock: any AdvocateClock) {
        self.database = database
        self.clock = clock
    }

    /// Stores answers of one request atomically; returns once they are committed.
    /// - Parameter batch: whether item errors are reported as `responses[i].field` (batch) or `field`.
    /// - Throws: `ValidationError` when an answer is refused (nothing of this request is written).
    public func submit(workspaceID: Int64, _ items: [ResponseSubmission], batch: Bool) async throws -> [IngestOutcome] {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(PendingSubmission(workspaceID: workspaceID, items: items, batch: batch, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            var count = 0
            var take = 0
            while take < pending.count, take == 0 || count + pending[take].items.count <= Self.maxAnswersPerTransaction {
                count += pending[take].items.count
                take += 1
            }
            let group = Array(pending.prefix(take))
            pending.removeFirst(take)
            let results = await database.commit(group.map(\.request), now: clock.now())
            for case .success(let outcomes) in results { Self.count(outcomes) }
            for (submission, result) in zip(group, results) {
                submission.continuation.resume(with: result)
            }
        }
        draining = false
    }

    /// Counts recorded answers in the metrics.
    static func count(_ outcomes: [IngestOutcome]) {
        let created = outcomes.filter(\.created).count
        Metrics.shared.increment("advocate_responses_recorded_total", ["outcome": "created"], by: Double(created))
        Metrics.shared.increment("advocate_responses_recorded_total", ["outcome": "updated"], by: Double(outcomes.count - created))
    }
}

struct PendingSubmission {
    var workspaceID: Int64
    var items: [ResponseSubmission]
    var batch: Bool
    var continuation: CheckedContinuation<[IngestOutcome], any Error>

    var request: IngestRequest { IngestRequest(workspaceID: workspaceID, items: items, batch: batch) }
}

struct IngestRequest: Sendable {
    var workspaceID: Int64
    var items: [ResponseSubmission]
    var batch: Bool

    func field(_ index: Int, _ name: String) -> String { batch ? "responses[\(index)].\(name)" : name }
}

// MARK: - The transaction

/// Answers may carry a `created_at` slightly ahead of our clock (client clocks drift); further
/// ahead is a client bug that would put the answer in a future report bucket.
let allowedClockSkewMilliseconds: Int64 = 10 * 60 * 1000

extension Database {
    /// Writes a group of requests in one transaction; one result per request.
    func commit(_ requests: [IngestRequest], now: Timestamp) async -> [Result<[IngestOutcome], any Error>] {
        var lastError: (any Error)?
        // A concurrent writer on PostgreSQL can create the same new contact first (unique
        // violation) or meet us in a deadlock: each retry reloads what the other committed, so
        // it makes progress. Other errors are not retried.
        for attempt in 1...Self.ingestAttempts {
            do {
                return try await write { sql in try await self.commitOnce(requests, now: now, in: sql) }
            } catch {
                lastError = error
                guard Self.isTransient(error), attempt < Self.ingestAttempts else { break }
                logger.debug("ingest transaction met a concurrent writer (attempt \(attempt)): \(String(reflecting: error))")
            }
        }
        logger.error("ingest transaction failed: \(lastError.map { String(reflecting: $0) } ?? "unknown error")")
        let failure = StoreError.unavailable("the database did not accept the answers: \(lastError.map { String(describing: $0) } ?? "unknown error")")
        return requests.map { _ in .failure(failure) }
    }

    /// Runs ingest's checks on `request` against the database as it is, writing nothing: what
    /// recording it now would refuse (unknown surveys, future dates, e-mail conflicts).
    func check(_ request: IngestRequest, now: Timestamp) async throws -> [ValidationIssue] {
        try await read { sql in
            var state = IngestState()
            try await state.loadSurveys(ids: Set(request.items.map(\.surveyID)), locking: false, in: sql)
            try await state.loadContacts(for: [request], locking: false, database: self, direct: nil, in: sql)
            state.markRoundContacts(for: [request])
            try await state.loadResponses(in: sql)
            try await state.loadSources(for: [request], database: self, direct: nil, in: sql)
            switch state.plan(request, now: now) {
            case .success: return []
            case .failure(let error): return error.issues
            }
        }
    }

    private func commitOnce(_ requests: [IngestRequest], now: Timestamp, in sql: any SQLDatabase) async throws
        -> [Result<[IngestOutcome], any Error>] {
        if dialect == .sqlite {
            // Foreign keys checked at COMMIT instead of by each statement: an immediate check can
            // abort a multi-row INSERT half-way, which costs a statement journal (see `insertRows`).
            // Everything is still checked, and a violation still rolls the transaction back.
            try await sql.raw("PRAGMA defer_foreign_keys = ON").run()
        }
        var state = IngestState()
        try await state.loadSurveys(ids: Set(requests.flatMap { $0.items.map(\.surveyID) }), locking: dialect == .postgres, in: sql)
        try await state.loadContacts(for: requests, locking: dialect == .postgres, database: self, direct: sqliteWriter, in: sql)
        state.markRoundContacts(for: requests)
        try await state.loadResponses(in: sql)
        try await state.loadSources(for: requests, database: self, direct: sqliteWriter, in: sql)

        var outcomes: [Result<[PlannedOutcome], ValidationError>] = []
        outcomes.reserveCapacity(requests.count)
        for request in requests {
            let before = state
            switch state.plan(request, now: now) {
            case .success(let planned): outcomes.append(.success(planned))
            case .failure(let error):
                state = before
                outcomes.append(.failure(error))
            }
        }

        try await state.write(database: self, now: now, in: sql)
        return outcomes.map { outcome -> Result<[IngestOutcome], any Error> in
            switch outcome {
            case .failure(let e): .failure(e)
            case .success(let planned): .success(state.outcomes(planned))
            }
        }
    }

    /// Runs what `IngestState.prepareWrite` built, in the caller's transaction.
    func execute(_ write: PreparedWrite, in sql: any SQLDatabase) async throws {
        try await insert(write.contacts, in: sql)
        try await insert(write.responses, in: sql)
        try await insert(write.notes, in: sql)
        try await write.delta.apply(in: sql)
        // Themes in the same transaction as the comment: a report never sees a comment untagged.
        if !write.comments.isEmpty {
            try await AdvocateStore.tagComments(write.comments, replacing: write.recommented, database: self, in: sql)
        }
    }
}

/// The rows an ingest transaction inserts and the rollup and theme changes that go with them.
struct PreparedWrite: Sendable {
    var contacts: PreparedInsert
    var responses: PreparedInsert
    var notes: PreparedInsert
    var delta: RollupDelta
    var comments: [(responseID: Int64, workspaceID: Int64, comment: String?, locale: String?)]
    /// Responses that had a comment before, whose rule themes are worked out again.
    var recommented: [Int64]
}

struct PlannedOutcome {
    /// The response written, or nil when `existing` (an already imported source id) stands.
    var responseIndex: Int?
    var created: Bool
    var existing: (id: Int64, score: Score)?

    init(responseIndex: Int, created: Bool) {
        self.responseIndex = responseIndex
        self.created = created
    }

    init(existing: (id: Int64, score: Score)) {
        self.existing = existing
        self.created = false
    }
}

/// Everything one ingest transaction reads and changes, as plain values: copying it is how a
/// refused request's changes are undone before anything reaches the database.
struct IngestState {
    struct SurveyInfo {
        var workspaceID: Int64
        var zone: SurveyTimeZone
        var roundDays: Int
    }

    struct ContactRow {
        var id: Int64?
        var workspaceID: Int64
        var externalID: String?
        var email: String?
        var name: String?
        var locale: String?
        var timeZone: String?
        var properties: Properties
        var createdAt: Timestamp
        var updatedAt: Timestamp
        var dirty = false
    }

    struct ResponseRow {
        var id: Int64?
        var workspaceID: Int64
        var surveyID: Int64
        var contactIndex: Int?
        var score: Score
        var comment: String?
        var properties: Properties
        var channel: Channel
        var locale: String?
        var day: CalendarDay
        var createdAt: Timestamp
        var updatedAt: Timestamp
        var dirty = false
        var sourceID: String?
        var tags: [String] = []
        var notes: [String] = []
    }

    struct ScopedKey: Hashable {
        var workspaceID: Int64
        var value: String
    }

    struct PairKey: Hashable {
        var surveyID: Int64
        var contactIndex: Int
    }

    var surveys: [Int64: SurveyInfo] = [:]
    var contacts: [ContactRow] = []
    var contactByExternalID: [ScopedKey: Int] = [:]
    var contactByEmail: [ScopedKey: Int] = [:]
    var responses: [ResponseRow] = []
    var responsesByPair: [PairKey: [Int]] = [:]
    var delta = RollupDelta()
    /// Responses already recorded under a source id the requests name.
    var recordedSources: [ScopedKey: (id: Int64, score: Score)] = [:]
    /// Source ids planned in this transaction, to their response.
    var plannedSources: [ScopedKey: Int] = [:]

    // MARK: Loading

    /// `direct`: the SQLite connection `sql` belongs to, read without SQLKit (see `selectRows`).
    mutating func loadSources(for requests: [IngestRequest], database: Database, direct: SQLiteConnection?,
                              in sql: any SQLDatabase) async throws {
        var ids: [Int64: Set<String>] = [:]
        for request in requests {
            for item in request.items { if let s = item.sourceID { ids[request.workspaceID, default: []].insert(s) } }
        }
        for (workspaceID, sources) in ids {
            for chunk in Array(sources).chunked(1_000) {
                let text = "SELECT id, score, source_id FROM responses WHERE workspace_id = ? AND source_id IN (\(Self.placeholders(chunk.count)))"
                try await database.selectRows(text, binds: [.integer(workspaceID)] + chunk.map(RowValue.text), direct: direct, in: sql) { row in
                    guard let score = Score(Int(try row.integer("score"))), let source = try row.text("source_id") else { return }
                    recordedSources[ScopedKey(workspaceID: workspaceID, value: source)] = (try row.integer("id"), score)
                }
            }
        }
    }

    /// `?,?,…`: `count` placeholders for an IN list.
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ",") }

    mutating func loadSurveys(ids: Set<Int64>, locking: Bool, in sql: any SQLDatabase) async throws {
        // FOR SHARE holds off a concurrent time-zone change (which locks the survey FOR UPDATE
        // and rebuilds its rollup) until this commit, so no answer is bucketed by a stale zone.
        let lock: SQLQueryString = locking ? " ORDER BY id FOR SHARE" : ""
        for chunk in Array(ids).chunked(1_000) {
            let rows = try await sql.raw("""
                SELECT id, workspace_id, time_zone, round_days FROM surveys WHERE id IN (\(binds: Array(chunk)))\(lock)
                """).all()
            for row in rows {
                let zone = SurveyTimeZone(validated: try row.decode(column: "time_zone", as: String.self)) ?? .utc
                surveys[try row.decode(column: "id", as: Int64.self)] = SurveyInfo(
                    workspaceID: try row.decode(column: "workspace_id", as: Int64.self), zone: zone,
                    roundDays: try row.decode(column: "round_days", as: Int.self))
            }
        }
    }

    /// `direct`: the SQLite connection `sql` belongs to, read without SQLKit (see `selectRows`).
    mutating func loadContacts(for requests: [IngestRequest], locking: Bool, database: Database, direct: SQLiteConnection?,
                               in sql: any SQLDatabase) async throws {
        var externalIDs: [Int64: Set<String>] = [:]
        var emails: [Int64: Set<String>] = [:]
        for request in requests {
            for item in request.items {
                guard let c = item.contact else { continue }
                if let e = c.externalID { externalIDs[request.workspaceID, default: []].insert(e) }
                if let e = c.email { emails[request.workspaceID, default: []].insert(e) }
            }
        }
        // FOR UPDATE serialises two PostgreSQL writers on the same contact, so the round lookup
        // below cannot race; SQLite has one writer and no such clause.
        let lock = locking ? " ORDER BY id FOR UPDATE" : ""
        for workspaceID in Set(externalIDs.keys).union(emails.keys) {
            for (column, values) in [("external_id", externalIDs[workspaceID] ?? []), ("email", emails[workspaceID] ?? [])] {
                for chunk in Array(values).chunked(1_000) {
                    let text = "SELECT id, workspace_id, external_id, email, name, locale, time_zone, properties, created_at, updated_at FROM contacts "
                        + "WHERE workspace_id = ? AND \(column) IN (" + Self.placeholders(chunk.count) + ")" + lock
                    try await database.selectRows(text, binds: [.integer(workspaceID)] + chunk.map(RowValue.text), direct: direct, in: sql) {
                        try register($0)
                    }
                }
            }
        }
    }

    private mutating func register(_ row: any ColumnValues) throws {
        let id = try row.integer("id")
        if contactIDIndex[id] != nil { return }
        let c = ContactRow(
            id: id, workspaceID: try row.integer("workspace_id"), externalID: try row.text("external_id"),
            email: try row.text("email"), name: try row.text("name"), locale: try row.text("locale"),
            timeZone: try row.text("time_zone"), properties: Properties(jsonText: try row.text("properties") ?? "{}"),
            createdAt: Timestamp(milliseconds: try row.integer("created_at")), updatedAt: Timestamp(milliseconds: try row.integer("updated_at")))
        let index = contacts.count
        contacts.append(c)
        contactIDIndex[id] = index
        if let e = c.externalID { contactByExternalID[ScopedKey(workspaceID: c.workspaceID, value: e)] = index }
        if let e = c.email { contactByEmail[ScopedKey(workspaceID: c.workspaceID, value: e)] = index }
    }

    var contactIDIndex: [Int64: Int] = [:]

    /// Contacts whose answers may update a round's response: those named by an answer without a
    /// source id (imported history never merges into a round, so its contacts need no lookup).
    var roundContactIDs: Set<Int64>?

    mutating func markRoundContacts(for requests: [IngestRequest]) {
        var ids: Set<Int64> = []
        for request in requests {
            for item in request.items where item.sourceID == nil {
                guard let c = item.contact else { continue }
                for index in [c.externalID.flatMap { contactByExternalID[ScopedKey(workspaceID: request.workspaceID, value: $0)] },
                              c.email.flatMap { contactByEmail[ScopedKey(workspaceID: request.workspaceID, value: $0)] }] {
                    if let index, let id = contacts[index].id { ids.insert(id) }
                }
            }
        }
        roundContactIDs = ids
    }

    mutating func loadResponses(in sql: any SQLDatabase) async throws {
        let ids = Array(roundContactIDs.map { $0.intersection(contactIDIndex.keys) } ?? Set(contactIDIndex.keys))
        let surveyIDs = Array(surveys.keys)
        guard !ids.isEmpty, !surveyIDs.isEmpty else { return }
        for chunk in ids.chunked(1_000) {
            let rows = try await sql.raw("""
                SELECT id, workspace_id, survey_id, contact_id, score, comment, properties, channel, locale, day, created_at, updated_at, tags
                FROM responses WHERE contact_id IN (\(binds: Array(chunk))) AND survey_id IN (\(binds: surveyIDs)) AND status = 'counted'
                """).all()
            for row in rows {
                guard let contactIndex = contactIDIndex[try row.decode(column: "contact_id", as: Int64.self)],
                      let score = Score(try row.decode(column: "score", as: Int.self)) else { continue }
                let r = ResponseRow(
                    id: try row.decode(column: "id", as: Int64.self),
                    workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                    surveyID: try row.decode(column: "survey_id", as: Int64.self), contactIndex: contactIndex,
                    score: score, comment: try row.decode(column: "comment", as: String?.self),
                    properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)),
                    channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api,
                    locale: try row.decode(column: "locale", as: String?.self),
                    day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                    createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                    updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
                    tags: ResponseTags.decode(try row.decode(column: "tags", as: String.self)))
                responsesByPair[PairKey(surveyID: r.surveyID, contactIndex: contactIndex), default: []].append(responses.count)
                responses.append(r)
            }
        }
    }

    // MARK: Planning

    mutating func plan(_ request: IngestRequest, now: Timestamp) -> Result<[PlannedOutcome], ValidationError> {
        var outcomes: [PlannedOutcome] = []
        outcomes.reserveCapacity(request.items.count)
        var issues: [ValidationIssue] = []
        for (i, item) in request.items.enumerated() {
            guard let survey = surveys[item.surveyID], survey.workspaceID == request.workspaceID else {
                issues.append(ValidationIssue(field: request.field(i, "survey_id"), message: "no survey with id \(item.surveyID) in this workspace"))
                continue
            }
            let at = item.createdAt ?? now
            if at.milliseconds > now.milliseconds + allowedClockSkewMilliseconds {
                issues.append(ValidationIssue(field: request.field(i, "created_at"), message: "must not be in the future (it is \(now) now)"))
                continue
            }
            var contactIndex: Int?
            if let input = item.contact {
                switch resolveContact(input, workspaceID: request.workspaceID, now: now) {
                case .success(let index): contactIndex = index
                case .failure(let issue):
                    issues.append(ValidationIssue(field: request.field(i, "contact.\(issue.field)"), message: issue.message))
                    continue
                }
            }
            guard issues.isEmpty else { continue }
            if let source = item.sourceID {
                let key = ScopedKey(workspaceID: request.workspaceID, value: source)
                if let existing = recordedSources[key] {
                    outcomes.append(PlannedOutcome(existing: existing))
                    continue
                }
                if let index = plannedSources[key] {
                    outcomes.append(PlannedOutcome(responseIndex: index, created: false))
                    continue
                }
            }
            // The response's own properties win; merging into an empty set would only copy.
            let contactProperties = contactIndex.map { contacts[$0].properties } ?? [:]
            let snapshot = contactProperties.isEmpty ? item.properties : item.properties.isEmpty ? contactProperties
                : contactProperties.merging(item.properties) { _, own in own }
            outcomes.append(record(item, survey: survey, workspaceID: request.workspaceID, contactIndex: contactIndex,
                                   at: at, snapshot: snapshot))
        }
        return issues.isEmpty ? .success(outcomes) : .failure(ValidationError(issues))
    }

    private mutating func record(_ item: ResponseSubmission, survey: SurveyInfo, workspaceID: Int64, contactIndex: Int?,
                                 at: Timestamp, snapshot: Properties) -> PlannedOutcome {
        if let contactIndex, item.sourceID == nil {
            let pair = PairKey(surveyID: item.surveyID, contactIndex: contactIndex)
            let sameRound = (responsesByPair[pair] ?? [])
                .filter { SurveyRound.contains(at, roundStart: responses[$0].createdAt, roundDays: survey.roundDays) }
                .max { responses[$0].createdAt < responses[$1].createdAt }
            if let index = sameRound {
                var r = responses[index]
                // The latest answer in a round wins; a late-arriving older one changes nothing.
                if at >= r.updatedAt {
                    delta.add(surveyID: r.surveyID, day: r.day, score: r.score, channel: r.channel, locale: r.locale,
                              properties: r.properties, sign: -1)
                    r.score = item.score
                    if let comment = item.comment { r.comment = comment }
                    r.properties = snapshot
                    r.channel = item.channel
                    if let locale = item.locale { r.locale = locale }
                    r.updatedAt = at
                    r.dirty = true
                    delta.add(surveyID: r.surveyID, day: r.day, score: r.score, channel: r.channel, locale: r.locale,
                              properties: r.properties, sign: 1)
                    responses[index] = r
                }
                return PlannedOutcome(responseIndex: index, created: false)
            }
        }
        let r = ResponseRow(id: nil, workspaceID: workspaceID, surveyID: item.surveyID, contactIndex: contactIndex,
                            score: item.score, comment: item.comment, properties: snapshot, channel: item.channel,
                            locale: item.locale, day: survey.zone.day(containing: at), createdAt: at, updatedAt: at, dirty: true,
                            sourceID: item.sourceID, tags: item.tags, notes: item.notes)
        let index = responses.count
        if let source = item.sourceID { plannedSources[ScopedKey(workspaceID: workspaceID, value: source)] = index }
        responses.append(r)
        if let contactIndex { responsesByPair[PairKey(surveyID: item.surveyID, contactIndex: contactIndex), default: []].append(index) }
        delta.add(surveyID: r.surveyID, day: r.day, score: r.score, channel: r.channel, locale: r.locale,
                  properties: r.properties, sign: 1)
        return PlannedOutcome(responseIndex: index, created: true)
    }

    /// Finds or creates the contact an answer names, applying the fields it sends.
    private mutating func resolveContact(_ input: ContactInput, workspaceID: Int64, now: Timestamp) -> Result<Int, ValidationIssue> {
        var index = input.externalID.flatMap { contactByExternalID[ScopedKey(workspaceID: workspaceID, value: $0)] }
        if index == nil, let email = input.email, let byEmail = contactByEmail[ScopedKey(workspaceID: workspaceID, value: email)] {
            if let ext = input.externalID, let other = contacts[byEmail].externalID, other != ext {
                return .failure(ValidationIssue(field: "email", message: "\(email) already belongs to the contact with external_id \"\(other)\""))
            }
            index = byEmail
        }
        if let index, let email = input.email, contacts[index].email != email,
           let owner = contactByEmail[ScopedKey(workspaceID: workspaceID, value: email)], owner != index {
            return .failure(ValidationIssue(field: "email", message: "\(email) already belongs to another contact"))
        }
        let i: Int
        if let index {
            i = index
        } else {
            i = contacts.count
            contacts.append(ContactRow(id: nil, workspaceID: workspaceID, externalID: nil, email: nil, name: nil, locale: nil,
                                       timeZone: nil, properties: [:], createdAt: now, updatedAt: now, dirty: true))
        }
        var c = contacts[i]
        let before = (c.externalID, c.email, c.name, c.locale, c.timeZone, c.properties)
        if let ext = input.externalID, c.externalID == nil {
            c.externalID = ext
            contactByExternalID[ScopedKey(workspaceID: workspaceID, value: ext)] = i
        }
        if let email = input.email, c.email != email {
            if let old = c.email { contactByEmail.removeValue(forKey: ScopedKey(workspaceID: workspaceID, value: old)) }
            c.email = email
            contactByEmail[ScopedKey(workspaceID: workspaceID, value: email)] = i
        }
        if let name = input.name { c.name = name }
        if let locale = input.locale { c.locale = locale }
        if let zone = input.timeZone { c.timeZone = zone }
        if let patch = input.properties { c.properties = c.properties.merging(patch: patch) }
        if before != (c.externalID, c.email, c.name, c.locale, c.timeZone, c.properties) {
            c.dirty = true
            c.updatedAt = now
        }
        contacts[i] = c
        return .success(i)
    }

    // MARK: Writing

    mutating func write(database: Database, now: Timestamp, in sql: any SQLDatabase) async throws {
        let newContacts = newContactIndices, newResponses = newResponseIndices
        assignIDs(contacts: try await database.reserveIDs("contacts", count: newContacts.count, in: sql),
                  responses: try await database.reserveIDs("responses", count: newResponses.count, in: sql))
        try await database.execute(prepareWrite(database, newResponses: newResponses), in: sql)
        try await emitWebhookEvents(created: Set(newResponses), database: database, now: now, in: sql)
        // Alert rules are evaluated by a job, so answering never waits for them; imported
        // history is not news and alerts nobody.
        try await AdvocateStore.enqueueAlertEvaluations(
            responses.filter { $0.dirty && $0.sourceID == nil }.map { ($0.workspaceID, $0.id!) }, now: now, in: sql)
    }

    /// Contacts and responses planned without an id yet.
    var newContactIndices: [Int] { contacts.indices.filter { contacts[$0].id == nil } }
    var newResponseIndices: [Int] { responses.indices.filter { responses[$0].id == nil } }

    /// Gives the new contacts and responses, in order, these ids.
    mutating func assignIDs(contacts contactIDs: [Int64], responses responseIDs: [Int64]) {
        for (index, id) in zip(newContactIndices, contactIDs) { contacts[index].id = id }
        for (index, id) in zip(newResponseIndices, responseIDs) { responses[index].id = id }
    }

    /// Everything `write` inserts once ids are assigned, built without the database;
    /// `newResponses` are the responses this plan created.
    func prepareWrite(_ database: Database, newResponses: [Int]) -> PreparedWrite {
        var contactValues: [RowValue] = []
        // By index: an import keeps every contact it met, and copying each to test one flag costs.
        for i in contacts.indices where contacts[i].dirty {
            let c = contacts[i]
            contactValues += [.integer(c.id!), .integer(c.workspaceID), .text(c.externalID), .text(c.email), .text(c.name), .text(c.locale),
                              .text(c.timeZone), .text(c.properties.jsonText), .integer(c.createdAt.milliseconds), .integer(c.updatedAt.milliseconds)]
        }
        var responseValues: [RowValue] = []
        for r in responses where r.dirty {
            responseValues += [.integer(r.id!), .integer(r.workspaceID), .integer(r.surveyID), r.contactIndex.flatMap { contacts[$0].id }.map(RowValue.integer) ?? .null,
                               .integer(Int64(r.score.value)), .text(r.comment), .text(r.properties.jsonText), .text(r.channel.rawValue), .text(r.locale),
                               .text("counted"), .integer(Int64(r.day.daysSinceEpoch)), .integer(r.createdAt.milliseconds), .integer(r.updatedAt.milliseconds),
                               .text(r.sourceID), .text(r.tags.isEmpty ? "[]" : ResponseTags.encode(r.tags))]
        }
        let notes = newResponses.flatMap { i in
            responses[i].notes.flatMap { text -> [RowValue] in
                [.integer(responses[i].workspaceID), .integer(responses[i].id!), .text(text), .integer(responses[i].createdAt.milliseconds)]
            }
        }
        let commented = responses.indices.filter { responses[$0].dirty && responses[$0].comment != nil }
        let created = Set(newResponses)
        return PreparedWrite(
            contacts: database.prepareInsert(
                "INSERT INTO contacts (id, workspace_id, external_id, email, name, locale, time_zone, properties, created_at, updated_at) VALUES",
                columns: 10, values: contactValues, tail: """
                    ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, email = excluded.email, name = excluded.name,
                    locale = excluded.locale, time_zone = excluded.time_zone, properties = excluded.properties, updated_at = excluded.updated_at
                    """),
            responses: database.prepareInsert(
                "INSERT INTO responses (id, workspace_id, survey_id, contact_id, score, comment, properties, channel, locale, status, day, created_at, updated_at, source_id, tags) VALUES",
                columns: 15, values: responseValues, tail: """
                    ON CONFLICT (id) DO UPDATE SET score = excluded.score, comment = excluded.comment, properties = excluded.properties,
                    channel = excluded.channel, locale = excluded.locale, updated_at = excluded.updated_at
                    """),
            notes: database.prepareInsert("INSERT INTO response_notes (workspace_id, response_id, text, created_at) VALUES",
                                          columns: 4, values: notes, tail: ""),
            delta: delta,
            comments: commented.map { (responses[$0].id!, responses[$0].workspaceID, responses[$0].comment, responses[$0].locale) },
            recommented: commented.filter { !created.contains($0) }.map { responses[$0].id! })
    }

    /// What one planned request's answers came to, once ids are assigned.
    func outcomes(_ planned: [PlannedOutcome]) -> [IngestOutcome] {
        planned.map { p in
            if let existing = p.existing { return IngestOutcome(id: existing.id, category: existing.score.category, created: false) }
            let r = responses[p.responseIndex!]
            return IngestOutcome(id: r.id!, category: r.score.category, created: p.created)
        }
    }

    /// response.created / response.updated for what this transaction wrote. Imported history
    /// (answers with a source id) is not news and emits nothing.
    private func emitWebhookEvents(created: Set<Int>, database: Database, now: Timestamp, in sql: any SQLDatabase) async throws {
        let written = responses.indices.filter { responses[$0].dirty && responses[$0].sourceID == nil }
        guard !written.isEmpty else { return }
        let targets = try await AdvocateStore.webhookTargets(workspaceIDs: Set(written.map { responses[$0].workspaceID }), in: sql)
        guard !targets.isEmpty else { return }
        let events = written.map { i in
            let r = responses[i]
            let contact = r.contactIndex.map { contacts[$0] }.map {
                Contact(id: $0.id!, workspaceID: $0.workspaceID, externalID: $0.externalID, email: $0.email, name: $0.name, locale: $0.locale,
                        timeZone: $0.timeZone, properties: $0.properties, createdAt: $0.createdAt, updatedAt: $0.updatedAt)
            }
            let response = Response(id: r.id!, workspaceID: r.workspaceID, surveyID: r.surveyID, contactID: contact?.id, score: r.score,
                                    comment: r.comment, properties: r.properties, channel: r.channel, locale: r.locale,
                                    createdAt: r.createdAt, updatedAt: r.updatedAt, day: r.day, tags: r.tags)
            return WebhookEvent(workspaceID: r.workspaceID, type: created.contains(i) ? .responseCreated : .responseUpdated,
                                data: WebhookPayload.responseData(response, contact: contact))
        }
        try await AdvocateStore.enqueueWebhookEvents(events, targets: targets, database: database, now: now, in: sql)
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
