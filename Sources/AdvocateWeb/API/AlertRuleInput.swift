import AdvocateCore
import AdvocateJobs
import AdvocateStore

/// Reads an alert rule from its JSON form, for the API and the dashboard's rule form alike (the
/// form is turned into the same JSON), so both refuse the same things with the same words.
struct AlertRuleInput {
    let store: AdvocateStore
    let settings: WebhookSettings

    /// The rule as the body describes it (over `current` for a PATCH), every problem reported at
    /// once: shape first, then what it refers to (survey, themes, properties, owners, Slack URL).
    func read(_ r: InputReader, workspaceID: Int64, current: AlertRule?) async throws -> AlertRule {
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
}
