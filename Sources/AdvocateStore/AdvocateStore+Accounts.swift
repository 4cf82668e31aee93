import AdvocateCore
import SQLKit

/// A signed-in browser.
public struct Session: Sendable, Hashable {
    public var id: Int64
    public var user: User
    /// The workspace the dashboard shows, and the user's role there.
    public var membership: Membership
    public var expiresAt: Timestamp
}

/// Why an account change was refused.
public enum AccountRefusal: Error, Sendable, Hashable {
    case unknownUser
    case invalidLink
}

extension AdvocateStore {
    /// Sessions last 30 days from sign-in, and end after 7 days without use.
    public static let sessionDays = 30
    public static let sessionIdleDays = 7

    /// Makes the user (or finds them by address) and gives them `role` in the workspace.
    public func addMember(workspaceID: Int64, email: String, name: String?, role: Role) async throws -> (user: User, created: Bool) {
        let now = clock.now()
        return try await retryingWrite { sql in
            var created = false
            var user = try await sql.raw("SELECT * FROM users WHERE email = \(bind: email)").first().map(Self.decodeUser)
            if user == nil {
                let id = try await sql.raw("""
                    INSERT INTO users (email, name, created_at, updated_at)
                    VALUES (\(bind: email), \(bind: name), \(bind: now.milliseconds), \(bind: now.milliseconds)) RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
                user = User(id: id, email: email, name: name, hasPassword: false, createdAt: now)
                created = true
            }
            try await sql.raw("""
                INSERT INTO memberships (workspace_id, user_id, role, created_at)
                VALUES (\(bind: workspaceID), \(bind: user!.id), \(bind: role.rawValue), \(bind: now.milliseconds))
                ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role
                """).run()
            return (user!, created)
        }
    }

    /// How many users there are (the first `serve` on an empty database offers a setup link).
    public func userCount() async throws -> Int {
        try await database.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM users").first()!.decode(column: "n", as: Int.self) }
    }

    /// The user with this address and their stored password hash.
    public func credentials(email: String) async throws -> (User, passwordHash: String?)? {
        try await database.read { sql in
            guard let row = try await sql.raw("SELECT * FROM users WHERE email = \(bind: email)").first() else { return nil }
            return (try Self.decodeUser(row), try row.decode(column: "password_hash", as: String?.self))
        }
    }

    /// The user's workspaces and roles, in the order they joined them (the first is where they land).
    public func memberships(userID: Int64) async throws -> [Membership] {
        try await database.read { sql in try await Self.memberships(userID: userID, in: sql) }
    }

    static func memberships(userID: Int64, in sql: any SQLDatabase) async throws -> [Membership] {
        try await sql.raw("""
            SELECT w.id, w.slug, w.name, w.created_at, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
            WHERE m.user_id = \(bind: userID) ORDER BY m.created_at, w.id
            """).all().map { row in
            Membership(workspace: Workspace(id: try row.decode(column: "id", as: Int64.self), slug: try row.decode(column: "slug", as: String.self),
                                            name: try row.decode(column: "name", as: String.self),
                                            createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self))),
                       role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer)
        }
    }

    // MARK: - One-time links

    /// A set-a-password link for the user, valid for `hours`.
    public func createUserLink(userID: Int64, purpose: String, tokenHash: String, hours: Int) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                INSERT INTO user_links (token_hash, user_id, purpose, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: userID), \(bind: purpose), \(bind: now.milliseconds), \(bind: now.milliseconds + Int64(hours) * 3_600_000))
                """).run()
        }
    }

    /// The user a live link is for.
    public func userLink(tokenHash: String) async throws -> User? {
        let now = clock.now()
        return try await database.read { sql in
            try await sql.raw("""
                SELECT u.* FROM user_links l JOIN users u ON u.id = l.user_id
                WHERE l.token_hash = \(bind: tokenHash) AND l.used_at IS NULL AND l.expires_at > \(bind: now.milliseconds)
                """).first().map(Self.decodeUser)
        }
    }

    /// Sets the password through a link (used up by it) and signs the user in: one transaction,
    /// so a link works exactly once.
    public func setPassword(linkTokenHash: String, passwordHash: String, sessionTokenHash: String) async throws -> Result<Session, AccountRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard let row = try await sql.raw("""
                UPDATE user_links SET used_at = \(bind: now.milliseconds)
                WHERE token_hash = \(bind: linkTokenHash) AND used_at IS NULL AND expires_at > \(bind: now.milliseconds)
                RETURNING user_id
                """).first() else { return .failure(.invalidLink) }
            let userID = try row.decode(column: "user_id", as: Int64.self)
            try await sql.raw("UPDATE users SET password_hash = \(bind: passwordHash), updated_at = \(bind: now.milliseconds) WHERE id = \(bind: userID)").run()
            // A new password ends every other session.
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            guard let session = try await Self.openSession(userID: userID, workspaceID: nil, tokenHash: sessionTokenHash, now: now, in: sql) else {
                return .failure(.unknownUser)
            }
            return .success(session)
        }
    }

    // MARK: - Sessions

    /// Signs a user in, in their first workspace (or `workspaceID` when they belong to it).
    public func openSession(userID: Int64, workspaceID: Int64? = nil, tokenHash: String) async throws -> Session? {
        let now = clock.now()
        return try await database.write { sql in
            try await Self.openSession(userID: userID, workspaceID: workspaceID, tokenHash: tokenHash, now: now, in: sql)
        }
    }

    static func openSession(userID: Int64, workspaceID: Int64?, tokenHash: String, now: Timestamp, in sql: any SQLDatabase) async throws -> Session? {
        guard let user = try await sql.raw("SELECT * FROM users WHERE id = \(bind: userID)").first().map(decodeUser) else { return nil }
        let memberships = try await memberships(userID: userID, in: sql)
        guard let membership = memberships.first(where: { $0.workspace.id == workspaceID }) ?? memberships.first else { return nil }
        let expires = now.adding(days: sessionDays)
        let id = try await sql.raw("""
            INSERT INTO sessions (user_id, workspace_id, token_hash, created_at, last_seen_at, expires_at)
            VALUES (\(bind: userID), \(bind: membership.workspace.id), \(bind: tokenHash), \(bind: now.milliseconds), \(bind: now.milliseconds), \(bind: expires.milliseconds))
            RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        return Session(id: id, user: user, membership: membership, expiresAt: expires)
    }

    /// The live session with this token hash (its membership read fresh, so a changed role or a
    /// removal takes effect at once); nil when unknown, expired or idle too long.
    public func session(tokenHash: String) async throws -> Session? {
        let now = clock.now()
        return try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT * FROM sessions WHERE token_hash = \(bind: tokenHash) AND expires_at > \(bind: now.milliseconds)
                  AND last_seen_at > \(bind: now.adding(days: -Self.sessionIdleDays).milliseconds)
                """).first() else { return nil }
            let userID = try row.decode(column: "user_id", as: Int64.self)
            let workspaceID = try row.decode(column: "workspace_id", as: Int64.self)
            guard let user = try await sql.raw("SELECT * FROM users WHERE id = \(bind: userID)").first().map(Self.decodeUser),
                  let membership = try await Self.memberships(userID: userID, in: sql).first(where: { $0.workspace.id == workspaceID }) else { return nil }
            return Session(id: try row.decode(column: "id", as: Int64.self), user: user, membership: membership,
                           expiresAt: Timestamp(milliseconds: try row.decode(column: "expires_at", as: Int64.self)))
        }
    }

    /// Marks a session used (at most once a minute is written).
    public func touchSession(id: Int64) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                UPDATE sessions SET last_seen_at = \(bind: now.milliseconds) WHERE id = \(bind: id) AND last_seen_at < \(bind: now.milliseconds - 60_000)
                """).run()
        }
    }

    /// Moves a session to another of the user's workspaces; false when they are not a member.
    public func switchWorkspace(sessionID: Int64, userID: Int64, workspaceID: Int64) async throws -> Bool {
        try await database.write { sql in
            guard try await Self.memberships(userID: userID, in: sql).contains(where: { $0.workspace.id == workspaceID }) else { return false }
            try await sql.raw("UPDATE sessions SET workspace_id = \(bind: workspaceID) WHERE id = \(bind: sessionID)").run()
            return true
        }
    }

    /// Signs out.
    public func closeSession(tokenHash: String) async throws {
        try await database.write { sql in try await sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run() }
    }

    static func decodeUser(_ row: any SQLRow) throws -> User {
        User(id: try row.decode(column: "id", as: Int64.self), email: try row.decode(column: "email", as: String.self),
             name: try row.decode(column: "name", as: String?.self),
             hasPassword: try row.decode(column: "password_hash", as: String?.self) != nil,
             createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
             timeZone: SurveyTimeZone(validated: try row.decode(column: "time_zone", as: String.self)) ?? .utc)
    }
}
