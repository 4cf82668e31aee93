import AdvocateCore
import SQLKit

extension AdvocateStore {
    /// Puts an address on the workspace's suppression list; an address already there keeps its
    /// first reason. Returns the entry as stored.
    @discardableResult
    public func suppress(workspaceID: Int64, email: String, reason: SuppressionReason, detail: String?) async throws -> Suppression {
        let now = clock.now()
        let database = self.database
        return try await database.write { sql in
            let known = try await Self.suppressions(workspaceID: workspaceID, emails: [email], in: sql)[email] != nil
            let entry = try await Self.suppress(workspaceID: workspaceID, email: email, reason: reason, detail: detail, now: now, in: sql)
            if !known, reason == .unsubscribed,
               let targets = try await Self.webhookTargets(workspaceID: workspaceID, receiving: .contactUnsubscribed, in: sql) {
                let contact = try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)")
                    .first().map(Self.decodeContact)
                let event = WebhookEvent(workspaceID: workspaceID, type: .contactUnsubscribed,
                                         data: WebhookPayload.unsubscribedData(email: email, contact: contact))
                try await Self.enqueueWebhookEvents([event], targets: targets, database: database, now: now, in: sql)
            }
            return entry
        }
    }

    static func suppress(workspaceID: Int64, email: String, reason: SuppressionReason, detail: String?, now: Timestamp,
                         in sql: any SQLDatabase) async throws -> Suppression {
        try await sql.raw("""
            INSERT INTO suppressions (workspace_id, email, reason, detail, created_at)
            VALUES (\(bind: workspaceID), \(bind: email), \(bind: reason.rawValue), \(bind: detail), \(bind: now.milliseconds))
            ON CONFLICT (workspace_id, email) DO NOTHING
            """).run()
        return try await suppressions(workspaceID: workspaceID, emails: [email], in: sql)[email]!
    }

    /// Takes an address off the list. Only the person's own action may call this (the
    /// "subscribe again" button on the unsubscribe page): nobody else can undo an unsubscribe.
    public func resubscribe(workspaceID: Int64, email: String) async throws -> Bool {
        try await database.write { sql in
            try await sql.raw("""
                DELETE FROM suppressions WHERE workspace_id = \(bind: workspaceID) AND email IN (\(bind: email), \(bind: Self.erasedAddress(email)))
                RETURNING email
                """).first() != nil
        }
    }

    /// The entry for an address, if it is suppressed.
    public func suppression(workspaceID: Int64, email: String) async throws -> Suppression? {
        try await database.read { sql in try await Self.suppressions(workspaceID: workspaceID, emails: [email], in: sql)[email] }
    }

    /// The workspace's suppression list, newest first, paged by address within a time.
    public func suppressions(workspaceID: Int64, reason: SuppressionReason?, after cursor: String?, limit: Int) async throws -> Page<Suppression> {
        try await database.read { sql in
            let reasonFilter: SQLQueryString = reason.map { " AND reason = \(bind: $0.rawValue)" } ?? ""
            let cursorFilter: SQLQueryString = cursor.map { " AND email > \(bind: $0)" } ?? ""
            let rows = try await sql.raw("""
                SELECT * FROM suppressions WHERE workspace_id = \(bind: workspaceID)\(reasonFilter)\(cursorFilter)
                ORDER BY email LIMIT \(literal: limit + 1)
                """).all()
            let items = try rows.prefix(limit).map(Self.decodeSuppression)
            return Page(items: items, nextCursor: rows.count > limit ? items.last?.email : nil)
        }
    }

    /// One numbered page (1-based) of suppressions with `reasons`, oldest first, made between two
    /// instants (inclusive), each with the contact that has the address, if any.
    public func suppressions(workspaceID: Int64, reasons: [SuppressionReason], from: Timestamp?, to: Timestamp?,
                             page: Int, perPage: Int) async throws -> [(Suppression, Contact?)] {
        var q: SQLQueryString = """
            SELECT * FROM suppressions WHERE workspace_id = \(bind: workspaceID) AND reason IN (\(binds: reasons.map(\.rawValue)))
            """
        if let from { q += " AND created_at >= \(bind: from.milliseconds)" }
        if let to { q += " AND created_at <= \(bind: to.milliseconds)" }
        q += " ORDER BY created_at, email LIMIT \(literal: perPage) OFFSET \(literal: (page - 1) * perPage)"
        let query = q
        return try await database.read { sql in
            let entries = try await sql.raw(query).all().map(Self.decodeSuppression)
            var contacts: [String: Contact] = [:]
            if !entries.isEmpty {
                for row in try await sql.raw("""
                    SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email IN (\(binds: entries.map(\.email)))
                    """).all() {
                    let c = try Self.decodeContact(row)
                    if let e = c.email { contacts[e] = c }
                }
            }
            return entries.map { ($0, contacts[$0.email]) }
        }
    }

    static func suppressions(workspaceID: Int64, emails: Set<String>, in sql: any SQLDatabase) async throws -> [String: Suppression] {
        var result: [String: Suppression] = [:]
        // An erased person's address is kept only as its hash (erasePerson): look that up too.
        var byHash: [String: String] = [:]
        for email in emails { byHash[erasedAddress(email)] = email }
        for chunk in (Array(emails) + byHash.keys).chunked(500) {
            for row in try await sql.raw("""
                SELECT * FROM suppressions WHERE workspace_id = \(bind: workspaceID) AND email IN (\(binds: Array(chunk)))
                """).all() {
                var s = try decodeSuppression(row)
                if let email = byHash[s.email] { s.email = email }
                if result[s.email] == nil { result[s.email] = s }
            }
        }
        return result
    }

    static func decodeSuppression(_ row: any SQLRow) throws -> Suppression {
        Suppression(workspaceID: try row.decode(column: "workspace_id", as: Int64.self), email: try row.decode(column: "email", as: String.self),
                    reason: SuppressionReason(rawValue: try row.decode(column: "reason", as: String.self)) ?? .unsubscribed,
                    detail: try row.decode(column: "detail", as: String?.self),
                    createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
    }
}
