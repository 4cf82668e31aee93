import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import NPS
import Testing

@Suite("Dashboard alert rules: the list, the form with the API's validation, the preview, enable and delete")
struct AlertRulePagesTests {
    /// The form of a paid-detractor rule, as a browser posts it.
    static func paidDetractors(slack: String = "", themes: String = "", property: String = "mrr") -> [(String, String)] {
        [
            ("name", "Paid detractors"), ("survey", ""), ("match", "all"), ("enabled", "true"),
            ("c0_field", "category"), ("c0_name", ""), ("c0_test", "in"), ("c0_value", "detractor"),
            ("c1_field", "property"), ("c1_name", property), ("c1_test", "at_least"), ("c1_value", "5000"),
            ("c2_field", themes.isEmpty ? "" : "theme"), ("c2_name", ""), ("c2_test", "in"), ("c2_value", themes),
            ("case", "true"), ("owner_kind", "round_robin"), ("owner", "kim@acme.test, lee@acme.test"), ("fallback", ""), ("due_hours", "24"),
            ("emails", "ops@acme.test"), ("slack_url", slack), ("webhooks", "true"), ("action", "save"),
        ]
    }

    @Test("an admin creates a rule from the form, sees it in words with how often it fired, edits, disables and deletes it",
          arguments: TestBackend.available)
    func lifecycle(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            for email in ["kim@acme.test", "lee@acme.test"] { _ = try await api.store.addMember(workspaceID: api.workspaceID, email: email, name: nil, role: .member) }
            _ = try await api.store.upsertContact(workspaceID: api.workspaceID, ContactInput(externalID: "c1", properties: ["mrr": .integer(9000)]))
            let admin = try await api.signedIn("admin@acme.test", role: .admin)
            #expect(try await admin.get("/app/alert-rules").html.contains("No alert rules yet"))
            let form = try await admin.get("/app/alert-rules/new")
            #expect(form.status == .ok && form.html.contains("Condition 1: field") && form.html.contains("kim@acme.test"))
            let created = try await admin.post("/app/alert-rules", Self.paidDetractors())
            #expect(created.status == .seeOther, "\(created.html)")
            let rule = try #require(try await api.store.alertRules(workspaceID: api.workspaceID).first)
            #expect(rule.name == "Paid detractors" && rule.match == .all && rule.surveyID == nil && rule.enabled)
            #expect(rule.conditions == [.category([.detractor]), .property(name: "mrr", .atLeast(5000))])
            #expect(rule.actions == AlertActions(createCase: true, caseOwner: .roundRobin(["kim@acme.test", "lee@acme.test"]), dueHours: 24,
                                                 emails: ["ops@acme.test"], webhooks: true))
            #expect(created.headers[.location] == "/app/alert-rules/\(rule.id)?saved=1")
            // The form shows the rule as saved, and saving it unchanged changes nothing.
            let edit = try await admin.get("/app/alert-rules/\(rule.id)?saved=1")
            #expect(edit.html.contains("Saved.") && edit.html.contains("value=\"5000\"") && edit.html.contains("value=\"kim@acme.test, lee@acme.test\""))
            #expect(try await admin.post("/app/alert-rules/\(rule.id)", Self.paidDetractors()).status == .seeOther)
            #expect(try await api.store.alertRule(workspaceID: api.workspaceID, id: rule.id)?.conditions == rule.conditions)

            // It fires once for a paid detractor; the list says so in words.
            let survey = try await api.createSurvey()
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 2, "contact": {"external_id": "c1"}}"#)
            try await api.evaluateAlerts()
            let list = try await admin.get("/app/alert-rules")
            #expect(list.html.contains("category is detractor and mrr ≥ 5000"), "\(list.html)")
            #expect(list.html.contains("open a case, in turn among kim@acme.test, lee@acme.test, due in 24 h; e-mail ops@acme.test; send alert.fired to webhooks"))
            #expect(list.html.contains("<td>1</td><td>on</td>"))

            // Any instead of all, a score range, no case: the edit replaces the rule.
            var changed = Self.paidDetractors().filter { !["match", "c1_test", "c1_value", "c1_field", "case"].contains($0.0) }
            changed += [("match", "any"), ("c1_field", "score"), ("c1_test", "between"), ("c1_value", "0, 6")]
            #expect(try await admin.post("/app/alert-rules/\(rule.id)", changed).status == .seeOther)
            let after = try #require(try await api.store.alertRule(workspaceID: api.workspaceID, id: rule.id))
            #expect(after.match == .any && after.conditions == [.category([.detractor]), .scoreRange(atLeast: 0, atMost: 6)] && !after.actions.createCase)

            #expect(try await admin.post("/app/alert-rules/\(rule.id)/enabled", [("enabled", "false")]).status == .seeOther)
            #expect(try await api.store.alertRule(workspaceID: api.workspaceID, id: rule.id)?.enabled == false)
            #expect(try await admin.get("/app/alert-rules").html.contains("Enable Paid detractors"))
            #expect(try await admin.post("/app/alert-rules/\(rule.id)/delete", [], csrf: false).status == .forbidden)
            #expect(try await admin.post("/app/alert-rules/\(rule.id)/delete", []).status == .seeOther)
            #expect(try await api.store.alertRules(workspaceID: api.workspaceID).isEmpty)
        }
    }

    @Test("the form refuses what the API refuses, with the row and field named, and saves nothing", arguments: TestBackend.available)
    func refusals(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            for email in ["kim@acme.test", "lee@acme.test"] { _ = try await api.store.addMember(workspaceID: api.workspaceID, email: email, name: nil, role: .member) }
            _ = try await api.store.upsertContact(workspaceID: api.workspaceID, ContactInput(externalID: "c1", properties: ["mrr": .integer(9000)]))
            let admin = try await api.signedIn("admin@acme.test", role: .admin)
            let cases: [([(String, String)], String)] = [
                (Self.paidDetractors(themes: "Nope"), "Condition 3 (value): no theme named &quot;Nope&quot; in this workspace"),
                (Self.paidDetractors(property: "arr"), "Condition 2 (property): no contact or response of this workspace has a property &quot;arr&quot;"),
                (Self.paidDetractors(slack: "ftp://hooks.example.com/x"), "Slack URL:"),
                (Self.paidDetractors(slack: "http://127.0.0.1:9/x"), "a private, loopback or reserved address"),
                (Self.paidDetractors().map { $0.0 == "owner" ? ($0.0, "stranger@acme.test") : $0 }, "Case owner: stranger@acme.test is not a member"),
                (Self.paidDetractors().map { $0.0 == "c1_value" ? ($0.0, "lots") : $0 }, "Condition 2 (value): must be a number"),
                (Self.paidDetractors().map { $0.0 == "name" ? ($0.0, " ") : $0 }, "Name:"),
            ]
            for (fields, message) in cases {
                let r = try await admin.post("/app/alert-rules", fields)
                #expect(r.status == .unprocessableContent && r.html.contains("Nothing was saved") && r.html.contains(message), "\(message): \(r.status) \(r.html)")
            }
            #expect(try await api.store.alertRules(workspaceID: api.workspaceID).isEmpty)
        }
    }

    @Test("the preview counts how many recent responses the rule would have matched, and saves nothing", arguments: TestBackend.available)
    func preview(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            for email in ["kim@acme.test", "lee@acme.test"] { _ = try await api.store.addMember(workspaceID: api.workspaceID, email: email, name: nil, role: .member) }
            let survey = try await api.createSurvey()
            for (score, mrr) in [(2, 9000), (3, 100), (9, 9000), (0, 6000)] {
                _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": \#(score), "properties": {"mrr": \#(mrr)}}"#)
            }
            let admin = try await api.signedIn("admin@acme.test", role: .admin)
            let r = try await admin.post("/app/alert-rules", Self.paidDetractors().map { $0.0 == "action" ? ($0.0, "preview") : $0 })
            #expect(r.status == .ok && r.html.contains("would have matched <strong>2</strong> of the last 4 counted responses"), "\(r.html)")
            #expect(try await api.store.alertRules(workspaceID: api.workspaceID).isEmpty)
        }
    }

    @Test("members and viewers read the list only; another workspace's admin finds no rule", arguments: TestBackend.available)
    func access(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.detractorCase()
            let rule = try #require(try await api.store.alertRules(workspaceID: api.workspaceID).first)
            for role in [Role.viewer, .member] {
                let browser = try await api.signedIn("\(role.rawValue)@acme.test", role: role)
                let list = try await browser.get("/app/alert-rules")
                #expect(list.status == .ok && list.html.contains("Detractors") && !list.html.contains("/app/alert-rules/\(rule.id)\"") && !list.html.contains("New alert rule"))
                #expect(try await browser.get("/app/alert-rules/\(rule.id)").status == .forbidden)
                #expect(try await browser.post("/app/alert-rules/\(rule.id)/delete", []).status == .forbidden)
            }
            let globex = try await api.store.ensureWorkspace(slug: "globex").workspace
            let stranger = try await api.signedIn("other@example.test", role: .owner, workspaceID: globex.id)
            #expect(try await stranger.get("/app/alert-rules/\(rule.id)").status == .notFound)
            #expect(try await stranger.post("/app/alert-rules/\(rule.id)/delete", []).status == .notFound)
            #expect(try await stranger.post("/app/alert-rules/\(rule.id)", Self.paidDetractors()).status == .notFound)
            #expect(!(try await stranger.get("/app/alert-rules").html.contains("Detractors")))
            #expect(try await api.store.alertRule(workspaceID: api.workspaceID, id: rule.id) == rule)
        }
    }
}

@Suite("Dashboard alert rules: the rule's Slack posts, with replay")
struct AlertRuleSlackPageTests {
    @Test("the rule's page lists its Slack posts with attempts and status; replay is refused while the endpoint is disabled, then sends again",
          arguments: TestBackend.available)
    func slackPosts(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let url = "http://127.0.0.1:9/hooks/slack"
            let rule = try #require(try await api.store.saveAlertRule(workspaceID: api.workspaceID, surveyID: nil, name: "Tell Slack", match: .all,
                                                                      conditions: [], actions: AlertActions(slackURL: url), enabled: true))
            #expect(try await api.send(.get, "/api/v1/alert-rules/\(rule.id)").json["slack_webhook_id"] == .null, "no post yet, no endpoint")
            let survey = try await api.createSurvey()
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 4}"#)
            try await api.evaluateAlerts()
            let admin = try await api.signedIn("admin@acme.test", role: .admin)
            let endpoint = try #require(try await api.store.slackWebhook(workspaceID: api.workspaceID, url: url))
            #expect(try await api.send(.get, "/api/v1/alert-rules/\(rule.id)").json["slack_webhook_id"] == .integer(endpoint.id))
            #expect(try await api.send(.get, "/api/v1/alert-rules").json["data"]?[0]?["slack_webhook_id"] == .integer(endpoint.id))
            let listed = try await api.send(.get, "/api/v1/webhooks/\(endpoint.id)/deliveries")
            #expect(listed.status == .ok && listed.json["data"]?[0]?["event_type"] == .string("alert.fired"), "\(listed.json)")
            let pending = try await admin.get("/app/alert-rules/\(rule.id)")
            #expect(pending.html.contains("Sent as deliveries of webhook endpoint \(endpoint.id)") && pending.html.contains("<td>pending"))
            #expect(!pending.html.contains("Send again"), "a post still being tried is not replayed")

            // Nobody listens on port 9: a day of failed attempts gives up and disables the endpoint.
            let deliverer = WebhookDeliverer(store: api.store, settings: WebhookSettings(allowPrivateNetworks: true),
                                             notice: WebhookDisabledNotice(store: api.store, pool: nil, settings: nil))
            let runner = JobRunner(store: api.store, handlers: [deliverer], configuration: .init(owner: "test"))
            for _ in 0..<30 {
                try await runner.runDue()
                api.clock.advance(milliseconds: 3_600_000)
            }
            await deliverer.shutdown()
            let delivery = try #require(try await api.store.webhookDeliveries(workspaceID: api.workspaceID, webhookID: endpoint.id, state: nil,
                                                                             before: nil, limit: 10).items.first)
            #expect(delivery.state == .failed && delivery.attempts > 1)
            let failed = try await admin.get("/app/alert-rules/\(rule.id)")
            #expect(failed.html.contains("<td>failed") && failed.html.contains("(<strong>disabled</strong>") && failed.html.contains("Send again"))
            let refused = try await admin.post("/app/alert-rules/\(rule.id)/slack/\(delivery.id)/replay", [])
            #expect(refused.status == .conflict && refused.html.contains("its Slack endpoint is disabled"))
            _ = try await api.store.updateWebhook(workspaceID: api.workspaceID, id: endpoint.id, url: nil, events: nil, enabled: true)
            #expect(try await admin.post("/app/alert-rules/\(rule.id)/slack/\(delivery.id)/replay", [], csrf: false).status == .forbidden)
            let member = try await api.signedIn("member@acme.test", role: .member)
            #expect(try await member.post("/app/alert-rules/\(rule.id)/slack/\(delivery.id)/replay", []).status == .forbidden)
            #expect(try await admin.post("/app/alert-rules/\(rule.id)/slack/\(delivery.id)/replay", []).status == .seeOther)
            #expect(try await api.store.webhookDelivery(workspaceID: api.workspaceID, webhookID: endpoint.id, id: delivery.id)?.0.state == .pending)
            #expect(try await admin.post("/app/alert-rules/\(rule.id)/slack/999999/replay", []).status == .notFound)
        }
    }
}
