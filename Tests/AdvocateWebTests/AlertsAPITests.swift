import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import Testing

extension APIHarness {
    /// Tokens of the read (viewer) and write (member) scopes for this workspace.
    func scopedTokens() async throws -> (read: String, write: String) {
        var out: [String] = []
        for scope in [TokenScope.read, .write] {
            let secret = APITokenSecret.generate()
            _ = try await store.createToken(workspaceID: workspaceID, name: scope.rawValue, secretHash: APITokenSecret.hash(secret), scope: scope)
            out.append(secret)
        }
        return (out[0], out[1])
    }

    /// Runs the alert evaluations due now (the job runner of `serve`, driven by hand).
    func evaluateAlerts() async throws {
        try await JobRunner(store: store, handlers: [AlertEvaluator(store: store)], configuration: .init(owner: "test")).runDue()
    }

    /// A member, a rule opening cases for detractors owned by that member, a detractor's answer: the case's id.
    func detractorCase(owner: String = "kim@acme.test") async throws -> Int64 {
        _ = try await store.addMember(workspaceID: workspaceID, email: owner, name: nil, role: .member)
        let survey = try await createSurvey()
        let rule = try await send(.post, "/api/v1/alert-rules", json: #"""
            {"name": "Detractors", "conditions": [{"field": "category", "in": ["detractor"]}], "actions": {"case": {"owner": {"user": "\#(owner)"}}}}
            """#)
        guard rule.status == .created else { throw HarnessError("rule: \(rule.status) \(rule.json)") }
        let answer = try await send(.post, "/api/v1/responses", json: #"""
            {"survey_id": \#(survey), "score": 3, "comment": "Too slow", "contact": {"external_id": "c1", "email": "ana@customer.test", "name": "Ana"}}
            """#)
        guard answer.status == .created else { throw HarnessError("answer: \(answer.status)") }
        try await evaluateAlerts()
        let list = try await send(.get, "/api/v1/cases")
        guard case .integer(let id)? = list.json["data"]?[0]?["id"] else { throw HarnessError("no case: \(list.json)") }
        return id
    }
}

@Suite("/api/v1/alert-rules and /api/v1/cases")
struct AlertsAPITests {
    @Test("rules: create, show, list, change, delete; what they refer to must exist", arguments: TestBackend.available)
    func rules(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.store.addMember(workspaceID: api.workspaceID, email: "kim@acme.test", name: nil, role: .member)
            _ = try await api.store.upsertContact(workspaceID: api.workspaceID, ContactInput(externalID: "c1", properties: ["mrr": .integer(9000)]))
            let body = #"""
                {"name": "Paid detractors", "match": "all",
                 "conditions": [{"field": "category", "in": ["detractor"]}, {"field": "property", "name": "mrr", "at_least": 5000}, {"field": "score", "in": [8, 6, 2, 1, 0]}],
                 "actions": {"case": {"owner": {"round_robin": ["Kim@acme.test"]}, "due_hours": 24}, "emails": ["ops@acme.test"], "webhooks": true}}
                """#
            let created = try await api.send(.post, "/api/v1/alert-rules", json: body)
            #expect(created.status == .created, "\(created.json)")
            guard case .integer(let id)? = created.json["id"] else { return }
            #expect(created.headers[.location] == "/api/v1/alert-rules/\(id)")
            #expect(created.json["conditions"]?[1]?["at_least"] == .integer(5000))
            #expect(created.json["actions"]?["case"]?["owner"]?["round_robin"] == .array([.string("kim@acme.test")]))
            #expect(created.json["actions"]?["case"]?["due_hours"] == .integer(24))
            #expect(try await api.send(.get, "/api/v1/alert-rules/\(id)").json == created.json)
            #expect(try await api.send(.get, "/api/v1/alert-rules").json["data"]?[0]?["id"] == .integer(id))
            let patched = try await api.send(.patch, "/api/v1/alert-rules/\(id)", json: #"{"match": "any", "enabled": false}"#)
            #expect(patched.status == .ok && patched.json["match"] == .string("any") && patched.json["enabled"] == .bool(false))
            #expect(patched.json["conditions"] == created.json["conditions"])

            let bad: [(String, [String])] = [
                (#"{"name": "x", "conditions": [{"field": "theme", "in": ["Nope"]}], "actions": {"webhooks": true}}"#, ["conditions[0].in"]),
                (#"{"name": "x", "conditions": [{"field": "property", "name": "arr", "at_least": 1}], "actions": {"webhooks": true}}"#, ["conditions[0].name"]),
                (#"{"name": "x", "actions": {"slack_url": "ftp://hooks.example.com/x"}}"#, ["actions.slack_url"]),
                (#"{"name": "x", "actions": {"slack_url": "http://127.0.0.1:9/x"}}"#, ["actions.slack_url"]),
                (#"{"name": "x", "actions": {"case": {"owner": {"user": "stranger@acme.test"}}}}"#, ["actions.case.owner"]),
                (#"{"name": "x", "actions": {"case": {"owner": {"property": "account_owner_email"}}}}"#, ["actions.case.owner.property"]),
                (#"{"name": "x", "survey_id": 999, "actions": {"webhooks": true}}"#, ["survey_id"]),
                (#"{"name": "x", "actions": {}}"#, ["actions"]),
                (#"{"name": "x", "conditions": [{"field": "scroe"}], "actions": {"webhooks": true}, "extra": 1}"#, ["conditions[0].field", "extra"]),
                (#"{"actions": {"webhooks": true}}"#, ["name"]),
            ]
            for (json, fields) in bad {
                let r = try await api.send(.post, "/api/v1/alert-rules", json: json)
                #expect(r.status == .unprocessableContent && r.isProblem && Set(fields).isSubset(of: Set(r.errorFields)), "\(json): \(r.status) \(r.json)")
            }
            #expect(try await api.store.alertRules(workspaceID: api.workspaceID).count == 1, "nothing saved by refused input")
            #expect(try await api.send(.delete, "/api/v1/alert-rules/\(id)").status == .noContent)
            #expect(try await api.send(.get, "/api/v1/alert-rules/\(id)").status == .notFound)
        }
    }

    @Test("viewers read, members work cases, only admins change rules; another workspace's rules and cases are not found",
          arguments: TestBackend.available)
    func permissions(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let caseID = try await api.detractorCase()
            let ruleID = try #require(try await api.store.alertRules(workspaceID: api.workspaceID).first?.id)
            let (read, write) = try await api.scopedTokens()
            #expect(try await api.send(.get, "/api/v1/cases/\(caseID)", token: read).status == .ok)
            #expect(try await api.send(.get, "/api/v1/alert-rules", token: read).status == .ok)
            for (method, path, body) in [
                (HTTPRequest.Method.patch, "/api/v1/cases/\(caseID)", #"{"status": "contacted"}"#),
                (.post, "/api/v1/cases/\(caseID)/notes", #"{"text": "called"}"#),
                (.post, "/api/v1/cases/\(caseID)/reply", "{}"),
            ] as [(HTTPRequest.Method, String, String?)] {
                let r = try await api.send(method, path, json: body, token: read)
                #expect(r.status == .forbidden && r.isProblem, "viewer \(method) \(path): \(r.status)")
            }
            let worked = try await api.send(.patch, "/api/v1/cases/\(caseID)", json: #"{"status": "contacted", "author": "kim@acme.test"}"#, token: write)
            #expect(worked.status == .ok && worked.json["status"] == .string("contacted"))
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/api/v1/alert-rules", #"{"name": "x", "actions": {"webhooks": true}}"#),
                (.patch, "/api/v1/alert-rules/\(ruleID)", #"{"enabled": false}"#),
                (.delete, "/api/v1/alert-rules/\(ruleID)", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let r = try await api.send(method, path, json: body, token: write)
                #expect(r.status == .forbidden && r.detail.contains("needs admin"), "member \(method) \(path): \(r.status)")
            }
            #expect(try await api.store.alertRule(workspaceID: api.workspaceID, id: ruleID)?.enabled == true)

            let other = try await api.token(forWorkspace: "globex")
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/api/v1/cases/\(caseID)", nil), (.patch, "/api/v1/cases/\(caseID)", #"{"status": "resolved"}"#),
                (.post, "/api/v1/cases/\(caseID)/notes", #"{"text": "x"}"#), (.get, "/api/v1/cases/\(caseID)/reply", nil),
                (.post, "/api/v1/cases/\(caseID)/reply", "{}"),
                (.get, "/api/v1/alert-rules/\(ruleID)", nil), (.patch, "/api/v1/alert-rules/\(ruleID)", #"{"enabled": false}"#),
                (.delete, "/api/v1/alert-rules/\(ruleID)", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let r = try await api.send(method, path, json: body, token: other)
                #expect(r.status == .notFound && r.isProblem, "\(method) \(path): \(r.status)")
            }
            #expect(try await api.send(.get, "/api/v1/cases", token: other).json["data"] == .array([]))
            #expect(try await api.send(.get, "/api/v1/alert-rules", token: other).json["data"] == .array([]))
        }
    }

    @Test("a case: filters, status moves, outcome, owner, notes and history; bad input changes nothing", arguments: TestBackend.available)
    func cases(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let id = try await api.detractorCase()
            let shown = try await api.send(.get, "/api/v1/cases/\(id)")
            #expect(shown.json["owner"] == .string("kim@acme.test") && shown.json["status"] == .string("open") && shown.json["overdue"] == .bool(false))
            #expect(shown.json["due_at"] == .string("2026-11-24T09:00:00.000Z"))
            #expect(shown.json["history"]?[0]?["kind"] == .string("created"))
            #expect(try await api.send(.get, "/api/v1/cases?overdue=true").json["data"] == .array([]))
            api.clock.advance(milliseconds: 48 * 3_600_000 + 1)
            #expect(try await api.send(.get, "/api/v1/cases?overdue=true").json["data"]?[0]?["id"] == .integer(id))
            #expect(try await api.send(.get, "/api/v1/cases?owner=kim@acme.test&status=open").json["data"]?[0]?["id"] == .integer(id))
            #expect(try await api.send(.get, "/api/v1/cases?status=resolved").json["data"] == .array([]))
            let since = try await api.send(.get, "/api/v1/cases?updated_since=2026-11-25T00:00:00Z")
            #expect(since.json["data"] == .array([]), "not changed since")

            let bad: [(String, String)] = [
                (#"{"status": "closed"}"#, "status"), (#"{"outcome": "won_back"}"#, "outcome"), (#"{"owner": "stranger@acme.test"}"#, "owner"),
                (#"{"due_at": "tomorrow"}"#, "due_at"), (#"{"colour": "red"}"#, "colour"),
            ]
            for (json, field) in bad {
                let r = try await api.send(.patch, "/api/v1/cases/\(id)", json: json)
                #expect(r.status == .unprocessableContent && r.errorFields.contains(field), "\(json): \(r.status) \(r.json)")
            }
            let oversized = try await api.send(.post, "/api/v1/cases/\(id)/notes", json: JSONValue.object(["text": .string(String(repeating: "x", count: 10_001))]).serialized())
            #expect(oversized.status == .unprocessableContent && oversized.errorFields == ["text"])
            #expect(try await api.send(.get, "/api/v1/cases/\(id)").json["history"]?[1] == nil, "nothing changed")

            let note = try await api.send(.post, "/api/v1/cases/\(id)/notes", json: #"{"text": "Left a voicemail <b>", "author": "kim@acme.test"}"#)
            #expect(note.status == .created && note.json["kind"] == .string("note") && note.json["author"] == .string("kim@acme.test"))
            let contacted = try await api.send(.patch, "/api/v1/cases/\(id)", json: #"{"status": "contacted"}"#)
            #expect(contacted.json["first_contact_at"] == .string("2026-11-24T09:00:00.001Z") && contacted.json["overdue"] == .bool(false))
            let back = try await api.send(.patch, "/api/v1/cases/\(id)", json: #"{"status": "open"}"#)
            #expect(back.status == .unprocessableContent, "a contacted case never goes back to open")
            let resolved = try await api.send(.patch, "/api/v1/cases/\(id)", json: #"{"status": "resolved", "outcome": "won_back"}"#)
            #expect(resolved.json["status"] == .string("resolved") && resolved.json["outcome"] == .string("won_back"))
            let history = try await api.send(.get, "/api/v1/cases/\(id)").json["history"]
            #expect(history?[1]?["text"] == .string("Left a voicemail <b>"))
            #expect(history?[3]?["text"] == .string("status contacted → resolved; outcome none → won_back"))
            let sla = try await api.send(.get, "/api/v1/cases/sla")
            #expect(sla.status == .ok && sla.json["all"]?["contacted"] == .integer(1) && sla.json["all"]?["share_contacted_within_48h"]?.numericValue == 0)
            #expect(sla.json["owners"]?[0]?["owner"] == .string("kim@acme.test"))
            #expect(try await api.send(.get, "/api/v1/cases/999999").status == .notFound)
        }
    }

    @Test("reply: the category's template, editable; queued for e-mail, logged, contacted; refused without e-mail or to a suppressed address",
          arguments: TestBackend.available)
    func reply(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let id = try await api.detractorCase()
            let draft = try await api.send(.get, "/api/v1/cases/\(id)/reply")
            #expect(draft.json["to"] == .string("ana@customer.test"))
            guard case .string(let text)? = draft.json["text"] else { Issue.record("\(draft.json)"); return }
            #expect(text.contains("Hi Ana,") && text.contains("Too slow"))
            let sent = try await api.send(.post, "/api/v1/cases/\(id)/reply", json: #"{"text": "Hi Ana, we fixed it.", "author": "kim@acme.test"}"#)
            #expect(sent.status == .accepted && sent.json["status"] == .string("contacted"))
            let jobs = try await api.store.jobs(workspaceID: api.workspaceID, state: .queued, before: nil, limit: 10).items.filter { $0.kind == loopEmailJobKind }
            #expect(jobs.count == 1 && jobs.first?.payload["text"] == .string("Hi Ana, we fixed it."))
            #expect(jobs.first?.payload["subject"] == draft.json["subject"])
            let history = try await api.send(.get, "/api/v1/cases/\(id)").json["history"]
            #expect(history?[1]?["kind"] == .string("reply") && history?[1]?["author"] == .string("kim@acme.test"))

            try await api.store.suppress(workspaceID: api.workspaceID, email: "ana@customer.test", reason: .unsubscribed, detail: nil)
            let refused = try await api.send(.post, "/api/v1/cases/\(id)/reply", json: "{}")
            #expect(refused.status == .unprocessableContent && refused.errorFields == ["to"])
        }
        try await withAPI(backend, sending: .disabled) { api in
            let id = try await api.detractorCase()
            let r = try await api.send(.post, "/api/v1/cases/\(id)/reply", json: "{}")
            #expect(r.status == .conflict && r.detail.contains("not configured"))
        }
    }
}
