import AdvocateCore
import AdvocateStore
import Hummingbird

/// `GET /api/v1/audit-log` (admin scope): who changed what in the workspace's administration,
/// newest first, by cursor, optionally of one actor (`user:7`, `token:3`, `operator`) or one action.
struct AuditLogController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("audit-log", use: list)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let actor = q.string("actor", maxCharacters: 40)
        let action = q.string("action", maxCharacters: 60)
        try q.finish()
        let page = try await store.auditLog(workspaceID: try context.requireWorkspace(), actor: actor, action: action, before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Self.representation), next: page.nextCursor))
    }

    static func representation(_ e: AuditEntry) -> JSONValue {
        .object([
            "id": .integer(e.id), "at": .string(e.at.rfc3339), "actor": .string(e.actor), "actor_label": .string(e.actorLabel),
            "action": .string(e.action), "target_type": .string(e.targetType), "target_id": .optional(e.targetID),
            "changes": .object(e.changes), "ip": .optional(e.ip),
        ])
    }
}
