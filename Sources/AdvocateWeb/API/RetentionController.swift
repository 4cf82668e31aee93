import AdvocateCore
import AdvocateStore
import Hummingbird

/// `/api/v1/retention`: the workspace's retention policy for old answers (admin scope to change).
struct RetentionController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("retention", use: show)
        group.put("retention", use: update)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(Self.representation(try await store.retention(workspaceID: try context.requireWorkspace())))
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let policy = try RetentionPolicy.decode(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let workspaceID = try context.requireWorkspace()
        try await store.setRetention(workspaceID: workspaceID, policy, audit: context.auditActor)
        return JSONResponse.make(Self.representation(try await store.retention(workspaceID: workspaceID)))
    }

    static func representation(_ state: RetentionState?) -> JSONValue {
        guard let state else { return RetentionPolicy.offJSON }
        guard case .object(var fields) = state.policy.json else { return .null }
        fields["updated_at"] = .string(state.updatedAt.rfc3339)
        fields["last_run_at"] = state.lastRunAt.map { .string($0.rfc3339) } ?? .null
        fields["last_run_count"] = state.lastRunCount.map(JSONValue.integer) ?? .null
        return .object(fields)
    }
}
