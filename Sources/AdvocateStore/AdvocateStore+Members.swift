import AdvocateCore
import SQLKit

/// A member of a workspace as the members page lists them.
public struct Member: Sendable, Hashable {
    public var user: User
    public var role: Role
    public var joinedAt: Timestamp
}

/// An invitation to join a workspace, sent to an address.
public struct MemberInvitation: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var email: String
    public var role: Role
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var acceptedAt: Timestamp?
    public var revokedAt: Timestamp?
}

/// A live invitation found by its link, with what its page needs.
public struct InvitationLink: Sendable, Hashable {
    public var invitation: MemberInvitation
    public var workspace: Workspace
    /// The account that already has the invited address, if any (with or without a password).
    public var existingUser: User?
}

extension AdvocateStore {
    /// Invitations to a workspace last a week.
    public static let memberInvitationDays = 7
    /// Password reset links last an hour.
    public static let passwordResetMinutes = 60

    /// The workspace's members, owners first, then by address.
    public func members(workspaceID: Int64) async throws -> [Member] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT u.*, m.role, m.created_at AS joined_at FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.workspace_id = \(bind: workspaceID) ORDER BY u.email
                """).all().map { row in
                Member(user: try Self.decodeUser(row), role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
                       joinedAt: Timestamp(milliseconds: try row.decode(column: "joined_at", as: Int64.self)))
            }.sorted { ($0.role, $1.user.email) > ($1.role, $0.user.email) }
        }
    }

    /// Changes a member's role as `actor` may (MemberPolicy), in one transaction with the count
    /// of owners, so two owners demoting each other at once cannot leave none.
    public func changeRole(workspaceID: Int64, userID: Int64, to role: Role, actor: Role, audit: AuditActor? = nil) async throws -> MemberPolicy.Refusal? {
        let now = clock.now()
        return try await withMembership(workspaceID: workspaceID, userID: userID) { sql, current, owners in
            if let refusal = MemberPolicy.changeRefusal(actor: actor, current: current, new: role, owners: owners) { return refusal }
            try await sql.raw("UPDATE memberships SET role = \(bind: role.rawValue) WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID)").run()
            try await Self.audit(audit, workspaceID: workspaceID, action: "member.role_changed", target: ("user", String(userID)),
                                 changes: ["from": .string(current.rawValue), "to": .string(role.rawValue)], at: now, in: sql)
            return nil
        }
    }

    /// Removes a member as `actor` may, and ends their sessions in this workspace at once.
    public func removeMember(workspaceID: Int64, userID: Int64, actor: Role, audit: AuditActor? = nil) async throws -> MemberPolicy.Refusal? {
        let now = clock.now()
        return try await withMembership(workspaceID: workspaceID, userID: userID) { sql, current, owners in
            if let refusal = MemberPolicy.removalRefusal(actor: actor, current: current, owners: owners) { return refusal }
            try await sql.raw("DELETE FROM memberships WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID)").run()
            try await sql.raw("DELETE FROM sessions WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID)").run()
            try await Self.audit(audit, workspaceID: workspaceID, action: "member.removed", target: ("user", String(userID)),
                                 changes: ["role": .string(current.rawValue)], at: now, in: sql)
            return nil
        }
    }

    /// Runs `body` with the member's role and the workspace's owner count, the workspace row
    /// locked first on PostgreSQL (SQLite has one writer).
    private func withMembership(workspaceID: Int64, userID: Int64,
                                _ body: @escaping @Sendable (any SQLDatabase, Role, Int) async throws -> MemberPolicy.Refusal?) async throws -> MemberPolicy.Refusal? {
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE" : ""
        return try await database.write { sql in
            _ = try await sql.raw("SELECT id FROM workspaces WHERE id = \(bind: workspaceID)\(lock)").first()
            guard let row = try await sql.raw("SELECT role FROM memberships WHERE workspace_id = \(bind: workspaceID) AND user_id = \(bind: userID)").first(),
                  let current = Role(rawValue: try row.decode(column: "role", as: String.self)) else { return .notFound }
            let owners = try await sql.raw("""
                SELECT COUNT(*) AS n FROM memberships WHERE workspace_id = \(bind: workspaceID) AND role = \(bind: Role.owner.rawValue)
                """).first()!.decode(column: "n", as: Int.self)
            return try await body(sql, current, owners)
        }
    }

    // MARK: - Invitations

    /// Invites an address with a role; the caller e-mails the link (the invitation e-mail job is
    /// queued in the same transaction, so there is never an invitation without its message).
    public func inviteMember(workspaceID: Int64, email: String, role: Role, tokenHash: String, invitedBy: Int64?,
                             audit: AuditActor? = nil, message: @escaping @Sendable (MemberInvitation) -> NewJob) async throws -> MemberInvitation {
        let now = clock.now()
        return try await database.write { sql in
            let expires = now.adding(days: Self.memberInvitationDays)
            let id = try await sql.raw("""
                INSERT INTO member_invitations (workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
                VALUES (\(bind: workspaceID), \(bind: email), \(bind: role.rawValue), \(bind: tokenHash), \(bind: invitedBy), \(bind: now.milliseconds), \(bind: expires.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            let invitation = MemberInvitation(id: id, workspaceID: workspaceID, email: email, role: role, createdAt: now, expiresAt: expires)
            try await Self.insertJobs([message(invitation)], now: now, in: sql)
            try await Self.audit(audit, workspaceID: workspaceID, action: "invitation.created", target: ("member_invitation", String(id)),
                                 changes: ["email": .string(email), "role": .string(role.rawValue)], at: now, in: sql)
            return invitation
        }
    }

    /// The workspace's invitations not yet accepted or revoked (expired ones too, to resend), newest first.
    public func pendingMemberInvitations(workspaceID: Int64) async throws -> [MemberInvitation] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT * FROM member_invitations WHERE workspace_id = \(bind: workspaceID) AND accepted_at IS NULL AND revoked_at IS NULL
                ORDER BY id DESC LIMIT 500
                """).all().map(Self.decodeMemberInvitation)
        }
    }

    /// Revokes a pending invitation; false when there is none with this id in the workspace.
    public func revokeMemberInvitation(workspaceID: Int64, id: Int64, audit: AuditActor? = nil) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            guard let row = try await sql.raw("""
                UPDATE member_invitations SET revoked_at = \(bind: now.milliseconds)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND accepted_at IS NULL AND revoked_at IS NULL RETURNING email
                """).first() else { return false }
            try await Self.audit(audit, workspaceID: workspaceID, action: "invitation.revoked", target: ("member_invitation", String(id)),
                                 changes: ["email": .string(try row.decode(column: "email", as: String.self))], at: now, in: sql)
            return true
        }
    }

    /// Sends a pending invitation again with a new link and a new week; the old link stops working.
    /// Nil when there is no pending invitation with this id, or `actor` may not grant its role.
    public func resendMemberInvitation(workspaceID: Int64, id: Int64, tokenHash: String, actor: Role, audit: AuditActor? = nil,
                                       message: @escaping @Sendable (MemberInvitation) -> NewJob) async throws -> MemberInvitation? {
        let now = clock.now()
        return try await database.write { sql in
            guard let row = try await sql.raw("""
                SELECT * FROM member_invitations WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND accepted_at IS NULL AND revoked_at IS NULL
                """).first() else { return nil }
            var invitation = try Self.decodeMemberInvitation(row)
            guard MemberPolicy.grantRefusal(actor: actor, role: invitation.role) == nil else { return nil }
            invitation.expiresAt = now.adding(days: Self.memberInvitationDays)
            try await sql.raw("""
                UPDATE member_invitations SET token_hash = \(bind: tokenHash), expires_at = \(bind: invitation.expiresAt.milliseconds) WHERE id = \(bind: id)
                """).run()
            try await Self.insertJobs([message(invitation)], now: now, in: sql)
            try await Self.audit(audit, workspaceID: workspaceID, action: "invitation.resent", target: ("member_invitation", String(id)),
                                 changes: ["email": .string(invitation.email)], at: now, in: sql)
            return invitation
        }
    }

    /// The live invitation a link is for.
    public func invitationLink(tokenHash: String) async throws -> InvitationLink? {
        let now = clock.now()
        return try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT * FROM member_invitations WHERE token_hash = \(bind: tokenHash) AND accepted_at IS NULL AND revoked_at IS NULL
                  AND expires_at > \(bind: now.milliseconds)
                """).first() else { return nil }
            let invitation = try Self.decodeMemberInvitation(row)
            guard let workspace = try await Self.workspace(id: invitation.workspaceID, in: sql) else { return nil }
            let user = try await sql.raw("SELECT * FROM users WHERE email = \(bind: invitation.email)").first().map(Self.decodeUser)
            return InvitationLink(invitation: invitation, workspace: workspace, existingUser: user)
        }
    }

    /// Accepts an invitation, once: joins the account with the invited address to the workspace
    /// (making it when there is none), and when `passwordHash` is given (a person new to
    /// Advocate, or one who never set a password) sets it and opens a session there.
    /// A member already in the workspace keeps their role: an invitation never demotes anyone.
    public func acceptMemberInvitation(tokenHash: String, name: String?, passwordHash: String?,
                                       sessionTokenHash: String) async throws -> (workspaceID: Int64, session: Session?)? {
        let now = clock.now()
        return try await database.write { sql in
            guard let row = try await sql.raw("""
                UPDATE member_invitations SET accepted_at = \(bind: now.milliseconds)
                WHERE token_hash = \(bind: tokenHash) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: now.milliseconds)
                RETURNING *
                """).first() else { return nil }
            let invitation = try Self.decodeMemberInvitation(row)
            var userID = try await sql.raw("SELECT id FROM users WHERE email = \(bind: invitation.email)").first()?.decode(column: "id", as: Int64.self)
            if userID == nil {
                userID = try await sql.raw("""
                    INSERT INTO users (email, name, created_at, updated_at)
                    VALUES (\(bind: invitation.email), \(bind: name), \(bind: now.milliseconds), \(bind: now.milliseconds)) RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
            }
            try await sql.raw("""
                INSERT INTO memberships (workspace_id, user_id, role, created_at)
                VALUES (\(bind: invitation.workspaceID), \(bind: userID!), \(bind: invitation.role.rawValue), \(bind: now.milliseconds))
                ON CONFLICT (workspace_id, user_id) DO NOTHING
                """).run()
            guard let passwordHash else { return (invitation.workspaceID, nil) }
            try await sql.raw("""
                UPDATE users SET password_hash = \(bind: passwordHash), name = COALESCE(\(bind: name), name), updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: userID!)
                """).run()
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID!)").run()
            let session = try await Self.openSession(userID: userID!, workspaceID: invitation.workspaceID, tokenHash: sessionTokenHash, now: now, in: sql)
            return (invitation.workspaceID, session)
        }
    }

    // MARK: - Password reset

    /// Makes a reset link for the account with this address and queues its e-mail, in one
    /// transaction; nothing when there is no such account (the page says the same either way).
    public func requestPasswordReset(email: String, tokenHash: String, message: @escaping @Sendable () -> NewJob) async throws {
        let now = clock.now()
        try await database.write { sql in
            guard let id = try await sql.raw("SELECT id FROM users WHERE email = \(bind: email)").first()?.decode(column: "id", as: Int64.self) else { return }
            try await sql.raw("""
                INSERT INTO user_links (token_hash, user_id, purpose, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: id), 'reset', \(bind: now.milliseconds), \(bind: now.milliseconds + Int64(Self.passwordResetMinutes) * 60_000))
                """).run()
            try await Self.insertJobs([message()], now: now, in: sql)
        }
    }

    static func workspace(id: Int64, in sql: any SQLDatabase) async throws -> Workspace? {
        try await sql.raw("SELECT * FROM workspaces WHERE id = \(bind: id)").first().map { row in
            Workspace(id: try row.decode(column: "id", as: Int64.self), slug: try row.decode(column: "slug", as: String.self),
                      name: try row.decode(column: "name", as: String.self),
                      createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
        }
    }

    static func decodeMemberInvitation(_ row: any SQLRow) throws -> MemberInvitation {
        MemberInvitation(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                         email: try row.decode(column: "email", as: String.self),
                         role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
                         createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                         expiresAt: Timestamp(milliseconds: try row.decode(column: "expires_at", as: Int64.self)),
                         acceptedAt: try row.decode(column: "accepted_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                         revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Timestamp.init(milliseconds:)))
    }
}
