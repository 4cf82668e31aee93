import AdvocateCore
import SQLKit

extension AdvocateStore {
    // MARK: - Workspaces

    /// The workspace with `slug`, creating it when missing.
    public func ensureWorkspace(slug: String, name: String? = nil) async throws -> (workspace: Workspace, created: Bool) {
        guard Workspace.isValidSlug(slug) else {
            throw ValidationError(field: "workspace", "must be 1 to 63 of a-z, 0-9 and -, got \"\(slug)\"")
        }
        let now = clock.now()
        return try await database.write { sql in
            if let existing = try await Self.workspace(slug: slug, in: sql) { return (existing, false) }
            let id = try await sql.raw("""
                INSERT INTO workspaces (slug, name, created_at) VALUES (\(bind: slug), \(bind: name ?? slug), \(bind: now.milliseconds)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            return (Workspace(id: id, slug: slug, name: name ?? slug, createdAt: now), true)
        }
    }

    /// The workspace with `slug`, if any.
    public func workspace(slug: String) async throws -> Workspace? {
        try await database.read { try await Self.workspace(slug: slug, in: $0) }
    }

    private static func workspace(slug: String, in sql: any SQLDatabase) async throws -> Workspace? {
        guard let row = try await sql.raw("SELECT id, slug, name, created_at FROM workspaces WHERE slug = \(bind: slug)").first() else { return nil }
        return Workspace(id: try row.decode(column: "id", as: Int64.self), slug: try row.decode(column: "slug", as: String.self),
                         name: try row.decode(column: "name", as: String.self),
                         createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    // MARK: - API tokens

    /// Stores a new token by the hash of its secret (the secret itself is never stored).
    /// `surveyID` is the survey its Delighted-compatible calls act on (nil: the workspace's first).
    public func createToken(workspaceID: Int64, name: String, secretHash: String, surveyID: Int64? = nil,
                            scope: TokenScope = .write, audit: AuditActor? = nil) async throws -> APIToken {
        let now = clock.now()
        return try await database.write { sql in
            let id = try await sql.raw("""
                INSERT INTO api_tokens (workspace_id, name, token_hash, survey_id, scopes, created_at)
                VALUES (\(bind: workspaceID), \(bind: name), \(bind: secretHash), \(bind: surveyID), \(bind: scope.stored), \(bind: now.milliseconds)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            try await Self.audit(audit, workspaceID: workspaceID, action: "token.created", target: ("token", String(id)),
                                 changes: ["name": .string(name), "scope": .string(scope.rawValue)], at: now, in: sql)
            return APIToken(id: id, workspaceID: workspaceID, name: name, createdAt: now, scope: scope)
        }
    }

    /// The workspace a live token acts in, looked up by the hash of its secret.
    public func tokenWorkspace(secretHash: String) async throws -> (tokenID: Int64, workspaceID: Int64, surveyID: Int64?, scope: TokenScope)? {
        try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT id, workspace_id, survey_id, scopes FROM api_tokens WHERE token_hash = \(bind: secretHash) AND revoked_at IS NULL
                """).first() else { return nil }
            return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "workspace_id", as: Int64.self),
                    try row.decode(column: "survey_id", as: Int64?.self), TokenScope(stored: try row.decode(column: "scopes", as: String.self)))
        }
    }

    /// Revokes a token of a workspace; false when there is no such live token.
    public func revokeToken(workspaceID: Int64, tokenID: Int64, audit: AuditActor? = nil) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE api_tokens SET revoked_at = \(bind: now.milliseconds)
                WHERE id = \(bind: tokenID) AND workspace_id = \(bind: workspaceID) AND revoked_at IS NULL RETURNING name
                """).all()
            guard let row = rows.first else { return false }
            try await Self.audit(audit, workspaceID: workspaceID, action: "token.revoked", target: ("token", String(tokenID)),
                                 changes: ["name": .string(try row.decode(column: "name", as: String.self))], at: now, in: sql)
            return true
        }
    }

    /// Live tokens of a workspace (names and ids, never secrets).
    public func tokens(workspaceID: Int64) async throws -> [APIToken] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT id, name, scopes, created_at FROM api_tokens WHERE workspace_id = \(bind: workspaceID) AND revoked_at IS NULL ORDER BY id
                """).all().map {
                APIToken(id: try $0.decode(column: "id", as: Int64.self), workspaceID: workspaceID,
                         name: try $0.decode(column: "name", as: String.self),
                         createdAt: Timestamp(milliseconds: try $0.decode(column: "created_at", as: Int64.self)),
                         scope: TokenScope(stored: try $0.decode(column: "scopes", as: String.self)))
            }
        }
    }
}
