import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/api/v1/alert-rules`: what counted responses set off (cases, e-mails, Slack, webhooks);
/// docs/alerts.md. Changing rules takes an admin token: a rule can send every answer anywhere.
struct AlertRulesController {
    let store: AdvocateStore
    let settings: WebhookSettings

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("alert-rules", use: create)
        group.get("alert-rules", use: list)
        group.get("alert-rules/:id", use: show)
        group.patch("alert-rules/:id", use: update)
        group.delete("alert-rules/:id", use: delete)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let rule = try await AlertRuleInput(store: store, settings: settings).read(r, workspaceID: workspaceID, current: nil)
        guard let saved = try await store.saveAlertRule(workspaceID: workspaceID, surveyID: rule.surveyID, name: rule.name, match: rule.match,
                                                        conditions: rule.conditions, actions: rule.actions, enabled: rule.enabled,
                                                        audit: context.auditActor) else {
            throw Problem.badRequest("the rule could not be saved")
        }
        return JSONResponse.make(try await representation(saved), status: .created, headers: [.location: "/api/v1/alert-rules/\(saved.id)"])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let workspaceID = try context.requireWorkspace()
        let rules = try await store.alertRules(workspaceID: workspaceID)
        let slack = try await store.slackWebhookIDs(workspaceID: workspaceID)
        return JSONResponse.make(Representation.page(rules.map { Self.representation($0, slackWebhooks: slack) }, next: nil))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(try await representation(try await find(context)))
    }

    /// Changes the fields given; the rest stay. Responses it fired for stay fired.
    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let current = try await find(context)
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let rule = try await AlertRuleInput(store: store, settings: settings).read(r, workspaceID: current.workspaceID, current: current)
        guard let saved = try await store.saveAlertRule(workspaceID: current.workspaceID, id: current.id, surveyID: rule.surveyID, name: rule.name,
                                                        match: rule.match, conditions: rule.conditions, actions: rule.actions, enabled: rule.enabled,
                                                        audit: context.auditActor) else {
            throw Problem.notFound("no alert rule with id \(current.id) in this workspace")
        }
        return JSONResponse.make(try await representation(saved))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard try await store.deleteAlertRule(workspaceID: try context.requireWorkspace(), id: id, audit: context.auditActor) else {
            throw Problem.notFound("no alert rule with id \(id) in this workspace")
        }
        return Response(status: .noContent)
    }

    private func find(_ context: AppContext) async throws -> AlertRule {
        let id = try context.idParameter()
        guard let rule = try await store.alertRule(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no alert rule with id \(id) in this workspace")
        }
        return rule
    }

    // MARK: - Representation

    private func representation(_ rule: AlertRule) async throws -> JSONValue {
        Self.representation(rule, slackWebhooks: try await store.slackWebhookIDs(workspaceID: rule.workspaceID))
    }

    /// `slack_webhook_id`: the endpoint whose delivery log holds the rule's Slack posts (null
    /// until the rule has fired, or without a Slack URL).
    static func representation(_ rule: AlertRule, slackWebhooks: [String: Int64]) -> JSONValue {
        .object([
            "slack_webhook_id": rule.actions.slackURL.flatMap { slackWebhooks[$0] }.map(JSONValue.integer) ?? .null,
            "id": .integer(rule.id), "name": .string(rule.name), "survey_id": rule.surveyID.map(JSONValue.integer) ?? .null,
            "match": .string(rule.match.rawValue), "conditions": .array(rule.conditions.map(\.json)), "actions": rule.actions.json,
            "enabled": .bool(rule.enabled), "created_at": .string(rule.createdAt.rfc3339), "updated_at": .string(rule.updatedAt.rfc3339),
        ])
    }
}
