import AdvocateCore
import SQLKit

/// The job that evaluates a workspace's alert rules for one response.
public let alertEvaluationJobKind = "alert.evaluate"
/// The job that posted an alert to a Slack-compatible incoming webhook before Slack posts became
/// webhook deliveries; its handler stays to send the jobs an upgrade finds queued.
public let alertSlackJobKind = "alert.slack"
/// The job that sends one e-mail of the loop: an alert to the team, or a case's reply to the respondent.
public let loopEmailJobKind = "loop.email"

/// Everything evaluating rules for one response needs, read in one transaction.
public struct AlertEvaluationContext: Sendable {
    public var response: Response
    public var contact: Contact?
    public var subject: AlertSubject
    /// The workspace's enabled rules that have not fired for this response yet.
    public var rules: [AlertRule]
}

/// What firing a rule did; nil from `fireAlert` when it had fired already.
public struct AlertFiring: Sendable {
    public var rule: AlertRule
    /// The case it opened (nil when it opened none, or the response had one already).
    public var openedCase: FollowUpCase?
}

extension AdvocateStore {
    // MARK: - Rules

    /// Saves a new rule (or, with `id`, replaces that one). Nil when `id` names no rule of the workspace.
    public func saveAlertRule(workspaceID: Int64, id: Int64? = nil, surveyID: Int64?, name: String, match: AlertMatch,
                              conditions: [AlertCondition], actions: AlertActions, enabled: Bool,
                              audit: AuditActor? = nil) async throws -> AlertRule? {
        let at = clock.now()
        let now = at.milliseconds
        let conditionsText = JSONValue.array(conditions.map(\.json)).serialized()
        let actionsText = actions.json.serialized()
        let changes: Properties = ["name": .string(name), "enabled": .bool(enabled), "survey_id": surveyID.map { .integer($0) } ?? .null]
        return try await database.write { sql in
            if let id {
                guard let rule = try await sql.raw("""
                    UPDATE alert_rules SET survey_id = \(bind: surveyID), name = \(bind: name), combine = \(bind: match.rawValue),
                        conditions = \(bind: conditionsText), actions = \(bind: actionsText), enabled = \(bind: enabled ? 1 : 0), updated_at = \(bind: now)
                    WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING *
                    """).first().map(Self.decodeAlertRule) else { return nil }
                try await Self.audit(audit, workspaceID: workspaceID, action: "alert_rule.updated", target: ("alert_rule", String(id)),
                                     changes: changes, at: at, in: sql)
                return rule
            }
            let rule = try await sql.raw("""
                INSERT INTO alert_rules (workspace_id, survey_id, name, combine, conditions, actions, enabled, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: surveyID), \(bind: name), \(bind: match.rawValue), \(bind: conditionsText), \(bind: actionsText),
                        \(bind: enabled ? 1 : 0), \(bind: now), \(bind: now))
                RETURNING *
                """).first().map(Self.decodeAlertRule)!
            try await Self.audit(audit, workspaceID: workspaceID, action: "alert_rule.created", target: ("alert_rule", String(rule.id)),
                                 changes: changes, at: at, in: sql)
            return rule
        }
    }

    public func alertRule(workspaceID: Int64, id: Int64) async throws -> AlertRule? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM alert_rules WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeAlertRule)
        }
    }

    /// The workspace's rules, oldest first (a workspace has a handful).
    public func alertRules(workspaceID: Int64) async throws -> [AlertRule] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM alert_rules WHERE workspace_id = \(bind: workspaceID) ORDER BY id").all().map(Self.decodeAlertRule)
        }
    }

    /// Deletes a rule; its cases stay (without their rule).
    public func deleteAlertRule(workspaceID: Int64, id: Int64, audit: AuditActor? = nil) async throws -> Bool {
        try await deleteAudited("alert_rules", type: "alert_rule", column: "name", workspaceID: workspaceID, id: id, audit: audit)
    }

    /// How many responses each of the workspace's rules has fired for, by rule id.
    public func alertFiringCounts(workspaceID: Int64) async throws -> [Int64: Int] {
        try await database.read { sql in
            var counts: [Int64: Int] = [:]
            for row in try await sql.raw("""
                SELECT rule_id, COUNT(*) AS fired FROM alert_firings WHERE workspace_id = \(bind: workspaceID) GROUP BY rule_id
                """).all() {
                counts[try row.decode(column: "rule_id", as: Int64.self)] = try row.decode(column: "fired", as: Int.self)
            }
            return counts
        }
    }

    /// The last `limit` counted responses (of one survey, or all), as rules see them: what a
    /// rule being edited would have matched. Two reads, however many responses.
    public func recentAlertSubjects(workspaceID: Int64, surveyID: Int64?, limit: Int) async throws -> [AlertSubject] {
        try await database.read { sql in
            let survey: SQLQueryString = surveyID.map { "AND survey_id = \(bind: $0)" } ?? ""
            let responses = try await sql.raw("""
                SELECT * FROM responses WHERE workspace_id = \(bind: workspaceID) AND status = 'counted' \(survey) ORDER BY id DESC LIMIT \(bind: limit)
                """).all().map(Self.decodeResponse)
            guard !responses.isEmpty else { return [] }
            var themes: [Int64: Set<String>] = [:]
            for row in try await sql.raw("""
                SELECT rt.response_id, t.name FROM response_themes rt JOIN themes t ON t.id = rt.theme_id
                WHERE rt.response_id IN (\(binds: responses.map(\.id))) AND rt.applied = 1
                """).all() {
                themes[try row.decode(column: "response_id", as: Int64.self), default: []].insert(try row.decode(column: "name", as: String.self))
            }
            return responses.map {
                AlertSubject(surveyID: $0.surveyID, score: $0.score, comment: $0.comment, properties: $0.properties, themes: themes[$0.id] ?? [],
                             channel: $0.channel)
            }
        }
    }

    /// What a rule refers to that the workspace does not have: a survey, themes, properties no
    /// contact or response has ever had, owners who are not members able to work cases.
    public func alertRuleReferenceProblems(workspaceID: Int64, surveyID: Int64?, conditions: [AlertCondition],
                                           actions: AlertActions) async throws -> [ValidationIssue] {
        try await database.read { sql in
            var issues: [ValidationIssue] = []
            if let surveyID {
                let kind = try await sql.raw("SELECT kind FROM surveys WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: surveyID)").first()
                    .map { try $0.decode(column: "kind", as: String.self) }
                if kind == nil {
                    issues.append(ValidationIssue(field: "survey_id", message: "no survey with id \(surveyID) in this workspace"))
                } else if kind == SurveyKind.employee.rawValue {
                    issues.append(ValidationIssue(field: "survey_id", message: Anonymity.noAlerts(surveyID: surveyID)))
                }
            }
            let themes = Set(try await sql.raw("SELECT name FROM themes WHERE workspace_id = \(bind: workspaceID)").all()
                .map { try $0.decode(column: "name", as: String.self) })
            var properties: [(field: String, name: String)] = []
            for (i, condition) in conditions.enumerated() {
                switch condition {
                case .theme(let names):
                    for name in names.sorted() where !themes.contains(name) {
                        issues.append(ValidationIssue(field: "conditions[\(i)].in", message: "no theme named \"\(name)\" in this workspace"))
                    }
                case .property(let name, _): properties.append(("conditions[\(i)].name", name))
                default: break
                }
            }
            if case .property(let name, _)? = actions.caseOwner { properties.append(("actions.case.owner.property", name)) }
            for (field, name) in properties {
                if try await Self.propertySeen(workspaceID: workspaceID, name: name, in: sql) { continue }
                issues.append(ValidationIssue(field: field, message: "no contact or response of this workspace has a property \"\(name)\""))
            }
            let members = try await Self.caseWorkers(workspaceID: workspaceID, in: sql)
            for email in actions.caseOwner?.namedMembers ?? [] where !members.contains(email) {
                issues.append(ValidationIssue(field: "actions.case.owner", message: "\(email) is not a member of this workspace who can work cases (owner, admin or member)"))
            }
            return issues
        }
    }

    /// Whether any contact or response has the property: properties are JSON objects with
    /// sorted keys, so the key appears as `"name":` in the text.
    private static func propertySeen(workspaceID: Int64, name: String, in sql: any SQLDatabase) async throws -> Bool {
        let pattern = ResponseFilter.containing(JSONValue.string(name).serialized() + ":")
        for table in ["contacts", "responses"] {
            if try await sql.raw("""
                SELECT 1 AS seen FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) AND properties LIKE \(bind: pattern) ESCAPE '\\' LIMIT 1
                """).first() != nil { return true }
        }
        return false
    }

    /// Addresses of the members who may own cases (everyone but viewers), lowercased.
    public func caseWorkers(workspaceID: Int64) async throws -> Set<String> {
        try await database.read { sql in try await Self.caseWorkers(workspaceID: workspaceID, in: sql) }
    }

    static func caseWorkers(workspaceID: Int64, in sql: any SQLDatabase) async throws -> Set<String> {
        Set(try await sql.raw("""
            SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.workspace_id = \(bind: workspaceID) AND m.role <> \(bind: Role.viewer.rawValue)
            """).all().map { try $0.decode(column: "email", as: String.self).lowercased() })
    }

    // MARK: - Evaluating (off the answer's path)

    /// Queues an evaluation of `responseIDs` for the workspaces that have enabled rules, in the
    /// transaction that counted or changed them: one indexed read when a workspace has none.
    static func enqueueAlertEvaluations(_ responses: [(workspaceID: Int64, responseID: Int64)], now: Timestamp,
                                        in sql: any SQLDatabase) async throws {
        guard !responses.isEmpty else { return }
        let workspaces = Set(responses.map(\.workspaceID)).sorted()
        let withRules = Set(try await sql.raw("""
            SELECT DISTINCT workspace_id FROM alert_rules WHERE workspace_id IN (\(binds: workspaces)) AND enabled = 1
            """).all().map { try $0.decode(column: "workspace_id", as: Int64.self) })
        let jobs = responses.filter { withRules.contains($0.workspaceID) }.map {
            NewJob(workspaceID: $0.workspaceID, kind: alertEvaluationJobKind, payload: ["response_id": .integer($0.responseID)], runAt: now)
        }
        try await insertJobs(jobs, now: now, in: sql)
    }

    /// The response as rules see it and the rules still to evaluate; nil when it is gone, not
    /// counted, or an answer to an employee (eNPS) survey, which no rule may single out.
    public func alertEvaluationContext(responseID: Int64) async throws -> AlertEvaluationContext? {
        try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT r.* FROM responses r JOIN surveys s ON s.id = r.survey_id
                WHERE r.id = \(bind: responseID) AND r.status = 'counted' AND s.kind <> \(bind: SurveyKind.employee.rawValue)
                """).first() else { return nil }
            let response = try Self.decodeResponse(row)
            var contact: Contact?
            if let contactID = response.contactID {
                contact = try await sql.raw("SELECT * FROM contacts WHERE id = \(bind: contactID)").first().map(Self.decodeContact)
            }
            let themes = Set(try await sql.raw("""
                SELECT t.name FROM response_themes rt JOIN themes t ON t.id = rt.theme_id
                WHERE rt.response_id = \(bind: responseID) AND rt.applied = 1
                """).all().map { try $0.decode(column: "name", as: String.self) })
            let rules = try await sql.raw("""
                SELECT * FROM alert_rules r WHERE r.workspace_id = \(bind: response.workspaceID) AND r.enabled = 1
                AND NOT EXISTS (SELECT 1 FROM alert_firings f WHERE f.rule_id = r.id AND f.response_id = \(bind: responseID))
                ORDER BY r.id
                """).all().map(Self.decodeAlertRule)
            let subject = AlertSubject(surveyID: response.surveyID, score: response.score, comment: response.comment,
                                       properties: response.properties, themes: themes, channel: response.channel)
            return AlertEvaluationContext(response: response, contact: contact, subject: subject, rules: rules)
        }
    }

    /// Fires `rule` for the response, once: the firing's primary key makes a second call (a
    /// retried job, a concurrent update's evaluation) insert nothing and do nothing. In the same
    /// transaction: the case with its owner, and the jobs and webhook events of the actions.
    public func fireAlert(_ rule: AlertRule, context: AlertEvaluationContext) async throws -> AlertFiring? {
        let now = clock.now()
        let database = self.database
        return try await retryingWrite { sql in
            let response = context.response
            guard try await sql.raw("""
                INSERT INTO alert_firings (rule_id, response_id, workspace_id, fired_at)
                VALUES (\(bind: rule.id), \(bind: response.id), \(bind: response.workspaceID), \(bind: now.milliseconds))
                ON CONFLICT (rule_id, response_id) DO NOTHING RETURNING rule_id
                """).first() != nil else { return nil }
            var opened: FollowUpCase?
            if rule.actions.createCase {
                opened = try await Self.openCase(rule: rule, response: response, now: now, in: sql)
            }
            let alert = WebhookEvent(workspaceID: response.workspaceID, type: .alertFired,
                                     data: WebhookPayload.loopData(rule: rule, response: response, contact: context.contact, followUp: opened))
            if !rule.actions.emails.isEmpty {
                let event = WebhookPayload.body(eventID: "alert", type: .alertFired, at: now, data: alert.data)
                try await Self.insertJobs([NewJob(workspaceID: response.workspaceID, kind: loopEmailJobKind,
                                                  payload: ["to": .array(rule.actions.emails.map(JSONValue.string)), "alert": .string(event)], runAt: now)],
                                          now: now, in: sql)
            }
            var events: [WebhookEvent] = []
            if rule.actions.webhooks { events.append(alert) }
            if let opened {
                events.append(WebhookEvent(workspaceID: response.workspaceID, type: .caseCreated,
                                           data: WebhookPayload.loopData(rule: nil, response: response, contact: context.contact, followUp: opened)))
            }
            var targets: [Int64: [WebhookTarget]] = [:]
            if !events.isEmpty { targets = try await Self.webhookTargets(workspaceIDs: [response.workspaceID], in: sql) }
            if !events.isEmpty { try await Self.enqueueWebhookEvents(events, targets: targets, database: database, now: now, in: sql) }
            // The Slack post is a delivery of the URL's Slack-format endpoint, so it is retried,
            // logged and replayed like any webhook's (unless that endpoint already got alert.fired).
            if let url = rule.actions.slackURL {
                let endpoint = try await Self.slackEndpoint(workspaceID: response.workspaceID, url: url, now: now, in: sql)
                let sent = rule.actions.webhooks && targets[response.workspaceID, default: []].contains { $0.id == endpoint && $0.events.contains(.alertFired) }
                if !sent {
                    try await Self.enqueueWebhookEvents([alert], targets: [response.workspaceID: [WebhookTarget(id: endpoint, events: [.alertFired])]],
                                                        database: database, now: now, in: sql)
                }
            }
            return AlertFiring(rule: rule, openedCase: opened)
        }
    }

    /// The workspace's Slack-format endpoint for `url` (the oldest, when there are several),
    /// made on first use: without events of its own, it receives the posts of the rules that
    /// name its URL. Deleting it only stops them until a rule fires again and remakes it.
    static func slackEndpoint(workspaceID: Int64, url: String, now: Timestamp, in sql: any SQLDatabase) async throws -> Int64 {
        if let endpoint = try await slackWebhook(workspaceID: workspaceID, url: url, in: sql) { return endpoint.id }
        return try await sql.raw("""
            INSERT INTO webhooks (workspace_id, url, events, format, secret, enabled, created_at, updated_at)
            VALUES (\(bind: workspaceID), \(bind: url), '', \(bind: WebhookFormat.slack.rawValue), \(bind: RandomToken.webhookSecret()), 1,
                    \(bind: now.milliseconds), \(bind: now.milliseconds))
            RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
    }

    /// The endpoint that carries a Slack URL's posts, once a rule has fired (nil before).
    public func slackWebhook(workspaceID: Int64, url: String) async throws -> Webhook? {
        try await database.read { sql in try await Self.slackWebhook(workspaceID: workspaceID, url: url, in: sql) }
    }

    /// The Slack-format endpoints of the workspace by URL (the oldest of each), to name the one
    /// carrying each rule's posts.
    public func slackWebhookIDs(workspaceID: Int64) async throws -> [String: Int64] {
        try await database.read { sql in
            var ids: [String: Int64] = [:]
            for row in try await sql.raw("""
                SELECT id, url FROM webhooks WHERE workspace_id = \(bind: workspaceID) AND format = \(bind: WebhookFormat.slack.rawValue) ORDER BY id DESC
                """).all() {
                ids[try row.decode(column: "url", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
            return ids
        }
    }

    private static func slackWebhook(workspaceID: Int64, url: String, in sql: any SQLDatabase) async throws -> Webhook? {
        try await sql.raw("""
            SELECT * FROM webhooks WHERE workspace_id = \(bind: workspaceID) AND url = \(bind: url) AND format = \(bind: WebhookFormat.slack.rawValue)
            ORDER BY id LIMIT 1
            """).first().map(decodeWebhook)
    }

    /// Opens the response's case unless it has one, owned as the rule says, due `dueHours` after the answer.
    private static func openCase(rule: AlertRule, response: Response, now: Timestamp, in sql: any SQLDatabase) async throws -> FollowUpCase? {
        guard try await sql.raw("SELECT id FROM cases WHERE response_id = \(bind: response.id)").first() == nil else { return nil }
        let members = try await caseWorkers(workspaceID: response.workspaceID, in: sql)
        let owner: String?
        switch CaseAssignment.resolve(rule.actions.caseOwner, properties: response.properties, members: members) {
        case .fixed(let email): owner = email
        case .inTurn(let group) where group.isEmpty: owner = nil
        case .inTurn(let group):
            let turn = try await sql.raw("""
                UPDATE alert_rules SET assign_turn = assign_turn + 1 WHERE id = \(bind: rule.id) RETURNING assign_turn
                """).first()!.decode(column: "assign_turn", as: Int64.self) - 1
            owner = RoundRobin.pick(group, turn: turn)
        }
        let due = response.createdAt.milliseconds + Int64(rule.actions.dueHours) * 3_600_000
        guard let opened = try await sql.raw("""
            INSERT INTO cases (workspace_id, response_id, survey_id, rule_id, owner_email, status, due_at, responded_at, created_at, updated_at)
            VALUES (\(bind: response.workspaceID), \(bind: response.id), \(bind: response.surveyID), \(bind: rule.id), \(bind: owner), 'open',
                    \(bind: due), \(bind: response.createdAt.milliseconds), \(bind: now.milliseconds), \(bind: now.milliseconds))
            ON CONFLICT (response_id) DO NOTHING RETURNING *
            """).first().map(decodeCase) else { return nil }
        try await insertCaseEvent(opened, kind: .created, author: nil,
                                  text: "opened by rule \"\(rule.name)\"" + (owner.map { ", assigned to \($0)" } ?? ", unassigned"), now: now, in: sql)
        return opened
    }

    // MARK: - Rows

    static func decodeAlertRule(_ row: any SQLRow) throws -> AlertRule {
        let conditionsValue = try JSONValue.parse(try row.decode(column: "conditions", as: String.self))
        var conditions: [AlertCondition] = []
        if case .array(let items) = conditionsValue {
            for item in items {
                let r = InputReader(item)
                guard let c = AlertCondition.read(r), r.issues.isEmpty else { throw StoreError.corrupt("alert rule condition \(item.serialized())") }
                conditions.append(c)
            }
        }
        let r = InputReader(try JSONValue.parse(try row.decode(column: "actions", as: String.self)))
        guard let actions = AlertActions.read(r) else { throw StoreError.corrupt("alert rule actions: \(r.issues)") }
        return AlertRule(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                         surveyID: try row.decode(column: "survey_id", as: Int64?.self), name: try row.decode(column: "name", as: String.self),
                         match: AlertMatch(rawValue: try row.decode(column: "combine", as: String.self)) ?? .all, conditions: conditions,
                         actions: actions, enabled: try row.decode(column: "enabled", as: Int.self) != 0,
                         createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                         updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }
}
