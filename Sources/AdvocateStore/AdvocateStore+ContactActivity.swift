import AdvocateCore
import SQLKit

/// When a contact was last asked, last answered and will next be asked (the fields Delighted's
/// people carry, and what a CRM sync wants to know).
public struct ContactActivity: Sendable, Hashable {
    public var lastSentAt: Timestamp?
    public var lastRespondedAt: Timestamp?
    /// The earliest invitation still waiting to be sent, and its id.
    public var nextScheduled: (id: Int64, at: Timestamp, createdAt: Timestamp)?

    public init() {}

    public static func == (a: ContactActivity, b: ContactActivity) -> Bool {
        a.lastSentAt == b.lastSentAt && a.lastRespondedAt == b.lastRespondedAt
            && a.nextScheduled?.id == b.nextScheduled?.id && a.nextScheduled?.at == b.nextScheduled?.at
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lastSentAt)
        hasher.combine(lastRespondedAt)
        hasher.combine(nextScheduled?.id)
    }
}

/// Which contacts a list shows.
public struct ContactListFilter: Sendable, Hashable {
    public var email: String?
    /// Created at or after.
    public var createdFrom: Timestamp?
    /// Created at or before.
    public var createdTo: Timestamp?
    /// Only contacts whose properties have this key with the value `true` (a membership flag).
    public var flag: String?

    public init(email: String? = nil, createdFrom: Timestamp? = nil, createdTo: Timestamp? = nil, flag: String? = nil) {
        self.email = email
        self.createdFrom = createdFrom
        self.createdTo = createdTo
        self.flag = flag
    }
}

extension AdvocateStore {
    /// Contacts matching `filter`, oldest first, after the cursor.
    public func contacts(workspaceID: Int64, filter: ContactListFilter, after cursor: Int64?, limit: Int) async throws -> Page<Contact> {
        var q: SQLQueryString = "SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND id > \(bind: cursor ?? 0)"
        if let v = filter.email { q += " AND email = \(bind: v)" }
        if let v = filter.createdFrom { q += " AND created_at >= \(bind: v.milliseconds)" }
        if let v = filter.createdTo { q += " AND created_at <= \(bind: v.milliseconds)" }
        // Properties are JSON text with sorted keys and no spaces, and quotes inside strings are
        // escaped, so `"flag":true` in the text is the flag set to true and nothing else.
        if let v = filter.flag { q += " AND properties LIKE \(bind: ResponseFilter.containing(JSONValue.string(v).serialized() + ":true")) ESCAPE '\\'" }
        let query = q + " ORDER BY id LIMIT \(literal: limit + 1)"
        return try await database.read { sql in
            let rows = try await sql.raw(query).all()
            let items = try rows.prefix(limit).map(Self.decodeContact)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// Each contact's activity in one survey (or in all, when `surveyID` is nil).
    public func contactActivity(workspaceID: Int64, contactIDs: [Int64], surveyID: Int64?) async throws -> [Int64: ContactActivity] {
        guard !contactIDs.isEmpty else { return [:] }
        let survey: SQLQueryString = surveyID.map { " AND survey_id = \(bind: $0)" } ?? ""
        return try await database.read { sql in
            var result: [Int64: ContactActivity] = [:]
            for chunk in contactIDs.chunked(500) {
                let ids = Array(chunk)
                for row in try await sql.raw("""
                    SELECT contact_id, MAX(sent_at) AS last_sent FROM invitations
                    WHERE workspace_id = \(bind: workspaceID) AND contact_id IN (\(binds: ids))\(survey) GROUP BY contact_id
                    """).all() {
                    let id = try row.decode(column: "contact_id", as: Int64.self)
                    result[id, default: ContactActivity()].lastSentAt = try row.decode(column: "last_sent", as: Int64?.self).map(Timestamp.init(milliseconds:))
                }
                for row in try await sql.raw("""
                    SELECT contact_id, MAX(updated_at) AS last_answer FROM responses
                    WHERE workspace_id = \(bind: workspaceID) AND contact_id IN (\(binds: ids)) AND status = 'counted'\(survey) GROUP BY contact_id
                    """).all() {
                    let id = try row.decode(column: "contact_id", as: Int64.self)
                    result[id, default: ContactActivity()].lastRespondedAt = try row.decode(column: "last_answer", as: Int64?.self).map(Timestamp.init(milliseconds:))
                }
                for row in try await sql.raw("""
                    SELECT id, contact_id, send_at, created_at FROM invitations
                    WHERE workspace_id = \(bind: workspaceID) AND contact_id IN (\(binds: ids)) AND status = 'scheduled'\(survey)
                    ORDER BY send_at, id
                    """).all() {
                    let id = try row.decode(column: "contact_id", as: Int64.self)
                    guard result[id]?.nextScheduled == nil else { continue }
                    result[id, default: ContactActivity()].nextScheduled = (
                        try row.decode(column: "id", as: Int64.self),
                        Timestamp(milliseconds: try row.decode(column: "send_at", as: Int64.self)),
                        Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
                }
            }
            return result
        }
    }

    /// Cancels a contact's invitations that are not sent yet (their jobs then end without
    /// sending); returns how many.
    public func cancelScheduledInvitations(workspaceID: Int64, contactID: Int64, reason: String) async throws -> Int {
        let now = clock.now()
        return try await database.write { sql in
            try await sql.raw("""
                UPDATE invitations SET status = 'cancelled', last_error = \(bind: reason), updated_at = \(bind: now.milliseconds)
                WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: contactID) AND status = 'scheduled' RETURNING id
                """).all().count
        }
    }
}
