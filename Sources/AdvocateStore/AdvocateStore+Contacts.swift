import AdvocateCore
import NPS
import SQLKit

extension AdvocateStore {
    /// Creates or updates the contact with `input.externalID` (or, without one, with
    /// `input.email`); properties are merged (null removes).
    /// - Throws: `ConflictError` when the e-mail belongs to another contact.
    public func upsertContact(workspaceID: Int64, _ input: ContactInput) async throws -> (contact: Contact, created: Bool) {
        guard input.externalID != nil || input.email != nil else { throw ValidationError(field: "external_id", "is required") }
        let now = clock.now()
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        // Two writers creating the same contact at once (another instance, or an answer naming it)
        // meet the unique index; the retry then finds the row and updates it.
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await upsertContactOnce(workspaceID: workspaceID, externalID: input.externalID, input, now: now, lock: lock)
            } catch where attempt < Database.ingestAttempts && Database.isTransient(error) {
                continue
            }
        }
    }

    /// Without an external id the contact is the one with `input.email` (Delighted's people).
    private func upsertContactOnce(workspaceID: Int64, externalID: String?, _ input: ContactInput, now: Timestamp,
                                   lock: SQLQueryString) async throws -> (contact: Contact, created: Bool) {
        try await database.write { sql in
            var existing: Contact?
            if let externalID {
                existing = try await sql.raw("""
                    SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND external_id = \(bind: externalID)\(lock)
                    """).first().map(Self.decodeContact)
            }
            if let email = input.email, let owner = try await sql.raw("""
                SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)\(lock)
                """).first().map(Self.decodeContact), externalID == nil || owner.externalID != externalID {
                if externalID == nil || (owner.externalID == nil && existing == nil) {
                    // Found by e-mail; a contact known only by e-mail (from an answer) gains the external id.
                    existing = owner
                } else {
                    throw ConflictError(field: "email", message: owner.externalID.map { "\(email) already belongs to the contact with external_id \"\($0)\"" }
                        ?? "\(email) already belongs to another contact")
                }
            }
            var c = existing ?? Contact(id: 0, workspaceID: workspaceID, externalID: externalID, email: nil, name: nil, locale: nil,
                                        timeZone: nil, properties: [:], createdAt: now, updatedAt: now)
            if let externalID { c.externalID = externalID }
            if let v = input.email { c.email = v }
            if let v = input.name { c.name = v }
            if let v = input.locale { c.locale = v }
            if let v = input.timeZone { c.timeZone = v }
            if let patch = input.properties { c.properties = c.properties.merging(patch: patch) }
            // Callers that describe the same contact again and again (the widget on every page
            // view) must not cost a write each time: nothing changed, nothing is written.
            if let existing, existing == c { return (existing, false) }
            c.updatedAt = now
            if existing == nil {
                c.id = try await sql.raw("""
                    INSERT INTO contacts (workspace_id, external_id, email, name, locale, time_zone, properties, created_at, updated_at)
                    VALUES (\(bind: workspaceID), \(bind: c.externalID), \(bind: c.email), \(bind: c.name), \(bind: c.locale),
                            \(bind: c.timeZone), \(bind: c.properties.jsonText), \(bind: now.milliseconds), \(bind: now.milliseconds))
                    RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
            } else {
                try await sql.raw("""
                    UPDATE contacts SET external_id = \(bind: c.externalID), email = \(bind: c.email), name = \(bind: c.name), locale = \(bind: c.locale),
                        time_zone = \(bind: c.timeZone), properties = \(bind: c.properties.jsonText), updated_at = \(bind: now.milliseconds)
                    WHERE id = \(bind: c.id) AND workspace_id = \(bind: workspaceID)
                    """).run()
            }
            return (c, existing == nil)
        }
    }

    /// Changes a contact's e-mail address (false when another contact has it).
    public func changeContactEmail(workspaceID: Int64, contactID: Int64, to email: String) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            if let owner = try await sql.raw("""
                SELECT id FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)
                """).first()?.decode(column: "id", as: Int64.self) {
                return owner == contactID
            }
            try await sql.raw("""
                UPDATE contacts SET email = \(bind: email), updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: contactID) AND workspace_id = \(bind: workspaceID)
                """).run()
            return true
        }
    }

    /// The contact with a database id in the workspace.
    public func contact(workspaceID: Int64, id: Int64) async throws -> Contact? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)")
                .first().map(Self.decodeContact)
        }
    }

    /// The contact with an e-mail address (lower-cased) in the workspace.
    public func contact(workspaceID: Int64, email: String) async throws -> Contact? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email = \(bind: email)")
                .first().map(Self.decodeContact)
        }
    }

    /// The contact with an external id in the workspace.
    public func contact(workspaceID: Int64, externalID: String) async throws -> Contact? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND external_id = \(bind: externalID)")
                .first().map(Self.decodeContact)
        }
    }

    /// Contacts by database id (for showing who answered).
    public func contacts(workspaceID: Int64, ids: [Int64]) async throws -> [Int64: Contact] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { sql in
            var result: [Int64: Contact] = [:]
            for chunk in ids.chunked(1_000) {
                for row in try await sql.raw("""
                    SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND id IN (\(binds: Array(chunk)))
                    """).all() {
                    let c = try Self.decodeContact(row)
                    result[c.id] = c
                }
            }
            return result
        }
    }

    /// The workspace's contacts, oldest first.
    public func contacts(workspaceID: Int64, after cursor: Int64?, limit: Int) async throws -> Page<Contact> {
        try await contacts(workspaceID: workspaceID, filter: ContactListFilter(), after: cursor, limit: limit)
    }

    /// Erases a contact and everything about them (`erasePerson`); false when not found.
    public func eraseContact(workspaceID: Int64, externalID: String, audit: AuditActor? = nil) async throws -> Bool {
        try await erasePerson(workspaceID: workspaceID, person: .externalID(externalID), audit: audit)
    }

    /// Erases the contact with a database id, as `erasePerson` does.
    public func eraseContact(workspaceID: Int64, id: Int64, audit: AuditActor? = nil) async throws -> Bool {
        try await erasePerson(workspaceID: workspaceID, person: .id(id), audit: audit)
    }

    static func decodeContact(_ row: any SQLRow) throws -> Contact {
        Contact(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                externalID: try row.decode(column: "external_id", as: String?.self),
                email: try row.decode(column: "email", as: String?.self), name: try row.decode(column: "name", as: String?.self),
                locale: try row.decode(column: "locale", as: String?.self),
                timeZone: try row.decode(column: "time_zone", as: String?.self),
                properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)),
                createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }
}
