import AdvocateCore
import AdvocateStore
import Hummingbird

/// `/api/v1/suppressions`: the one list of addresses no survey is sent to. Entries are added
/// here (e.g. carried over from another tool), by one-click unsubscribes and by bounces; they
/// are never removed through the API: only the person can re-subscribe, from the link in a
/// message.
struct SuppressionsController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("suppressions", use: list)
        group.post("suppressions", use: create)
        group.get("suppressions/:email", use: show)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let reason = q.oneOf("reason", SuppressionReason.self)
        let cursor = q.string("cursor", maxCharacters: Limits.emailCharacters)
        try q.finish()
        let page = try await store.suppressions(workspaceID: try context.requireWorkspace(), reason: reason, after: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Representation.suppression), next: page.nextCursor))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let raw = r.string("email", required: true, maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false)
        let email = raw.flatMap(Identifiers.normalizedEmail)
        if raw != nil, email == nil { r.fail("email", "is not a valid e-mail address: \"\(raw!)\"") }
        var reason = SuppressionReason.unsubscribed
        if let text = r.string("reason", maxCharacters: 20, nullable: false) {
            if let value = SuppressionReason(rawValue: text) { reason = value } else {
                r.fail("reason", "must be one of \(SuppressionReason.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
            }
        }
        let detail = r.string("detail", maxCharacters: 1_000)
        try r.finish()
        let workspaceID = try context.requireWorkspace()
        let existing = try await store.suppression(workspaceID: workspaceID, email: email!)
        let entry = try await store.suppress(workspaceID: workspaceID, email: email!, reason: reason, detail: detail)
        return JSONResponse.make(Representation.suppression(entry), status: existing == nil ? .created : .ok)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let raw = try context.textParameter("email")
        guard let email = Identifiers.normalizedEmail(raw) else {
            throw Problem.validation(ValidationError(field: "email", "is not a valid e-mail address: \"\(raw)\""))
        }
        guard let entry = try await store.suppression(workspaceID: try context.requireWorkspace(), email: email) else {
            throw Problem.notFound("\(email) is not suppressed")
        }
        return JSONResponse.make(Representation.suppression(entry))
    }
}
