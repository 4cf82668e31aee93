import AdvocateCore
import SQLKit

/// Which cases a list shows.
public struct CaseFilter: Sendable, Hashable {
    public var status: CaseStatus?
    /// The owner's address; "" for unassigned cases.
    public var owner: String?
    /// Only open cases past their due date (at the store's clock).
    public var overdue: Bool = false
    /// Changed at or after this (a CRM's sync cursor).
    public var updatedSince: Timestamp?
    public var responseID: Int64?

    public init() {}
}

/// A change a member asks of a case.
public struct CaseChange: Sendable, Hashable {
    public var status: CaseStatus?
    /// `.some(nil)` clears it.
    public var outcome: CaseOutcome??
    /// `.some(nil)` unassigns.
    public var owner: String??
    public var dueAt: Timestamp?

    public init(status: CaseStatus? = nil, outcome: CaseOutcome?? = nil, owner: String?? = nil, dueAt: Timestamp? = nil) {
        self.status = status
        self.outcome = outcome
        self.owner = owner
        self.dueAt = dueAt
    }
}

/// Why a case could not be changed.
public enum CaseRefusal: Error, Sendable, Hashable {
    case notFound
    /// The field and why.
    case invalid(field: String, message: String)
}

extension AdvocateStore {
    public func followUpCase(workspaceID: Int64, id: Int64) async throws -> (FollowUpCase, [CaseEvent])? {
        try await database.read { sql in
            guard let c = try await sql.raw("SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeCase) else {
                return nil
            }
            let events = try await sql.raw("SELECT * FROM case_events WHERE case_id = \(bind: id) ORDER BY id").all().map(Self.decodeCaseEvent)
            return (c, events)
        }
    }

    /// The case of a response, if it has one.
    public func followUpCase(workspaceID: Int64, responseID: Int64) async throws -> FollowUpCase? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND response_id = \(bind: responseID)").first().map(Self.decodeCase)
        }
    }

    /// Cases, newest first.
    public func followUpCases(workspaceID: Int64, filter: CaseFilter, before cursor: Int64?, limit: Int) async throws -> Page<FollowUpCase> {
        let now = clock.now().milliseconds
        return try await database.read { sql in
            var q: SQLQueryString = "SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND id < \(bind: cursor ?? Int64.max)"
            if let s = filter.status { q += " AND status = \(bind: s.rawValue)" }
            if let o = filter.owner { q += o.isEmpty ? " AND owner_email IS NULL" : " AND owner_email = \(bind: o.lowercased())" }
            if filter.overdue { q += " AND status = 'open' AND due_at < \(bind: now)" }
            if let t = filter.updatedSince { q += " AND updated_at >= \(bind: t.milliseconds)" }
            if let r = filter.responseID { q += " AND response_id = \(bind: r)" }
            q += " ORDER BY id DESC LIMIT \(literal: limit + 1)"
            let rows = try await sql.raw(q).all()
            let items = try rows.prefix(limit).map(Self.decodeCase)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// SLA figures over the cases opened in the last `days` days, overall and by owner.
    public func caseSLA(workspaceID: Int64, days: Int = 90) async throws -> (all: CaseSLA, owners: [(owner: String, sla: CaseSLA)]) {
        let now = clock.now()
        let cases = try await database.read { sql in
            try await sql.raw("""
                SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND created_at >= \(bind: now.milliseconds - Int64(days) * Timestamp.millisecondsPerDay)
                """).all().map(Self.decodeCase)
        }
        return CaseSLA.byOwner(cases, now: now)
    }

    /// Changes a case, recording each change in its history and telling webhooks (`case.updated`).
    public func updateCase(workspaceID: Int64, id: Int64, _ change: CaseChange, author: String?) async throws -> Result<FollowUpCase, CaseRefusal> {
        let now = clock.now()
        let database = self.database
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        return try await database.write { sql in
            guard var c = try await sql.raw("SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)\(lock)").first().map(Self.decodeCase) else {
                return .failure(.notFound)
            }
            var changes: [String] = []
            if let status = change.status, status != c.status {
                guard c.status.canMove(to: status) else {
                    return .failure(.invalid(field: "status", message: "a \(c.status.rawValue) case cannot become \(status.rawValue) (open → contacted → resolved; resolved cases can be reopened)"))
                }
                changes.append("status \(c.status.rawValue) → \(status.rawValue)")
                Self.move(&c, to: status, now: now)
            }
            if let outcome = change.outcome, outcome != c.outcome {
                if outcome != nil && c.status != .resolved {
                    return .failure(.invalid(field: "outcome", message: "only a resolved case has an outcome (send \"status\": \"resolved\" with it)"))
                }
                changes.append("outcome \(c.outcome?.rawValue ?? "none") → \(outcome?.rawValue ?? "none")")
                c.outcome = outcome
            }
            if c.status != .resolved && c.outcome != nil { c.outcome = nil }
            if let requested = change.owner, requested?.lowercased() != c.ownerEmail {
                let owner = requested?.lowercased()
                if let owner, try await !Self.caseWorkers(workspaceID: workspaceID, in: sql).contains(owner) {
                    return .failure(.invalid(field: "owner", message: "\(owner) is not a member of this workspace who can work cases (owner, admin or member)"))
                }
                changes.append("owner \(c.ownerEmail ?? "nobody") → \(owner ?? "nobody")")
                c.ownerEmail = owner
            }
            if let due = change.dueAt, due != c.dueAt {
                changes.append("due \(c.dueAt.rfc3339) → \(due.rfc3339)")
                c.dueAt = due
            }
            guard !changes.isEmpty else { return .success(c) }
            c.updatedAt = now
            try await Self.saveCase(c, in: sql)
            try await Self.insertCaseEvent(c, kind: .changed, author: author, text: changes.joined(separator: "; "), now: now, in: sql)
            try await Self.emitCaseUpdated(c, database: database, now: now, in: sql)
            return .success(c)
        }
    }

    /// Adds a note to a case's history.
    public func addCaseNote(workspaceID: Int64, id: Int64, text: String, author: String?) async throws -> CaseEvent? {
        let now = clock.now()
        let database = self.database
        return try await database.write { sql in
            guard var c = try await sql.raw("SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeCase) else {
                return nil
            }
            c.updatedAt = now
            try await Self.saveCase(c, in: sql)
            let event = try await Self.insertCaseEvent(c, kind: .note, author: author, text: text, now: now, in: sql)
            try await Self.emitCaseUpdated(c, database: database, now: now, in: sql)
            return event
        }
    }

    /// What a reply needs: the case, its response, the respondent and the survey (for the template).
    public func caseReplyContext(workspaceID: Int64, id: Int64) async throws -> (FollowUpCase, Response, Contact?, Survey)? {
        try await database.read { sql in
            guard let c = try await sql.raw("SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeCase),
                  let response = try await sql.raw("SELECT * FROM responses WHERE id = \(bind: c.responseID)").first().map(Self.decodeResponse),
                  let survey = try await sql.raw("SELECT * FROM surveys WHERE id = \(bind: c.surveyID)").first().map(Self.decodeSurvey) else { return nil }
            var contact: Contact?
            if let contactID = response.contactID {
                contact = try await sql.raw("SELECT * FROM contacts WHERE id = \(bind: contactID)").first().map(Self.decodeContact)
            }
            return (c, response, contact, survey)
        }
    }

    /// Queues `reply` to `email` through the e-mail pipeline, logs it on the case and marks the
    /// case contacted, in one transaction. Refused when the address is suppressed.
    public func queueCaseReply(workspaceID: Int64, id: Int64, to email: String, reply: CaseReply, author: String?) async throws -> Result<FollowUpCase, CaseRefusal> {
        let now = clock.now()
        let database = self.database
        return try await database.write { sql in
            guard var c = try await sql.raw("SELECT * FROM cases WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeCase) else {
                return .failure(.notFound)
            }
            if let s = try await Self.suppressions(workspaceID: workspaceID, emails: [email], in: sql)[email] {
                return .failure(.invalid(field: "to", message: "\(email) is on the suppression list (\(s.reason.rawValue)); Advocate sends it nothing"))
            }
            if c.status == .open { Self.move(&c, to: .contacted, now: now) }
            c.updatedAt = now
            try await Self.saveCase(c, in: sql)
            try await Self.insertCaseEvent(c, kind: .reply, author: author, text: "To: \(email)\nSubject: \(reply.subject)\n\n\(reply.text)", now: now, in: sql)
            try await Self.insertJobs([NewJob(workspaceID: workspaceID, kind: loopEmailJobKind, payload: [
                "to": .array([.string(email)]), "subject": .string(reply.subject), "text": .string(reply.text),
                "workspace_id": .integer(workspaceID), "from_name": author.map(JSONValue.string) ?? .null,
                // The respondent's answer should reach the person who works the case.
                "reply_to": (c.ownerEmail ?? author).map(JSONValue.string) ?? .null,
            ], runAt: now)], now: now, in: sql)
            try await Self.emitCaseUpdated(c, database: database, now: now, in: sql)
            return .success(c)
        }
    }

    // MARK: - Helpers

    private static func move(_ c: inout FollowUpCase, to status: CaseStatus, now: Timestamp) {
        if status != .open && c.firstContactAt == nil && status == .contacted { c.firstContactAt = now }
        c.resolvedAt = status == .resolved ? now : nil
        c.status = status
    }

    private static func saveCase(_ c: FollowUpCase, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE cases SET owner_email = \(bind: c.ownerEmail), status = \(bind: c.status.rawValue), outcome = \(bind: c.outcome?.rawValue),
                due_at = \(bind: c.dueAt.milliseconds), first_contact_at = \(bind: c.firstContactAt?.milliseconds),
                resolved_at = \(bind: c.resolvedAt?.milliseconds), updated_at = \(bind: c.updatedAt.milliseconds)
            WHERE id = \(bind: c.id)
            """).run()
    }

    @discardableResult
    static func insertCaseEvent(_ c: FollowUpCase, kind: CaseEvent.Kind, author: String?, text: String, now: Timestamp,
                                in sql: any SQLDatabase) async throws -> CaseEvent {
        try await sql.raw("""
            INSERT INTO case_events (workspace_id, case_id, kind, author, text, at)
            VALUES (\(bind: c.workspaceID), \(bind: c.id), \(bind: kind.rawValue), \(bind: author), \(bind: text), \(bind: now.milliseconds))
            RETURNING *
            """).first().map(decodeCaseEvent)!
    }

    private static func emitCaseUpdated(_ c: FollowUpCase, database: Database, now: Timestamp, in sql: any SQLDatabase) async throws {
        guard let targets = try await webhookTargets(workspaceID: c.workspaceID, receiving: .caseUpdated, in: sql),
              let response = try await sql.raw("SELECT * FROM responses WHERE id = \(bind: c.responseID)").first().map(decodeResponse) else { return }
        var contact: Contact?
        if let contactID = response.contactID {
            contact = try await sql.raw("SELECT * FROM contacts WHERE id = \(bind: contactID)").first().map(decodeContact)
        }
        let event = WebhookEvent(workspaceID: c.workspaceID, type: .caseUpdated,
                                 data: WebhookPayload.loopData(rule: nil, response: response, contact: contact, followUp: c))
        try await enqueueWebhookEvents([event], targets: targets, database: database, now: now, in: sql)
    }

    static func decodeCase(_ row: any SQLRow) throws -> FollowUpCase {
        func time(_ column: String) throws -> Timestamp? { try row.decode(column: column, as: Int64?.self).map(Timestamp.init(milliseconds:)) }
        return FollowUpCase(
            id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
            responseID: try row.decode(column: "response_id", as: Int64.self), surveyID: try row.decode(column: "survey_id", as: Int64.self),
            ruleID: try row.decode(column: "rule_id", as: Int64?.self), ownerEmail: try row.decode(column: "owner_email", as: String?.self),
            status: CaseStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .open,
            outcome: try row.decode(column: "outcome", as: String?.self).flatMap(CaseOutcome.init(rawValue:)),
            dueAt: try time("due_at")!, firstContactAt: try time("first_contact_at"), resolvedAt: try time("resolved_at"),
            createdAt: try time("created_at")!, updatedAt: try time("updated_at")!, respondedAt: try time("responded_at")!)
    }

    static func decodeCaseEvent(_ row: any SQLRow) throws -> CaseEvent {
        CaseEvent(id: try row.decode(column: "id", as: Int64.self), caseID: try row.decode(column: "case_id", as: Int64.self),
                  kind: CaseEvent.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .note,
                  author: try row.decode(column: "author", as: String?.self), text: try row.decode(column: "text", as: String.self),
                  at: Timestamp(milliseconds: try row.decode(column: "at", as: Int64.self)))
    }
}
