import AdvocateCore
import SQLKit

/// Who made an administrative change and from where: what a handler knows about its caller, passed
/// to the store method that makes the change, which writes the audit entry in its own transaction.
public struct AuditActor: Sendable, Hashable {
    /// "user:ID", "token:ID" or "operator" (the command line on the server).
    public var key: String
    /// How the log shows them: the user's e-mail, the token's name; kept as it was then.
    public var label: String
    /// The client's IP address; nil from the command line.
    public var ip: String?

    public static func user(id: Int64, email: String, ip: String?) -> AuditActor { AuditActor(key: "user:\(id)", label: email, ip: ip) }
    public static func token(id: Int64, name: String, ip: String?) -> AuditActor { AuditActor(key: "token:\(id)", label: name, ip: ip) }
    public static let `operator` = AuditActor(key: "operator", label: "command line", ip: nil)
}

/// One line of a workspace's audit log.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Timestamp
    public var actor: String
    public var actorLabel: String
    /// What was done, `thing.verb`: `member.role_changed`, `webhook.secret_rotated`, …
    public var action: String
    public var targetType: String
    public var targetID: String?
    /// What changed (names and new values; never a secret).
    public var changes: Properties
    public var ip: String?
}

extension AdvocateStore {
    /// Appends an entry to the audit log inside the caller's transaction, so the log holds a line
    /// exactly when the change it describes was committed.
    static func audit(_ actor: AuditActor?, workspaceID: Int64, action: String, target: (type: String, id: String?),
                      changes: Properties = [:], at now: Timestamp, in sql: any SQLDatabase) async throws {
        guard let actor else { return }
        try await sql.raw("""
            INSERT INTO audit_log (workspace_id, at, actor, actor_label, action, target_type, target_id, changes, ip)
            VALUES (\(bind: workspaceID), \(bind: now.milliseconds), \(bind: actor.key), \(bind: actor.label), \(bind: action),
                    \(bind: target.type), \(bind: target.id), \(bind: JSONValue.object(changes).serialized()), \(bind: actor.ip))
            """).run()
    }

    /// Deletes one of the workspace's rows of `table` (a constant of ours) and logs it as `type.deleted`
    /// with `column` to tell which it was; false when there was none.
    func deleteAudited(_ table: String, type: String, column: String, workspaceID: Int64, id: Int64, audit: AuditActor?) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            guard let row = try await sql.raw("""
                DELETE FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING \(unsafeRaw: column)
                """).first() else { return false }
            try await Self.audit(audit, workspaceID: workspaceID, action: "\(type).deleted", target: (type, String(id)),
                                 changes: [column: .string(try row.decode(column: column, as: String.self))], at: now, in: sql)
            return true
        }
    }

    /// A page of the workspace's audit log, newest first, optionally of one actor (`user:7`) or one action.
    public func auditLog(workspaceID: Int64, actor: String? = nil, action: String? = nil, before cursor: Int64?, limit: Int) async throws -> Page<AuditEntry> {
        try await database.read { sql in
            // Empty strings match nothing real: they stand for "no filter" without building SQL from input.
            let entries = try await sql.raw("""
                SELECT * FROM audit_log WHERE workspace_id = \(bind: workspaceID) AND id < \(bind: cursor ?? Int64.max)
                AND (\(bind: actor ?? "") = '' OR actor = \(bind: actor ?? ""))
                AND (\(bind: action ?? "") = '' OR action = \(bind: action ?? ""))
                ORDER BY id DESC LIMIT \(literal: limit + 1)
                """).all().map { row in
                AuditEntry(id: try row.decode(column: "id", as: Int64.self),
                           at: Timestamp(milliseconds: try row.decode(column: "at", as: Int64.self)),
                           actor: try row.decode(column: "actor", as: String.self),
                           actorLabel: try row.decode(column: "actor_label", as: String.self),
                           action: try row.decode(column: "action", as: String.self),
                           targetType: try row.decode(column: "target_type", as: String.self),
                           targetID: try row.decode(column: "target_id", as: String?.self),
                           changes: Properties(jsonText: try row.decode(column: "changes", as: String.self)),
                           ip: try row.decode(column: "ip", as: String?.self))
            }
            let page = Array(entries.prefix(limit))
            return Page(items: page, nextCursor: entries.count > limit ? page.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// Who and what appear in the workspace's log (its filters' choices), with each actor's latest label.
    public func auditFacets(workspaceID: Int64) async throws -> (actors: [(key: String, label: String)], actions: [String]) {
        try await database.read { sql in
            let actors = try await sql.raw("""
                SELECT actor, MAX(actor_label) AS label FROM audit_log WHERE workspace_id = \(bind: workspaceID) GROUP BY actor ORDER BY actor LIMIT 500
                """).all().map { (key: try $0.decode(column: "actor", as: String.self), label: try $0.decode(column: "label", as: String.self)) }
            let actions = try await sql.raw("""
                SELECT DISTINCT action FROM audit_log WHERE workspace_id = \(bind: workspaceID) ORDER BY action
                """).all().map { try $0.decode(column: "action", as: String.self) }
            return (actors, actions)
        }
    }
}
