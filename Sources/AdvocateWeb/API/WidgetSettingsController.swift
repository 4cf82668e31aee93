import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/api/v1/widget`: the in-app widget's settings and signing secret.
struct WidgetSettingsController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("widget", use: show)
        group.put("widget", use: update)
        group.post("widget/secret", use: rotateSecret)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(Self.representation(try await store.widgetConfiguration(workspaceID: try context.requireWorkspace())))
    }

    /// Fields given replace the current ones; others stay.
    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let json = try await request.jsonBody(limit: Limits.singleBodyBytes)
        let current = try await store.widgetConfiguration(workspaceID: workspaceID)
        let settings = try WidgetSettings.decode(json, over: current.settings)
        switch try await store.saveWidgetSettings(workspaceID: workspaceID, settings, audit: context.auditActor) {
        case .failure(.unknownSurvey(let id)):
            throw Problem.validation(ValidationError(field: "survey_id", "no survey with id \(id) in this workspace"))
        case .success(let configuration):
            return JSONResponse.make(Self.representation(configuration))
        }
    }

    /// Makes a new secret and returns it (this once): identities signed with the old one are
    /// refused from now on, so deploy the new one to the host's backend first.
    @Sendable func rotateSecret(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let secret = "ws_" + InvitationToken.make().token
        try await store.setWidgetSecret(workspaceID: try context.requireWorkspace(), secret, audit: context.auditActor)
        return JSONResponse.make(.object(["secret": .string(secret)]), status: .created)
    }

    static func representation(_ c: WidgetConfiguration) -> JSONValue {
        guard case .object(var o) = c.settings.json else { return c.settings.json }
        o["has_secret"] = .bool(c.secret != nil)
        return .object(o)
    }
}
