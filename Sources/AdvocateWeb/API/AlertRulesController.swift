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
        let rule = try await read(r, workspaceID: workspaceID, current: nil)
        guard let saved = try await store.saveAlertRule(workspaceID: workspaceID, surveyID: rule.surveyID, name: rule.name, match: rule.match,
                                                        conditions: rule.conditions, actions: rule.actions, enabled: rule.enabled,
                                                        audit: context.auditActor) else {
            throw Problem.badRequest("the rule could not be saved")
        }
        return JSONResponse.make(Self.representation(saved), status: .created, headers: [.location: "/api/v1/alert-rules/\(saved.id)"])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let rules = try await store.alertRules(workspaceID: try context.requireWorkspace())
        return JSONResponse.make(Representation.page(rules.map(Self.representation), next: nil))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(Self.representation(try await find(context)))
    }

    /// Changes the fields given; the rest stay. Responses it fired for stay fired.
    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let current = try await find(context)
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let rule = try await read(r, workspaceID: current.workspaceID, current: current)
        guard let saved = try await store.saveAlertRule(workspaceID: current.workspaceID, id: current.id, surveyID: rule.surveyID, name: rule.name,
                                                        match: rule.match, conditions: rule.conditions, actions: rule.actions, enabled: rule.enabled,
                                                        audit: context.auditActor) else {
            throw Problem.notFound("no alert rule with id \(current.id) in this workspace")
        }
        return JSONResponse.make(Self.representation(saved))
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

    // MARK: - Input

    /// The rule as the body describes it (over `current` for a PATCH), every problem reported at
    /// once: shape first, then what it refers to (survey, themes, properties, owners, Slack URL).
    private func read(_ r: InputReader, workspaceID: Int64, current: AlertRule?) async throws -> AlertRule {
        let creating = current == nil
        var rule = current ?? AlertRule(id: 0, workspaceID: workspaceID, surveyID: nil, name: "", match: .all, conditions: [], actions: AlertActions(),
                                        enabled: true, createdAt: store.clock.now(), updatedAt: store.clock.now())
        if let name = r.string("name", required: creating, maxCharacters: 200, nullable: false, allowEmpty: false) { rule.name = name }
        if r.has("survey_id") {
            if case .null? = r.value("survey_id") { rule.surveyID = nil } else if let id = r.integer("survey_id", in: 1...Int64.max) { rule.surveyID = id }
        }
        if let text = r.string("match", maxCharacters: 10, nullable: false) {
            if let match = AlertMatch(rawValue: text) { rule.match = match } else { r.fail("match", "must be all or any") }
        }
        if let enabled = r.bool("enabled") { rule.enabled = enabled }
        if let value = r.value("conditions") {
            if case .array(let items) = value, items.count <= 50 {
                var conditions: [AlertCondition] = []
                for (i, item) in items.enumerated() {
                    let nested = InputReader(item, path: r.name("conditions[\(i)]"))
                    if let c = AlertCondition.read(nested) { conditions.append(c) }
                    nested.rejectUnknownFields()
                    r.absorb(nested.issues)
                }
                rule.conditions = conditions
            } else {
                r.fail("conditions", "must be an array of at most 50 conditions")
            }
        }
        if let value = r.value("actions") {
            let nested = InputReader(value, path: r.name("actions"))
            if let actions = AlertActions.read(nested) { rule.actions = actions }
            nested.rejectUnknownFields()
            r.absorb(nested.issues)
        } else if creating {
            r.fail("actions", "is required: at least one of case, emails, slack_url, webhooks")
        }
        try r.finish()
        var issues = try await store.alertRuleReferenceProblems(workspaceID: workspaceID, surveyID: rule.surveyID, conditions: rule.conditions,
                                                                actions: rule.actions)
        if let text = rule.actions.slackURL, text != current?.actions.slackURL {
            switch WebhookURL.parse(text) {
            case .failure(let problem): issues.append(ValidationIssue(field: "actions.slack_url", message: problem.description))
            case .success(let url):
                if let problem = await settings.problem(with: url) { issues.append(ValidationIssue(field: "actions.slack_url", message: problem)) }
            }
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        return rule
    }

    // MARK: - Representation

    static func representation(_ rule: AlertRule) -> JSONValue {
        .object([
            "id": .integer(rule.id), "name": .string(rule.name), "survey_id": rule.surveyID.map(JSONValue.integer) ?? .null,
            "match": .string(rule.match.rawValue), "conditions": .array(rule.conditions.map(\.json)), "actions": rule.actions.json,
            "enabled": .bool(rule.enabled), "created_at": .string(rule.createdAt.rfc3339), "updated_at": .string(rule.updatedAt.rfc3339),
        ])
    }
}
