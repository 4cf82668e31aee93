import AdvocateCore
import SQLKit

/// A user who gets a workspace's digest.
public struct DigestRecipient: Sendable, Hashable {
    public var user: User
    public var workspaceID: Int64
    public var workspaceName: String
    public var frequency: DigestFrequency
    /// Signs the unsubscribe link.
    public var secret: String
    /// When the setting last changed: periods due before it are not sent.
    public var since: Timestamp
}

extension AdvocateStore {
    /// Changes a user's name and time zone.
    public func updateProfile(userID: Int64, name: String?, timeZone: SurveyTimeZone) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                UPDATE users SET name = \(bind: name), time_zone = \(bind: timeZone.identifier), updated_at = \(bind: now.milliseconds) WHERE id = \(bind: userID)
                """).run()
        }
    }

    /// Changes a signed-in user's password and ends their other sessions (this one stays).
    public func changePassword(userID: Int64, passwordHash: String, keepingSession sessionID: Int64) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("UPDATE users SET password_hash = \(bind: passwordHash), updated_at = \(bind: now.milliseconds) WHERE id = \(bind: userID)").run()
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID) AND id <> \(bind: sessionID)").run()
        }
    }

    /// The user's stored password hash (to check the current one before a change).
    public func passwordHash(userID: Int64) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT password_hash FROM users WHERE id = \(bind: userID)").first()?.decode(column: "password_hash", as: String?.self)
        }
    }

    /// How often the user gets this workspace's digest (off when never set).
    public func digestFrequency(userID: Int64, workspaceID: Int64) async throws -> DigestFrequency {
        try await database.read { sql in
            try await sql.raw("SELECT frequency FROM digest_settings WHERE user_id = \(bind: userID) AND workspace_id = \(bind: workspaceID)").first()
                .flatMap { DigestFrequency(rawValue: try $0.decode(column: "frequency", as: String.self)) } ?? .off
        }
    }

    /// Sets how often the user gets this workspace's digest. `newSecret` signs its unsubscribe
    /// links when the user has none yet (a secret, once made, is kept).
    public func setDigestFrequency(userID: Int64, workspaceID: Int64, _ frequency: DigestFrequency, newSecret: String) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                INSERT INTO digest_settings (user_id, workspace_id, frequency, secret, updated_at)
                VALUES (\(bind: userID), \(bind: workspaceID), \(bind: frequency.rawValue), \(bind: newSecret), \(bind: now.milliseconds))
                ON CONFLICT (user_id, workspace_id) DO UPDATE SET frequency = excluded.frequency, updated_at = excluded.updated_at
                """).run()
        }
    }

    /// The secret that signs the user's unsubscribe links of this workspace's digest.
    public func digestSecret(userID: Int64, workspaceID: Int64) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT secret FROM digest_settings WHERE user_id = \(bind: userID) AND workspace_id = \(bind: workspaceID)").first()?
                .decode(column: "secret", as: String.self)
        }
    }

    /// Everyone due a digest some time: members whose setting is daily or weekly, with the
    /// workspace and when they last changed the setting.
    public func digestRecipients() async throws -> [DigestRecipient] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT u.*, d.workspace_id, d.frequency, d.secret, d.updated_at AS since, w.name AS workspace_name
                FROM digest_settings d JOIN memberships m ON m.user_id = d.user_id AND m.workspace_id = d.workspace_id
                JOIN users u ON u.id = d.user_id JOIN workspaces w ON w.id = d.workspace_id
                WHERE d.frequency <> 'off' ORDER BY d.workspace_id, u.id
                """).all().compactMap { row -> DigestRecipient? in
                guard let frequency = DigestFrequency(rawValue: try row.decode(column: "frequency", as: String.self)) else { return nil }
                return DigestRecipient(user: try Self.decodeUser(row), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                                       workspaceName: try row.decode(column: "workspace_name", as: String.self), frequency: frequency,
                                       secret: try row.decode(column: "secret", as: String.self),
                                       since: Timestamp(milliseconds: try row.decode(column: "since", as: Int64.self)))
            }
        }
    }

    /// Takes the one send of a digest period for a user and workspace; false when it was taken
    /// already (sent, or being sent by another runner). The primary key makes it once only.
    public func claimDigest(userID: Int64, workspaceID: Int64, period: String) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            try await sql.raw("""
                INSERT INTO digest_sends (user_id, workspace_id, period, sent_at)
                VALUES (\(bind: userID), \(bind: workspaceID), \(bind: period), \(bind: now.milliseconds))
                ON CONFLICT (user_id, workspace_id, period) DO NOTHING RETURNING period
                """).first() != nil
        }
    }

    /// Gives a claimed period back after its message failed, so the next run tries again.
    public func releaseDigest(userID: Int64, workspaceID: Int64, period: String) async throws {
        try await database.write { sql in
            try await sql.raw("""
                DELETE FROM digest_sends WHERE user_id = \(bind: userID) AND workspace_id = \(bind: workspaceID) AND period = \(bind: period)
                """).run()
        }
    }
}
