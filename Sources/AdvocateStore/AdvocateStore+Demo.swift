import AdvocateCore
import SQLKit

/// What `advocate demo` needs beyond the ordinary ingest path: an emptiness check, the
/// invitations behind e-mailed answers (with their opens and bounces, which no real sending made)
/// and the contacts' properties as they ended up (churn dates come after the answers).
extension AdvocateStore {
    /// Whether the workspace has no survey, contact or response: the demo loads only into such a one.
    public func isEmptyWorkspace(_ workspaceID: Int64) async throws -> Bool {
        try await database.read { sql in
            for table in ["surveys", "contacts", "responses"] {
                // Fixed table names, not input.
                if try await sql.raw("SELECT 1 AS x FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) LIMIT 1").first() != nil { return false }
            }
            return true
        }
    }

    /// Stores a demo dataset's invitations as already sent, linked to the answers they led to
    /// (by the answers' source ids). Their token hashes are not hashes of any token, so no link
    /// opens them.
    public func loadDemoInvitations(workspaceID: Int64, _ invitations: [DemoDataset.Invitation], surveyIDs: [Int64],
                                    contacts: [DemoDataset.Contact]) async throws {
        let contactIDs = try await database.read { sql in
            var ids: [String: Int64] = [:]
            for row in try await sql.raw("SELECT id, external_id FROM contacts WHERE workspace_id = \(bind: workspaceID) AND external_id IS NOT NULL").all() {
                ids[try row.decode(column: "external_id", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
            return ids
        }
        // 500 rows to an INSERT (15 parameters each, within every database's limit), 20 INSERTs
        // to a transaction: at a million answers there are as many invitations again.
        let perInsert = 500
        for (txIndex, txChunk) in invitations.chunked(perInsert * 20).enumerated() {
            try await database.write { sql in
                for (insertIndex, chunk) in Array(txChunk).chunked(perInsert).enumerated() {
                    var rows: [SQLQueryString] = []
                    var answers: [(String, String)] = []
                    for (offset, inv) in chunk.enumerated() {
                        let number = txIndex * perInsert * 20 + insertIndex * perInsert + offset + 1
                        let contact = contacts[inv.contact]
                        guard let contactID = contactIDs[contact.externalID] else { continue }
                        let hash = "demo-\(workspaceID)-\(number)"
                        let status = inv.bounced ? "bounced" : inv.answerSourceID != nil ? "answered" : "sent"
                        let t = inv.createdAt.milliseconds
                        rows.append("""
                            (\(bind: workspaceID), \(bind: surveyIDs[inv.survey]), \(bind: contactID), 'email', \(bind: hash), \(bind: contact.email),
                             \(bind: contact.locale), \(bind: status), \(bind: t), \(bind: t), 1, \(bind: inv.openedAt?.milliseconds), \(bind: inv.clickedAt?.milliseconds),
                             \(bind: t), \(bind: t))
                            """)
                        if let source = inv.answerSourceID { answers.append((hash, source)) }
                    }
                    guard !rows.isEmpty else { continue }
                    try await sql.raw("""
                        INSERT INTO invitations (workspace_id, survey_id, contact_id, channel, token_hash, email, locale, status, send_at, sent_at,
                            messages_sent, opened_at, clicked_at, created_at, updated_at)
                        VALUES \(SQLList(rows))
                        """).run()
                    for (hash, source) in answers {
                        try await sql.raw("""
                            UPDATE responses SET invitation_id = (SELECT id FROM invitations WHERE token_hash = \(bind: hash))
                            WHERE workspace_id = \(bind: workspaceID) AND source_id = \(bind: source)
                            """).run()
                    }
                }
            }
        }
    }

    /// Replaces contacts' properties (by external id): the demo's churn dates, set after the answers.
    public func replaceContactProperties(workspaceID: Int64, _ properties: [(externalID: String, properties: Properties)]) async throws {
        let now = clock.now()
        for chunk in properties.chunked(10_000) {
            try await database.write { sql in
                for (externalID, p) in chunk {
                    try await sql.raw("""
                        UPDATE contacts SET properties = \(bind: p.jsonText), updated_at = \(bind: now.milliseconds)
                        WHERE workspace_id = \(bind: workspaceID) AND external_id = \(bind: externalID)
                        """).run()
                }
            }
        }
    }
}
