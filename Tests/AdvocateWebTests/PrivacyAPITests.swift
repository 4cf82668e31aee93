import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import SQLKit
import Testing

/// One person planted in every corner of a workspace: an answer with a comment and a note,
/// a case with a note and a reply, an alert e-mail, webhook deliveries, an invitation, an
/// unsubscribe. A second person answers too and must be left alone.
extension APIHarness {
    static let personEmail = "zelda.quist@customer.test"
    static let personName = "Zelda Quist"
    static let personComment = "Moonlit hedgehog complaint"

    @discardableResult
    func plantPerson() async throws -> (survey: Int64, caseID: Int64) {
        _ = try await store.addMember(workspaceID: workspaceID, email: "kim@acme.test", name: nil, role: .member)
        let survey = try await createSurvey()
        let hook = try await send(.post, "/api/v1/webhooks", json: #"{"url": "https://93.184.215.14/hooks/advocate", "events": ["response.created", "alert.fired", "contact.unsubscribed"]}"#)
        guard hook.status == .created else { throw HarnessError("webhook: \(hook.status) \(hook.json)") }
        let rule = try await send(.post, "/api/v1/alert-rules", json: #"""
            {"name": "Detractors", "conditions": [{"field": "category", "in": ["detractor"]}],
             "actions": {"case": {"owner": {"user": "kim@acme.test"}}, "emails": ["ops@acme.test"], "webhooks": true}}
            """#)
        guard rule.status == .created else { throw HarnessError("rule: \(rule.status) \(rule.json)") }
        _ = try await send(.put, "/api/v1/contacts/zq", json: #"{"email": "\#(Self.personEmail)"}"#)
        let invited = try await send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": [{"external_id": "zq"}]}"#)
        guard invited.json["counts"]?["invited"] == .integer(1) else { throw HarnessError("invitation: \(invited.json)") }
        let answer = try await send(.post, "/api/v1/responses", json: #"""
            {"survey_id": \#(survey), "score": 3, "comment": "\#(Self.personComment)", "contact": {"external_id": "zq", "email": "\#(Self.personEmail)", "name": "\#(Self.personName)"}}
            """#)
        guard answer.status == .created, case .integer(let responseID)? = answer.json["id"] else { throw HarnessError("answer: \(answer.status)") }
        _ = try await send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 10, "comment": "Bob likes it", "contact": {"external_id": "bob", "email": "bob@customer.test"}}"#)
        try await JobRunner(store: store, handlers: [AlertEvaluator(store: store)], configuration: .init(owner: "test")).runDue()
        guard case .integer(let caseID)? = try await send(.get, "/api/v1/cases").json["data"]?[0]?["id"] else { throw HarnessError("no case") }
        _ = try await send(.post, "/api/v1/cases/\(caseID)/notes", json: #"{"text": "Called \#(Self.personName) about the hedgehog", "author": "kim@acme.test"}"#)
        let reply = try await send(.post, "/api/v1/cases/\(caseID)/reply", json: #"{"text": "Dear \#(Self.personName), sorry.", "author": "kim@acme.test"}"#)
        guard reply.status == .accepted else { throw HarnessError("reply: \(reply.status) \(reply.json)") }
        _ = try await send(.post, "/api/v1/suppressions", json: #"{"email": "\#(Self.personEmail)", "reason": "unsubscribed"}"#)
        let ws = workspaceID
        try await store.database.write { sql in
            try await sql.raw("""
                INSERT INTO response_notes (workspace_id, response_id, author, text, created_at)
                VALUES (\(bind: ws), \(bind: responseID), 'kim@acme.test', \(bind: "Note on \(Self.personComment)"), 0)
                """).run()
        }
        return (survey, caseID)
    }

    /// Every text value in every table, as "table.column: value".
    func everyText() async throws -> [String] {
        let dialect = store.database.dialect
        return try await store.database.read { sql in
            var columns: [(String, String)] = []
            if dialect == .postgres {
                for row in try await sql.raw("""
                    SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'text'
                    """).all() {
                    columns.append((try row.decode(column: "table_name", as: String.self), try row.decode(column: "column_name", as: String.self)))
                }
            } else {
                for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() {
                    let t = try table.decode(column: "name", as: String.self)
                    for c in try await sql.raw("PRAGMA table_info(\(ident: t))").all() where try c.decode(column: "type", as: String.self).uppercased() == "TEXT" {
                        columns.append((t, try c.decode(column: "name", as: String.self)))
                    }
                }
            }
            var found: [String] = []
            for (t, c) in columns {
                for row in try await sql.raw("SELECT \(ident: c) AS v FROM \(ident: t) WHERE \(ident: c) IS NOT NULL").all() {
                    found.append("\(t).\(c): \(try row.decode(column: "v", as: String.self))")
                }
            }
            return columns.count > 50 ? found : ["too few text columns found: \(columns.count)"]
        }
    }

    /// The texts that mention the planted person (case-insensitively).
    func tracesOfPerson() async throws -> [String] {
        let needles = [Self.personEmail, Self.personName, Self.personComment].map { $0.lowercased() }
        var found: [String] = []
        for text in try await everyText() {
            let lower = text.lowercased()
            if needles.contains(where: { lower.contains($0) }) { found.append(text) }
        }
        return found
    }
}

/// Which tables hold a trace.
func tables(of texts: [String]) -> Set<String> {
    Set(texts.map { String($0.prefix { $0 != "." }) })
}

@Suite("Privacy: per-contact export and erasure")
struct PrivacyAPITests {
    @Test("erasing a person leaves their e-mail, name and comment in no table; others stay; their unsubscribe holds", arguments: TestBackend.available)
    func eraseEverywhere(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (survey, _) = try await api.plantPerson()
            let planted = tables(of: try await api.tracesOfPerson())
            #expect(planted.isSuperset(of: ["contacts", "responses", "case_events", "jobs", "webhook_deliveries", "invitations", "suppressions", "response_notes"]),
                    "planted in \(planted)")

            #expect(try await api.send(.delete, "/api/v1/contacts/zq").status == .noContent)
            let after = try await api.tracesOfPerson()
            #expect(after.isEmpty, "left behind: \(after)")
            #expect(try await api.send(.get, "/api/v1/contacts/bob").status == .ok)
            let everything = try await api.everyText()
            #expect(everything.contains(where: { $0.contains("Bob likes it") }), "the other person's answer stays")
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)/report").json["responses"] == .integer(1))
            #expect(try await api.store.suppression(workspaceID: api.workspaceID, email: APIHarness.personEmail) != nil,
                    "the unsubscribe outlives the erasure, kept as a hash")
            #expect(try await api.send(.delete, "/api/v1/contacts/zq").status == .notFound)
        }
    }

    @Test("the export holds everything about the person and nothing about anyone else", arguments: TestBackend.available)
    func export(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (_, caseID) = try await api.plantPerson()
            let r = try await api.send(.get, "/api/v1/contacts/zq/export")
            #expect(r.status == .ok)
            let doc = r.json
            #expect(doc["format"] == .string("advocate.personal-data") && doc["contact"]?["email"] == .string(APIHarness.personEmail))
            #expect(doc["responses"]?[0]?["comment"] == .string(APIHarness.personComment) && doc["responses"]?[1] == nil)
            #expect(doc["response_notes"]?[0]?["text"] == .string("Note on \(APIHarness.personComment)"))
            #expect(doc["cases"]?[0]?["id"] == .integer(caseID))
            guard case .array(let history)? = doc["case_events"] else { Issue.record("no case events"); return }
            #expect(history.contains { $0["kind"] == .string("note") } && history.contains { $0["kind"] == .string("reply") })
            guard case .array(let deliveries)? = doc["webhook_deliveries"] else { Issue.record("no deliveries"); return }
            #expect(Set(deliveries.compactMap { $0["event_type"] }) == [.string("response.created"), .string("alert.fired"), .string("contact.unsubscribed")])
            #expect(doc["invitations"]?[0]?["email"] == .string(APIHarness.personEmail) && doc["invitations"]?[1] == nil)
            #expect(doc["suppressions"]?[0]?["reason"] == .string("unsubscribed"))
            #expect(doc["alert_firings"]?[0]?["rule_id"] != nil)
            #expect(!doc.serialized().contains("Bob likes it") && !doc.serialized().contains("bob@customer.test"), "nobody else's data")
            #expect(!doc.serialized().contains("token_hash"))

            #expect(try await api.send(.get, "/api/v1/contacts/nobody/export").isProblem)
            let other = try await api.token(forWorkspace: "other")
            #expect(try await api.send(.get, "/api/v1/contacts/zq/export", token: other).status == .notFound, "no workspace sees another's people")
        }
    }
}

@Suite("/api/v1/retention and the daily retention job")
struct RetentionAPITests {
    @Test("PUT sets the policy (admin scope), GET shows it; bad bodies are 422 and change nothing; the daily job applies it and queues its next run",
          arguments: TestBackend.available)
    func policy(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            #expect(try await api.send(.get, "/api/v1/retention").json["action"] == .string("off"))
            let survey = try await api.createSurvey()
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 3, "comment": "old", "created_at": "2025-01-10T10:00:00Z"}"#)
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 9, "comment": "new"}"#)
            for body in [#"{"action": "shred", "months": 3}"#, #"{"action": "delete"}"#, #"{"action": "delete", "months": 1000}"#, "[]"] {
                let r = try await api.send(.put, "/api/v1/retention", json: body)
                #expect(r.status == .unprocessableContent && r.isProblem, "\(body): \(r.status)")
            }
            #expect(try await api.send(.get, "/api/v1/retention").json["action"] == .string("off"), "nothing changed")
            let writer = APITokenSecret.generate()
            _ = try await api.store.createToken(workspaceID: api.workspaceID, name: "w", secretHash: APITokenSecret.hash(writer), scope: .write)
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "delete", "months": 12}"#, token: writer).status == .forbidden)

            let set = try await api.send(.put, "/api/v1/retention", json: #"{"action": "delete", "months": 12}"#)
            #expect(set.status == .ok && set.json["months"] == .integer(12) && set.json["last_run_at"] == .null)
            try await RetentionRunner.start(store: api.store)
            try await JobRunner(store: api.store, handlers: [RetentionRunner(store: api.store)], configuration: .init(owner: "test")).runDue()
            #expect(try await api.responseCount() == 1)
            let shown = try await api.send(.get, "/api/v1/retention").json
            #expect(shown["last_run_count"] == .integer(1) && shown["last_run_at"] == .string(api.clock.now().rfc3339))
            let next = try await api.store.database.read { sql in
                try await sql.raw("SELECT available_at FROM jobs WHERE kind = \(bind: RetentionRunner.jobKind) AND state = 'queued'").all()
                    .map { try $0.decode(column: "available_at", as: Int64.self) }
            }
            #expect(next == [api.clock.now().adding(milliseconds: RetentionRunner.intervalMilliseconds).milliseconds], "tomorrow's run is queued")
            #expect(try await api.send(.put, "/api/v1/retention", json: #"{"action": "off"}"#).json["action"] == .string("off"))
        }
    }
}

@Suite("eNPS mode: employee surveys")
struct EmployeeSurveyAPITests {
    @Test("individual answers are refused by name and left out of lists; groups under five are hidden from reports and drivers",
          arguments: TestBackend.available)
    func anonymity(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let enps = try await api.createSurvey(#"{"name": "Pulse", "product_name": "Acme", "kind": "employee"}"#)
            let customers = try await api.createSurvey()
            var firstID: Int64 = 0
            // Team a: six people on one day; team b: one person on another day.
            for (i, team, day) in [(0, "a", "02"), (1, "a", "02"), (2, "a", "02"), (3, "a", "02"), (4, "a", "02"), (5, "a", "02"), (6, "b", "20")] {
                let r = try await api.send(.post, "/api/v1/responses", json: #"""
                    {"survey_id": \#(enps), "score": \#(i == 6 ? 0 : 9), "comment": "my manager \#(i)", "properties": {"team": "\#(team)"},
                     "contact": {"external_id": "e\#(i)"}, "created_at": "2026-11-\#(day)T10:00:00Z"}
                    """#)
                if i == 0, case .integer(let id)? = r.json["id"] { firstID = id }
            }
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(customers), "score": 10, "comment": "customer"}"#)

            let one = try await api.send(.get, "/api/v1/responses/\(firstID)")
            #expect(one.status == .forbidden && one.isProblem && one.detail.contains("employee (eNPS) survey"))
            let listed = try await api.send(.get, "/api/v1/responses?survey_id=\(enps)")
            #expect(listed.status == .forbidden && listed.isProblem)
            let all = try await api.send(.get, "/api/v1/responses")
            guard case .array(let rows)? = all.json["data"] else { Issue.record("no list: \(all.json)"); return }
            #expect(rows.map { $0["comment"] } == [.string("customer")], "only the customer survey's answer is listed")

            let report = try await api.send(.get, "/api/v1/surveys/\(enps)/report?by=team&interval=day&from=2026-11-01&to=2026-11-30").json
            #expect(report["responses"] == .integer(7), "the whole survey is shown")
            guard case .array(let breakdown)? = report["breakdown"], case .array(let trend)? = report["trend"] else { Issue.record("\(report)"); return }
            #expect(breakdown.map { $0["value"] } == [.string("a")], "team b (one person) is hidden")
            #expect(!trend.contains { $0["responses"] == .integer(1) }, "the day with one answer is hidden")
            #expect(report["anonymity"]?["hidden_segments"] == .integer(1) && report["anonymity"]?["hidden_trend_points"] == .integer(1))
            #expect(report["anonymity"]?["message"] == .string("fewer than 5 — hidden to protect anonymity"))

            let filtered = try await api.send(.get, "/api/v1/surveys/\(enps)/report?segment=team:b").json
            #expect(filtered["responses"] == .integer(0) && filtered["nps"] == .null && filtered["anonymity"]?["summary_hidden"] == .bool(true),
                    "a filter down to one person shows nothing")
            let delighted = try await api.v1(.get, "survey_responses?trend=\(enps)")
            #expect(delighted.status == .forbidden, "the Delighted-compatible list refuses them too: \(delighted.status)")
            #expect(try await api.v1(.get, "survey_responses?trend=\(customers)").status == .ok)
            #expect(try await api.v1(.get, "survey_responses/\(firstID)").status == .forbidden)
            let customerReport = try await api.send(.get, "/api/v1/surveys/\(customers)/report").json
            #expect(customerReport["anonymity"] == nil && customerReport["responses"] == .integer(1), "customer surveys are as before")
        }
    }

    @Test("an employee survey's terms show no example comment and no term fewer than five people used; a customer survey's do",
          arguments: TestBackend.available)
    func terms(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let enps = try await api.createSurvey(#"{"name": "Pulse", "product_name": "Acme", "kind": "employee"}"#)
            let customers = try await api.createSurvey()
            let texts = Array(repeating: (2, "support is slow"), count: 6) + Array(repeating: (1, "night shift again"), count: 2)
                + Array(repeating: (10, "great team"), count: 6)
            for survey in [enps, customers] {
                for (i, (score, text)) in texts.enumerated() {
                    let r = try await api.send(.post, "/api/v1/responses", json: #"""
                        {"survey_id": \#(survey), "score": \#(score), "comment": "\#(text)", "contact": {"external_id": "s\#(survey)-\#(i)"}}
                        """#)
                    #expect(r.status == .created)
                }
            }
            func terms(_ survey: Int64) async throws -> (detractor: [String], examples: Int) {
                let r = try await api.send(.get, "/api/v1/surveys/\(survey)/terms?min_z=0&limit=100")
                #expect(r.status == .ok)
                guard case .array(let d)? = r.json["detractor_terms"], case .array(let p)? = r.json["promoter_terms"] else { return ([], 0) }
                let examples = (d + p).reduce(0) { n, t in if case .array(let e)? = t["examples"] { n + e.count } else { n } }
                return (d.compactMap { if case .string(let t)? = $0["term"] { t } else { nil } }, examples)
            }
            let employee = try await terms(enps), customer = try await terms(customers)
            #expect(employee.detractor.contains("support") && !employee.detractor.contains("night"), "\(employee.detractor)")
            #expect(employee.examples == 0, "no employee's comment is shown")
            #expect(customer.detractor.contains("support") && customer.detractor.contains("night") && customer.examples > 0)
            let page = try await api.signedIn("owner@acme.test", role: .owner).get("/app/surveys/\(enps)/terms")
            #expect(page.status == .ok && page.html.contains("no example comment is shown") && !page.html.contains("support is slow"))
        }
    }

    @Test("no rule watches an employee survey, and its answers raise no case and no webhook event; customer answers still do",
          arguments: TestBackend.available)
    func noAlertsOrEvents(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.store.addMember(workspaceID: api.workspaceID, email: "kim@acme.test", name: nil, role: .member)
            let enps = try await api.createSurvey(#"{"name": "Pulse", "product_name": "Acme", "kind": "employee"}"#)
            let customers = try await api.createSurvey()
            let hook = try await WebhooksAPITests.create(api, events: #"["response.created", "response.updated", "case.created"]"#)
            let action = #""actions": {"case": {"owner": {"user": "kim@acme.test"}}}"#
            let scoped = try await api.send(.post, "/api/v1/alert-rules", json: #"""
                {"name": "Unhappy staff", "survey_id": \#(enps), "conditions": [{"field": "category", "in": ["detractor"]}], \#(action)}
                """#)
            #expect(scoped.status == .unprocessableContent && scoped.isProblem && scoped.detail.contains("employee (eNPS) survey"), "\(scoped.json)")
            #expect(try await api.send(.get, "/api/v1/alert-rules").json["data"] == .array([]), "nothing was saved")
            let everywhere = try await api.send(.post, "/api/v1/alert-rules", json: #"""
                {"name": "Detractors", "conditions": [{"field": "category", "in": ["detractor"]}], \#(action)}
                """#)
            #expect(everywhere.status == .created)

            for survey in [enps, customers] {
                let r = try await api.send(.post, "/api/v1/responses", json: #"""
                    {"survey_id": \#(survey), "score": 2, "comment": "unhappy \#(survey)", "contact": {"external_id": "p\#(survey)"}}
                    """#)
                #expect(r.status == .created)
            }
            try await api.evaluateAlerts()
            let cases = try await api.send(.get, "/api/v1/cases").json
            guard case .array(let rows)? = cases["data"] else { Issue.record("no cases: \(cases)"); return }
            #expect(rows.count == 1 && rows.first?["survey_id"] == .integer(customers), "one case, for the customer: \(rows)")
            let deliveries = try await api.store.webhookDeliveries(workspaceID: api.workspaceID, webhookID: hook.id, state: nil, before: nil, limit: 50).items
            #expect(deliveries.map(\.eventType).sorted { $0.rawValue < $1.rawValue } == [.caseCreated, .responseCreated])
            #expect(deliveries.allSatisfy { !$0.body.contains("unhappy \(enps)") }, "no event carries the employee's answer")
        }
    }
}

@Suite("Dashboard: a person's export and erasure; employee answers")
struct PrivacyPagesTests {
    @Test("an admin downloads a person's data and erases them after confirming; a member sees neither link", arguments: TestBackend.available)
    func exportAndErase(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            try await api.plantPerson()
            guard let contact = try await api.store.contact(workspaceID: api.workspaceID, externalID: "zq"),
                  case .integer(let responseID)? = try await api.send(.get, "/api/v1/responses?contact=zq").json["data"]?[0]?["id"] else {
                Issue.record("no planted person"); return
            }
            let member = try await api.signedIn("member@example.com", role: .member)
            #expect(!(try await member.get("/app/responses/\(responseID)").html.contains("/app/contacts/\(contact.id)/erase")))

            let admin = try await api.signedIn("admin@example.com", role: .admin)
            let page = try await admin.get("/app/responses/\(responseID)")
            #expect(page.html.contains("/app/contacts/\(contact.id)/export") && page.html.contains("/app/contacts/\(contact.id)/erase"))
            let download = try await admin.get("/app/contacts/\(contact.id)/export")
            #expect(download.status == .ok && download.json["responses"]?[0]?["comment"] == .string(APIHarness.personComment))
            #expect(download.headers[.contentDisposition]?.contains("attachment") == true)
            let confirm = try await admin.get("/app/contacts/\(contact.id)/erase")
            #expect(confirm.status == .ok && confirm.html.contains("Erase \(APIHarness.personName)?"))

            let unticked = try await admin.post("/app/contacts/\(contact.id)/erase", [])
            #expect(unticked.status == .badRequest && unticked.html.contains("Nothing was erased"))
            #expect(try await api.store.contact(workspaceID: api.workspaceID, id: contact.id) != nil)
            let noToken = try await admin.post("/app/contacts/\(contact.id)/erase", [("confirm", "erase")], csrf: false)
            #expect(noToken.status == .forbidden)
            #expect(try await api.store.contact(workspaceID: api.workspaceID, id: contact.id) != nil, "no CSRF token, nothing erased")

            let erased = try await admin.post("/app/contacts/\(contact.id)/erase", [("confirm", "erase")])
            #expect(erased.status == .ok && erased.html.contains("Erased"))
            #expect(try await api.tracesOfPerson().isEmpty)
            #expect(try await admin.get("/app/contacts/\(contact.id)/export").status == .notFound)
        }
    }

    @Test("employee surveys' answers are refused on the response page, left out of the list and the CSV export", arguments: TestBackend.available)
    func employeeAnswers(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let enps = try await api.createSurvey(#"{"name": "Pulse", "product_name": "Acme", "kind": "employee"}"#)
            let customers = try await api.createSurvey()
            let answer = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(enps), "score": 2, "comment": "my manager is awful"}"#)
            guard case .integer(let id)? = answer.json["id"] else { Issue.record("no answer"); return }
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(customers), "score": 10, "comment": "customer praise"}"#)
            let owner = try await api.signedIn("owner@example.com", role: .owner)
            let one = try await owner.get("/app/responses/\(id)")
            #expect(one.status == .forbidden && one.html.contains("Individual answers are not shown") && !one.html.contains("awful"))
            let list = try await owner.get("/app/responses")
            #expect(list.html.contains("customer praise") && !list.html.contains("awful"))
            #expect(try await owner.get("/app/responses?survey_id=\(enps)").status == .forbidden)
            let csv = try await owner.get("/app/export/responses.csv")
            #expect(csv.status == .ok && !String(decoding: csv.bytes, as: UTF8.self).contains("awful"))
        }
    }
}

extension PrivacyPagesTests {
    @Test("an employee survey's report page hides segments under five and says so", arguments: TestBackend.available)
    func employeeReportPage(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let enps = try await api.createSurvey(#"{"name": "Pulse", "product_name": "Acme", "kind": "employee"}"#)
            for (i, team) in ["a", "a", "a", "a", "a", "lonely-team"].enumerated() {
                _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(enps), "score": \#(i), "properties": {"team": "\#(team)"}}"#)
            }
            let owner = try await api.signedIn("owner@example.com", role: .owner)
            let page = try await owner.get("/app/surveys/\(enps)?by=team")
            #expect(page.status == .ok && page.html.contains("fewer than 5 — hidden to protect anonymity"))
            #expect(!page.html.contains("lonely-team"), "the one-person team is not shown")
        }
    }
}

extension PrivacyPagesTests {
    @Test("owners set the retention policy on /app/privacy; bad input is named and changes nothing; admins only read it", arguments: TestBackend.available)
    func retentionPage(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let owner = try await api.signedIn("owner@example.com", role: .owner)
            #expect(try await owner.get("/app/privacy").html.contains("Keep every answer"))
            let bad = try await owner.post("/app/privacy", [("action", "delete"), ("months", "0")])
            #expect(bad.status == .unprocessableContent && bad.html.contains("Not saved: months"))
            #expect(try await api.store.retention(workspaceID: api.workspaceID) == nil)
            let saved = try await owner.post("/app/privacy", [("action", "anonymise"), ("months", "18")])
            #expect(saved.headers[.location] == "/app/privacy?done=saved")
            #expect(try await api.store.retention(workspaceID: api.workspaceID)?.policy == RetentionPolicy(action: .anonymise, months: 18))
            let admin = try await api.signedIn("admin@example.com", role: .admin)
            let read = try await admin.get("/app/privacy")
            #expect(read.status == .ok && read.html.contains("Only owners change this") && !read.html.contains("action=\"/app/privacy\""))
            _ = try await owner.post("/app/privacy", [("action", "off"), ("months", "")])
            #expect(try await api.store.retention(workspaceID: api.workspaceID) == nil)
        }
    }
}
