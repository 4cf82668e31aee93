import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// The dashboard's alert rules (docs/alerts.md): `/app/alert-rules`, every rule in words with how
/// often it fired; `/app/alert-rules/new` and `/app/alert-rules/{id}`, the form for every
/// condition and action the API has, checked by the API's own reader (`AlertRuleInput`), with a
/// preview of how many recent responses the rule would have matched, and the Slack posts it made
/// (deliveries of its Slack endpoint) with a replay button. Everyone reads the list;
/// admins and owners change rules (a rule can send every answer anywhere).
struct AlertRulePages {
    let store: AdvocateStore
    let accounts: AccountPages
    let settings: WebhookSettings
    let sending: SendingState

    /// How many of the latest counted responses the preview runs the rule over.
    static let previewResponses = 100

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/alert-rules", use: list)
        router.get("app/alert-rules/new", use: new)
        router.post("app/alert-rules", use: create)
        router.get("app/alert-rules/:id", use: show)
        router.post("app/alert-rules/:id", use: update)
        router.post("app/alert-rules/:id/enabled", use: toggle)
        router.post("app/alert-rules/:id/delete", use: delete)
        router.post("app/alert-rules/:id/slack/:delivery/replay", use: replaySlack)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onRules"] = true
        values["canEdit"] = session.membership.role >= .admin
        let rules = try await store.alertRules(workspaceID: workspaceID)
        let fired = try await store.alertFiringCounts(workspaceID: workspaceID)
        let surveys = try await surveyNames(workspaceID)
        values["rules"] = rules.map { rule -> [String: Any] in
            ["id": rule.id, "name": rule.name, "survey": rule.surveyID.map { surveys[$0] ?? "survey \($0)" } ?? "every survey",
             "conditions": rule.conditionsInWords, "actions": rule.actionsInWords.joined(separator: "; "), "enabled": rule.enabled,
             "fired": fired[rule.id] ?? 0]
        }
        values["hasRules"] = !rules.isEmpty
        return try await accounts.dashboardPage("alert-rules", values, title: "Alert rules", session: session, cookies: form.cookies)
    }

    @Sendable func new(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        var draft = AlertRuleForm()
        draft.openCase = true
        draft.rows = [AlertRuleForm.Row(field: "category", test: "in", value: "detractor")]
        return try await formPage(request, session: session, ruleID: nil, draft: draft)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let rule = try await find(session, context) else { return try await missing(request, session: session) }
        return try await formPage(request, session: session, ruleID: rule.id, draft: AlertRuleForm(rule: rule), saved: request.uri.queryParameters["saved"] != nil)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        return try await save(request, session: session, fields: fields, current: nil, context: context)
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let rule = try await find(session, context) else { return try await missing(request, session: session) }
        return try await save(request, session: session, fields: fields, current: rule, context: context)
    }

    /// Reads the form through the API's reader; saves it, or shows it again with what is wrong
    /// (nothing saved), or with the preview when that was the button.
    private func save(_ request: Request, session: Session, fields: [String: String], current: AlertRule?, context: AppContext) async throws -> Response {
        let workspaceID = session.membership.workspace.id
        let draft = AlertRuleForm(fields: fields)
        let (body, rowNumbers) = draft.body()
        let rule: AlertRule
        do {
            // The form carries every field, so an edit replaces the whole rule; a Slack URL
            // already accepted is not resolved again (as with the API's PATCH).
            rule = try await AlertRuleInput(store: store, settings: settings).read(InputReader(body), workspaceID: workspaceID, current: current)
        } catch let error as ValidationError {
            return try await formPage(request, session: session, ruleID: current?.id, draft: draft,
                                      errors: error.issues.map { AlertRuleForm.describe($0, rowNumbers: rowNumbers) }, status: .unprocessableContent)
        }
        if fields["action"] == "preview" {
            var probe = rule
            probe.enabled = true
            let subjects = try await store.recentAlertSubjects(workspaceID: workspaceID, surveyID: rule.surveyID, limit: Self.previewResponses)
            let matched = subjects.filter(probe.matches).count
            return try await formPage(request, session: session, ruleID: current?.id, draft: draft, preview: (matched, subjects.count))
        }
        guard let saved = try await store.saveAlertRule(workspaceID: workspaceID, id: current?.id, surveyID: rule.surveyID, name: rule.name,
                                                        match: rule.match, conditions: rule.conditions, actions: rule.actions, enabled: rule.enabled,
                                                        audit: accounts.auditActor(session, context)) else {
            return try await missing(request, session: session)
        }
        return PageRenderer.shared.redirect(to: "/app/alert-rules/\(saved.id)?saved=1")
    }

    /// Turns a rule on or off from the list.
    @Sendable func toggle(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        guard var rule = try await find(session, context) else { return try await missing(request, session: session) }
        rule.enabled = fields["enabled"] == "true"
        _ = try await store.saveAlertRule(workspaceID: rule.workspaceID, id: rule.id, surveyID: rule.surveyID, name: rule.name, match: rule.match,
                                          conditions: rule.conditions, actions: rule.actions, enabled: rule.enabled,
                                          audit: accounts.auditActor(session, context))
        return PageRenderer.shared.redirect(to: "/app/alert-rules")
    }

    /// Deletes a rule; its cases stay.
    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, _) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let rule = try await find(session, context) else { return try await missing(request, session: session) }
        _ = try await store.deleteAlertRule(workspaceID: rule.workspaceID, id: rule.id, audit: accounts.auditActor(session, context))
        return PageRenderer.shared.redirect(to: "/app/alert-rules")
    }

    /// Sends one of the rule's Slack posts again (a delivery of its Slack endpoint).
    @Sendable func replaySlack(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, _) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let rule = try await find(session, context), let url = rule.actions.slackURL,
              let endpoint = try await store.slackWebhook(workspaceID: rule.workspaceID, url: url),
              let deliveryID = context.parameters.get("delivery").flatMap(Int64.init) else { return try await missing(request, session: session) }
        switch try await store.replayWebhookDelivery(workspaceID: rule.workspaceID, webhookID: endpoint.id, id: deliveryID) {
        case .success:
            sending.wake()
            return PageRenderer.shared.redirect(to: "/app/alert-rules/\(rule.id)#slack-heading")
        case .failure(.notFound): return try await missing(request, session: session)
        case .failure(let refusal):
            let reason = refusal == .disabled ? "its Slack endpoint is disabled: enable it first (PATCH /api/v1/webhooks/\(endpoint.id))"
                : "that post is still being tried"
            return try await formPage(request, session: session, ruleID: rule.id, draft: AlertRuleForm(rule: rule), errors: ["Not sent again: \(reason)."],
                                      status: .conflict)
        }
    }

    // MARK: - Rendering

    private func find(_ session: Session, _ context: AppContext) async throws -> AlertRule? {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return nil }
        return try await store.alertRule(workspaceID: session.membership.workspace.id, id: id)
    }

    private func missing(_ request: Request, session: Session) async throws -> Response {
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onRules"] = true
        values["missing"] = true
        return try await accounts.dashboardPage("alert-rule", values, title: "Alert rule not found", session: session, cookies: form.cookies,
                                                status: .notFound)
    }

    private func surveyNames(_ workspaceID: Int64) async throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        for survey in try await store.surveys(workspaceID: workspaceID, after: nil, limit: 500).items { names[survey.id] = survey.name }
        return names
    }

    private func formPage(_ request: Request, session: Session, ruleID: Int64?, draft: AlertRuleForm, errors: [String] = [],
                          preview: (matched: Int, read: Int)? = nil, saved: Bool = false, status: HTTPResponse.Status = .ok) async throws -> Response {
        let workspaceID = session.membership.workspace.id
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onRules"] = true
        values["action"] = ruleID.map { "/app/alert-rules/\($0)" } ?? "/app/alert-rules"
        values["heading"] = ruleID == nil ? "New alert rule" : "Alert rule: \(draft.name)"
        values["saved"] = saved
        values["errors"] = errors
        values["hasErrors"] = !errors.isEmpty
        if let preview {
            values["preview"] = ["matched": preview.matched, "read": preview.read]
        }
        let surveys = try await surveyNames(workspaceID).sorted { $0.key < $1.key }
        values["surveys"] = surveys.map { ["id": $0.key, "name": $0.value, "selected": String($0.key) == draft.survey] as [String: Any] }
        values["name"] = draft.name
        values["matchAll"] = draft.match != "any"
        values["enabled"] = draft.enabled
        let rows = draft.rows + Array(repeating: AlertRuleForm.Row(), count: AlertRuleForm.blankRows)
        values["rows"] = rows.prefix(AlertRuleForm.maxRows).enumerated().map { i, row -> [String: Any] in
            [
                "i": i, "number": i + 1, "name": row.name, "value": row.value,
                "fields": AlertRuleForm.fields.map { ["value": $0, "selected": $0 == row.field] as [String: Any] },
                "tests": AlertRuleForm.tests.map { ["value": $0.value, "label": $0.label, "selected": $0.value == row.test] as [String: Any] },
            ]
        }
        values["themeNames"] = try await store.themes(workspaceID: workspaceID).map(\.name).sorted().joined(separator: ", ")
        values["channelNames"] = Channel.allCases.map(\.rawValue).joined(separator: ", ")
        values["openCase"] = draft.openCase
        values["ownerKinds"] = AlertRuleForm.ownerKinds.map { ["value": $0.value, "label": $0.label, "selected": $0.value == draft.ownerKind] as [String: Any] }
        values["owner"] = draft.owner
        values["fallback"] = draft.fallback
        values["members"] = try await store.caseWorkers(workspaceID: workspaceID).sorted().joined(separator: ", ")
        values["dueHours"] = draft.dueHours
        values["emails"] = draft.emails
        values["slackURL"] = draft.slackURL
        values["webhooks"] = draft.webhooks
        values["previewResponses"] = Self.previewResponses
        values["canEdit"] = session.membership.role >= .admin
        if let ruleID, let url = try await store.alertRule(workspaceID: workspaceID, id: ruleID)?.actions.slackURL,
           let endpoint = try await store.slackWebhook(workspaceID: workspaceID, url: url) {
            let deliveries = try await store.webhookDeliveries(workspaceID: workspaceID, webhookID: endpoint.id, state: nil, before: nil, limit: 10).items
            values["ruleID"] = ruleID
            values["slack"] = [
                "endpoint": endpoint.id, "enabled": endpoint.enabled, "hasDeliveries": !deliveries.isEmpty,
                "deliveries": deliveries.map { d -> [String: Any] in
                    var row: [String: Any] = ["id": d.id, "at": CasePages.minutes(d.createdAt), "state": d.state.rawValue, "attempts": d.attempts,
                                              "status": d.lastStatusCode.map(String.init) ?? "–",
                                              "duration": d.lastDurationMilliseconds.map { "\($0) ms" } ?? "–", "replayable": d.state != .pending]
                    if let error = d.lastError { row["error"] = error }
                    return row
                },
            ] as [String: Any]
        }
        return try await accounts.dashboardPage("alert-rule", values, title: ruleID == nil ? "New alert rule" : draft.name, session: session,
                                                cookies: form.cookies, status: status)
    }
}
