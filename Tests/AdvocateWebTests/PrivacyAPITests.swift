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
