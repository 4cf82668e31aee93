import AdvocateCore
import SQLKit

/// What an event did: for each enabled rule of its name, an invitation or why not.
public struct EventOutcome: Sendable {
    public var eventID: Int64
    public var contact: Contact
    public var fired: [(rule: TriggerRule, decision: InvitationDecision?)]
}

/// Why a trigger rule cannot be saved as asked.
public enum TriggerRefusal: Error, Sendable, Hashable {
    case notFound
    case unknownSurvey(Int64)
}

extension AdvocateStore {
    // MARK: - Rules

    public func createTrigger(workspaceID: Int64, _ rule: TriggerRule, audit: AuditActor? = nil) async throws -> Result<TriggerRule, TriggerRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard try await Self.survey(workspaceID: workspaceID, id: rule.surveyID, in: sql) != nil else { return .failure(.unknownSurvey(rule.surveyID)) }
            var saved = rule
            saved.workspaceID = workspaceID
            saved.createdAt = now
            saved.updatedAt = now
            saved.id = try await sql.raw("""
                INSERT INTO triggers (workspace_id, survey_id, event_name, delay_minutes, conditions, throttle_days, reminders, enabled, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: rule.surveyID), \(bind: rule.eventName), \(bind: rule.delayMinutes),
                        \(bind: rule.conditions.json.serialized()), \(bind: rule.throttleDays), \(bind: rule.reminders), \(bind: rule.enabled ? 1 : 0),
                        \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            try await Self.audit(audit, workspaceID: workspaceID, action: "trigger.created", target: ("trigger", String(saved.id)),
                                 changes: Self.auditChanges(rule), at: now, in: sql)
            return .success(saved)
        }
    }

    public func trigger(workspaceID: Int64, id: Int64) async throws -> TriggerRule? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM triggers WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeTrigger)
        }
    }

    public func triggers(workspaceID: Int64, before cursor: Int64?, limit: Int) async throws -> Page<TriggerRule> {
        try await database.read { sql in
            var q: SQLQueryString = "SELECT * FROM triggers WHERE workspace_id = \(bind: workspaceID)"
            if let cursor { q += " AND id < \(bind: cursor)" }
            q += " ORDER BY id DESC LIMIT \(literal: limit + 1)"
            let rows = try await sql.raw(q).all()
            let items = try rows.prefix(limit).map(Self.decodeTrigger)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    public func updateTrigger(workspaceID: Int64, _ rule: TriggerRule, audit: AuditActor? = nil) async throws -> Result<TriggerRule, TriggerRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard try await Self.survey(workspaceID: workspaceID, id: rule.surveyID, in: sql) != nil else { return .failure(.unknownSurvey(rule.surveyID)) }
            let updated = try await sql.raw("""
                UPDATE triggers SET survey_id = \(bind: rule.surveyID), event_name = \(bind: rule.eventName), delay_minutes = \(bind: rule.delayMinutes),
                    conditions = \(bind: rule.conditions.json.serialized()), throttle_days = \(bind: rule.throttleDays), reminders = \(bind: rule.reminders),
                    enabled = \(bind: rule.enabled ? 1 : 0), updated_at = \(bind: now.milliseconds)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: rule.id)
                RETURNING *
                """).first().map(Self.decodeTrigger)
            guard let updated else { return .failure(.notFound) }
            try await Self.audit(audit, workspaceID: workspaceID, action: "trigger.updated", target: ("trigger", String(rule.id)),
                                 changes: Self.auditChanges(rule), at: now, in: sql)
            return .success(updated)
        }
    }

    public func deleteTrigger(workspaceID: Int64, id: Int64, audit: AuditActor? = nil) async throws -> Bool {
        try await deleteAudited("triggers", type: "trigger", column: "event_name", workspaceID: workspaceID, id: id, audit: audit)
    }

    /// What the audit log keeps of a trigger rule: enough to tell which one and whether it was on.
    private static func auditChanges(_ rule: TriggerRule) -> Properties {
        ["event_name": .string(rule.eventName), "survey_id": .integer(rule.surveyID), "enabled": .bool(rule.enabled)]
    }

    // MARK: - Events

    /// Records an event of `contact` (made or updated first) and fires the enabled rules of its
    /// name whose conditions match: each schedules an invitation through the same path as a direct
    /// request, so suppression and the throttle apply. One transaction for the event and its invitations.
    public func recordEvent(workspaceID: Int64, contact input: ContactInput, name: String, properties: Properties,
                            occurredAt: Timestamp, makeToken: @escaping @Sendable () -> InvitationTokenPair) async throws -> EventOutcome {
        let contact: Contact
        if input.externalID != nil {
            contact = try await upsertContact(workspaceID: workspaceID, input).contact
        } else if let email = input.email {
            contact = try await contactByEmail(workspaceID: workspaceID, email: email)
        } else {
            throw ValidationError(field: "contact", "must have external_id or email")
        }
        let now = clock.now()
        return try await database.write { sql in
            let eventID = try await sql.raw("""
                INSERT INTO events (workspace_id, contact_id, name, properties, occurred_at, created_at)
                VALUES (\(bind: workspaceID), \(bind: contact.id), \(bind: name), \(bind: properties.jsonText), \(bind: occurredAt.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            let rules = try await sql.raw("""
                SELECT * FROM triggers WHERE workspace_id = \(bind: workspaceID) AND event_name = \(bind: name) AND enabled = 1 ORDER BY id
                """).all().map(Self.decodeTrigger)
            var fired: [(TriggerRule, InvitationDecision?)] = []
            for rule in rules {
                guard rule.matches(contact: contact, eventProperties: properties) else { fired.append((rule, nil)); continue }
                let options = InvitationOptions(sendAt: rule.sendAt(occurredAt: occurredAt, now: now), reminders: rule.reminders,
                                                throttleDays: rule.throttleDays)
                let target: InvitationTarget = contact.externalID.map { .externalID($0) } ?? .email(contact.email ?? "")
                let decisions = try await Self.invite(workspaceID: workspaceID, surveyID: rule.surveyID, targets: [target],
                                                      options: options, makeToken: makeToken, now: now, in: sql)
                fired.append((rule, decisions.first))
            }
            return EventOutcome(eventID: eventID, contact: contact, fired: fired)
        }
    }

    /// The contact with this address, made if missing.
    private func contactByEmail(workspaceID: Int64, email: String) async throws -> Contact {
        let now = clock.now()
        return try await retryingWrite { sql in
            if let existing = try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)")
                .first().map(Self.decodeContact) { return existing }
            let id = try await sql.raw("""
                INSERT INTO contacts (workspace_id, email, properties, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: email), '{}', \(bind: now.milliseconds), \(bind: now.milliseconds)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            return Contact(id: id, workspaceID: workspaceID, externalID: nil, email: email, name: nil, locale: nil, timeZone: nil,
                           properties: [:], createdAt: now, updatedAt: now)
        }
    }

    static func decodeTrigger(_ row: any SQLRow) throws -> TriggerRule {
        let conditionsText = try row.decode(column: "conditions", as: String.self)
        let conditions = (try? JSONValue.parse(conditionsText)).flatMap { try? ContactFilter.decode($0) } ?? .everyone
        return TriggerRule(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                           surveyID: try row.decode(column: "survey_id", as: Int64.self), eventName: try row.decode(column: "event_name", as: String.self),
                           delayMinutes: try row.decode(column: "delay_minutes", as: Int.self), conditions: conditions,
                           throttleDays: try row.decode(column: "throttle_days", as: Int.self), reminders: try row.decode(column: "reminders", as: Int.self),
                           enabled: try row.decode(column: "enabled", as: Int.self) != 0,
                           createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                           updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }
}
