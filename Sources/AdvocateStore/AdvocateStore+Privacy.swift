import AdvocateCore
import Crypto
import Foundation
import NPS
import SQLKit

/// Who a privacy request (export, erasure) is about.
public enum PersonKey: Sendable, Hashable {
    case externalID(String)
    case email(String)
    case id(Int64)

    var condition: SQLQueryString {
        switch self {
        case .externalID(let v): "external_id = \(bind: v)"
        case .email(let v): "email = \(bind: v.lowercased())"
        case .id(let v): "id = \(bind: v)"
        }
    }

    /// How the person was named, for messages.
    public var description: String {
        switch self {
        case .externalID(let v): "external_id \"\(v)\""
        case .email(let v): "e-mail \(v)"
        case .id(let v): "id \(v)"
        }
    }
}

/// How one column of an exported table reads.
enum ExportColumn {
    case int(String), text(String), time(String), json(String)

    var name: String {
        switch self { case .int(let n), .text(let n), .time(let n), .json(let n): n }
    }

    func value(in row: any SQLRow) throws -> JSONValue {
        switch self {
        case .int(let n): try row.decode(column: n, as: Int?.self).map { .integer(Int64($0)) } ?? .null
        case .text(let n): try row.decode(column: n, as: String?.self).map(JSONValue.string) ?? .null
        case .time(let n): try row.decode(column: n, as: Int64?.self).map { .string(Timestamp(milliseconds: $0).rfc3339) } ?? .null
        case .json(let n): try row.decode(column: n, as: String?.self).map { (try? JSONValue.parse($0)) ?? .string($0) } ?? .null
        }
    }
}

extension AdvocateStore {
    // MARK: - Export

    /// Everything the workspace holds about one person, as one JSON document (GDPR access
    /// request): their contact, events, invitations and what happened to them, answers with
    /// notes, themes, alert firings and cases, the webhook deliveries that carried them and
    /// their suppression. Rows appear as stored, less token hashes; nil when there is no such contact.
    /// With `audit`, the audit log records who took the copy (`contact.exported`).
    public func personalData(workspaceID: Int64, person: PersonKey, audit: AuditActor? = nil) async throws -> JSONValue? {
        let now = clock.now()
        guard let (doc, contactID) = try await personalDocument(workspaceID: workspaceID, person: person, now: now) else { return nil }
        if audit != nil {
            try await database.write { sql in
                try await Self.audit(audit, workspaceID: workspaceID, action: "contact.exported", target: ("contact", String(contactID)), at: now, in: sql)
            }
        }
        return doc
    }

    private func personalDocument(workspaceID: Int64, person: PersonKey, now: Timestamp) async throws -> (JSONValue, contactID: Int64)? {
        let dialect = database.dialect
        return try await database.read { sql in
            guard let trace = try await Self.trace(workspaceID: workspaceID, person: person, lock: "", in: sql) else { return nil }
            let ws = workspaceID
            func rows(_ columns: [ExportColumn], _ from: SQLQueryString) async throws -> JSONValue {
                var q: SQLQueryString = "SELECT \(unsafeRaw: columns.map(\.name).joined(separator: ", ")) FROM "
                q += from
                return .array(try await sql.raw(q).all().map { row in
                    .object(Dictionary(uniqueKeysWithValues: try columns.map { ($0.name, try $0.value(in: row)) }))
                })
            }
            let c = trace.contactID
            let responses = Array(trace.responseIDs), invitations = Array(trace.invitationIDs)
            let cases = try await Self.ids("SELECT id FROM cases WHERE workspace_id = \(bind: ws) AND response_id IN (\(binds: responses + [-1]))", in: sql)
            let deliveries = try await Self.deliveriesCarrying(trace, workspaceID: ws, dialect: dialect, in: sql)
            var doc: [String: JSONValue] = [
                "format": .string("advocate.personal-data"), "version": .integer(1), "exported_at": .string(now.rfc3339),
            ]
            doc["contact"] = try await rows([.int("id"), .text("external_id"), .text("email"), .text("name"), .text("locale"),
                                                         .text("time_zone"), .json("properties"), .time("created_at"), .time("updated_at")],
                                            "contacts WHERE workspace_id = \(bind: ws) AND id = \(bind: c)")
            if case .array(let found) = doc["contact"] { doc["contact"] = found.first ?? .null }
            doc["events"] = try await rows([.int("id"), .text("name"), .json("properties"), .time("occurred_at"), .time("created_at")],
                                           "events WHERE workspace_id = \(bind: ws) AND contact_id = \(bind: c) ORDER BY id")
            doc["invitations"] = try await rows([
                .int("id"), .int("survey_id"), .int("campaign_id"), .text("variant"), .text("channel"), .text("email"), .text("locale"),
                .text("status"), .time("send_at"), .time("sent_at"), .text("message_id"), .int("messages_sent"), .int("reminders"),
                .time("opened_at"), .time("clicked_at"), .text("last_error"), .text("product_name"), .time("created_at"), .time("updated_at"),
            ], "invitations WHERE workspace_id = \(bind: ws) AND contact_id = \(bind: c) ORDER BY id")
            doc["score_link_hits"] = try await rows([
                .int("id"), .int("invitation_id"), .int("score"), .text("method"), .text("user_agent"), .text("signals"), .time("at"),
            ], "score_link_hits WHERE workspace_id = \(bind: ws) AND invitation_id IN (\(binds: invitations + [-1])) ORDER BY id")
            doc["widget_displays"] = try await rows([
                .int("id"), .int("survey_id"), .text("locale"), .text("event"), .time("shown_at"), .time("answered_at"),
                .time("dismissed_at"), .int("response_id"),
            ], "widget_displays WHERE workspace_id = \(bind: ws) AND contact_id = \(bind: c) ORDER BY id")
            doc["responses"] = try await rows([
                .int("id"), .int("survey_id"), .int("invitation_id"), .int("link_id"), .int("score"), .text("comment"), .json("answers"),
                .json("properties"), .json("tags"), .text("channel"), .text("locale"), .text("status"), .text("flag_reason"),
                .int("no_contact"), .text("source_id"), .time("created_at"), .time("updated_at"), .time("completed_at"),
            ], "responses WHERE workspace_id = \(bind: ws) AND contact_id = \(bind: c) ORDER BY id")
            doc["response_notes"] = try await rows([.int("id"), .int("response_id"), .text("author"), .text("text"), .time("created_at")],
                                                   "response_notes WHERE workspace_id = \(bind: ws) AND response_id IN (\(binds: responses + [-1])) ORDER BY id")
            doc["response_themes"] = try await rows([
                .int("response_id"), .text("theme"), .text("origin"), .int("applied"), .text("decided_by"), .time("decided_at"),
            ], """
                (SELECT rt.response_id, t.name AS theme, rt.origin, rt.applied, rt.decided_by, rt.decided_at
                 FROM response_themes rt JOIN themes t ON t.id = rt.theme_id
                 WHERE rt.workspace_id = \(bind: ws) AND rt.response_id IN (\(binds: responses + [-1]))) x ORDER BY response_id, theme
                """)
            doc["alert_firings"] = try await rows([.int("rule_id"), .int("response_id"), .time("fired_at")],
                                                  "alert_firings WHERE workspace_id = \(bind: ws) AND response_id IN (\(binds: responses + [-1])) ORDER BY fired_at")
            doc["cases"] = try await rows([
                .int("id"), .int("response_id"), .int("survey_id"), .text("owner_email"), .text("status"), .text("outcome"), .time("due_at"),
                .time("first_contact_at"), .time("resolved_at"), .time("created_at"), .time("updated_at"),
            ], "cases WHERE workspace_id = \(bind: ws) AND id IN (\(binds: cases + [-1])) ORDER BY id")
            doc["case_events"] = try await rows([.int("id"), .int("case_id"), .text("kind"), .text("author"), .text("text"), .time("at")],
                                                "case_events WHERE workspace_id = \(bind: ws) AND case_id IN (\(binds: cases + [-1])) ORDER BY id")
            doc["webhook_deliveries"] = try await rows([
                .int("id"), .int("webhook_id"), .text("event_id"), .text("event_type"), .json("body"), .text("state"), .int("attempts"),
                .int("last_status_code"), .text("last_error"), .time("created_at"), .time("delivered_at"),
            ], "webhook_deliveries WHERE workspace_id = \(bind: ws) AND id IN (\(binds: deliveries + [-1])) ORDER BY id")
            doc["webhook_attempts"] = try await rows([.int("id"), .int("delivery_id"), .time("at"), .int("status_code"), .text("error")],
                                                     "webhook_attempts WHERE delivery_id IN (\(binds: deliveries + [-1])) ORDER BY id")
            doc["suppressions"] = try await rows([.text("email"), .text("reason"), .text("detail"), .time("created_at")],
                                                 "suppressions WHERE workspace_id = \(bind: ws) AND email = \(bind: trace.email ?? "")")
            return (.object(doc), c)
        }
    }

    // MARK: - Erasure

    /// Erases a person (GDPR erasure): their contact, answers (comments, notes, themes, alert
    /// firings, cases with their notes and replies), invitations, events and widget displays go;
    /// webhook deliveries and jobs that carried them are deleted; their address is scrubbed from
    /// error logs; their suppression is kept only as a hash of the address, so that an
    /// unsubscribe outlives the erasure. The reports stop counting their answers in the same
    /// transaction. False when there is no such contact.
    public func erasePerson(workspaceID: Int64, person: PersonKey, audit: AuditActor? = nil) async throws -> Bool {
        let now = clock.now()
        // FOR UPDATE waits for an ingest that holds this contact, so its answer is either erased
        // with its rollup count or arrives after the contact is gone (and creates a new one).
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        let dialect = database.dialect
        return try await database.write { sql in
            guard var trace = try await Self.trace(workspaceID: workspaceID, person: person, lock: lock, in: sql) else { return false }
            let ws = workspaceID
            trace.deliveryIDs = Set(try await Self.deliveriesCarrying(trace, workspaceID: ws, dialect: dialect, in: sql))
            let jobs = try await Self.matching(trace, table: "jobs", column: "payload", workspaceID: ws, dialect: dialect, in: sql)
            for chunk in jobs.chunked(500) {
                try await sql.raw("DELETE FROM jobs WHERE workspace_id = \(bind: ws) AND id IN (\(binds: Array(chunk)))").run()
            }
            for chunk in Array(trace.deliveryIDs).chunked(500) {
                try await sql.raw("DELETE FROM webhook_deliveries WHERE workspace_id = \(bind: ws) AND id IN (\(binds: Array(chunk)))").run()
            }
            if let email = trace.email, !email.isEmpty {
                let has = Self.contains(dialect, email)
                try await sql.raw("UPDATE jobs SET last_error = NULL WHERE workspace_id = \(bind: ws) AND \(has("last_error"))").run()
                try await sql.raw("UPDATE webhook_deliveries SET last_error = NULL WHERE workspace_id = \(bind: ws) AND \(has("last_error"))").run()
                try await sql.raw("""
                    UPDATE webhook_attempts SET error = NULL WHERE \(has("error"))
                        AND delivery_id IN (SELECT id FROM webhook_deliveries WHERE workspace_id = \(bind: ws))
                    """).run()
                try await sql.raw("UPDATE case_events SET text = '(erased)' WHERE workspace_id = \(bind: ws) AND \(has("text"))").run()
                // An unsubscribe must outlive the erasure (or the next import mails them again):
                // only the address's hash stays, which suppression checks also look up.
                let hashed = Self.erasedAddress(email)
                try await sql.raw("""
                    INSERT INTO suppressions (workspace_id, email, reason, detail, created_at)
                    SELECT workspace_id, \(bind: hashed), reason, NULL, created_at FROM suppressions
                    WHERE workspace_id = \(bind: ws) AND email = \(bind: email)
                    ON CONFLICT (workspace_id, email) DO NOTHING
                    """).run()
                try await sql.raw("DELETE FROM suppressions WHERE workspace_id = \(bind: ws) AND email = \(bind: email)").run()
            }
            let delta = try await Self.uncount(workspaceID: ws, where: "contact_id = \(bind: trace.contactID)", in: sql)
            // Notes, themes, alert firings, cases and their history go with the responses;
            // invitations (and their link hits), events and widget displays with the contact.
            try await sql.raw("DELETE FROM responses WHERE contact_id = \(bind: trace.contactID) AND workspace_id = \(bind: ws)").run()
            try await sql.raw("DELETE FROM contacts WHERE id = \(bind: trace.contactID) AND workspace_id = \(bind: ws)").run()
            try await delta.apply(in: sql)
            // Only the database id: the log must not keep what the erasure removed.
            try await Self.audit(audit, workspaceID: ws, action: "contact.erased", target: ("contact", String(trace.contactID)), at: now, in: sql)
            return true
        }
    }

    /// The stored form of an erased person's suppressed address.
    public static func erasedAddress(_ email: String) -> String {
        "sha256:" + SHA256.hash(data: Data(email.lowercased().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The rollup changes that stop counting the counted responses matching `condition`.
    static func uncount(workspaceID: Int64, where condition: SQLQueryString, in sql: any SQLDatabase) async throws -> RollupDelta {
        var delta = RollupDelta()
        for r in try await sql.raw("""
            SELECT survey_id, score, channel, locale, properties, day FROM responses
            WHERE workspace_id = \(bind: workspaceID) AND status = 'counted' AND \(condition)
            """).all() {
            guard let score = Score(try r.decode(column: "score", as: Int.self)) else { continue }
            delta.add(surveyID: try r.decode(column: "survey_id", as: Int64.self),
                      day: CalendarDay(daysSinceEpoch: try r.decode(column: "day", as: Int.self)), score: score,
                      channel: Channel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .api,
                      locale: try r.decode(column: "locale", as: String?.self),
                      properties: Properties(jsonText: try r.decode(column: "properties", as: String.self)), sign: -1)
        }
        return delta
    }

    // MARK: - Finding the person

    private static func trace(workspaceID: Int64, person: PersonKey, lock: SQLQueryString, in sql: any SQLDatabase) async throws -> PersonTrace? {
        guard let row = try await sql.raw("""
            SELECT id, email FROM contacts WHERE workspace_id = \(bind: workspaceID) AND \(person.condition)\(lock)
            """).first() else { return nil }
        let id = try row.decode(column: "id", as: Int64.self)
        return PersonTrace(
            contactID: id, email: try row.decode(column: "email", as: String?.self),
            responseIDs: Set(try await ids("SELECT id FROM responses WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: id)", in: sql)),
            invitationIDs: Set(try await ids("SELECT id FROM invitations WHERE workspace_id = \(bind: workspaceID) AND contact_id = \(bind: id)", in: sql)))
    }

    private static func ids(_ query: SQLQueryString, in sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.raw(query).all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    static func deliveriesCarrying(_ trace: PersonTrace, workspaceID: Int64, dialect: Dialect, in sql: any SQLDatabase) async throws -> [Int64] {
        try await matching(trace, table: "webhook_deliveries", column: "body", workspaceID: workspaceID, dialect: dialect, in: sql)
    }

    /// Ids of the workspace's rows whose JSON `column` is about the person: narrowed in SQL by
    /// the trace's needles, decided by `PersonTrace.isAbout`.
    private static func matching(_ trace: PersonTrace, table: String, column: String, workspaceID: Int64, dialect: Dialect,
                                 in sql: any SQLDatabase) async throws -> [Int64] {
        var found: [Int64] = []
        for chunk in trace.needles.chunked(200) {
            var q: SQLQueryString = "SELECT id, \(unsafeRaw: column) AS text FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) AND ("
            for (i, needle) in chunk.enumerated() {
                if i > 0 { q += " OR " }
                q += contains(dialect, needle)(column)
            }
            q += ")"
            for row in try await sql.raw(q).all() where trace.isAbout(try row.decode(column: "text", as: String.self)) {
                found.append(try row.decode(column: "id", as: Int64.self))
            }
        }
        return Array(Set(found)).sorted()
    }

    /// "`column` contains `text`" without LIKE's wildcards.
    private static func contains(_ dialect: Dialect, _ text: String) -> (String) -> SQLQueryString {
        { column in
            dialect == .postgres ? "strpos(\(unsafeRaw: column), \(bind: text)) > 0" : "instr(\(unsafeRaw: column), \(bind: text)) > 0"
        }
    }
}
