import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import NPS
import Testing

@Suite("Dashboard cases: the list with SLA figures, the case page, the response's case")
struct CasePagesTests {
    @Test("a member works a case from its page (status, note, reply with the template); viewers read only; forms need CSRF; other workspaces see nothing",
          arguments: TestBackend.available)
    func workCase(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let kim = try await api.signedIn("kim@acme.test", role: .member)
            let id = try await api.detractorCase(owner: "kim@acme.test")
            let list = try await kim.get("/app/cases")
            #expect(list.status == .ok && list.html.contains("/app/cases/\(id)") && list.html.contains("Contacted within 48 h"))
            #expect(list.html.contains("kim@acme.test"))
            #expect(try await kim.get("/app/cases?overdue=true").html.contains("No cases overdue"))
            let page = try await kim.get("/app/cases/\(id)")
            #expect(page.status == .ok && page.html.contains("Case \(id): open") && page.html.contains("Sorry about your experience with Acme"))
            #expect(page.html.contains("To: ana@customer.test") && page.html.contains("opened by rule &quot;Detractors&quot;"))
            let responseID = try #require(try await api.store.followUpCase(workspaceID: api.workspaceID, id: id)?.0.responseID)
            #expect(try await kim.get("/app/responses/\(responseID)").html.contains("<a href=\"/app/cases/\(id)\">Case \(id)</a>: open"))

            #expect(try await kim.post("/app/cases/\(id)/notes", [("text", "<script>x</script> called twice")]).status == .seeOther)
            #expect(try await kim.get("/app/cases/\(id)").html.contains("&lt;script&gt;x&lt;/script&gt; called twice"))
            let empty = try await kim.post("/app/cases/\(id)/notes", [("text", "  ")])
            #expect(empty.status == .unprocessableContent && empty.html.contains("A note needs text"))
            let sent = try await kim.post("/app/cases/\(id)/reply", [("subject", "About your answer"), ("text", "Hi Ana,\r\nfixed.")])
            #expect(sent.status == .seeOther)
            let after = try await api.store.followUpCase(workspaceID: api.workspaceID, id: id)
            #expect(after?.0.status == .contacted && after?.1.map(\.kind) == [.created, .note, .reply])
            #expect(after?.1.last?.author == "kim@acme.test" && after?.1.last?.text.contains("Hi Ana,\nfixed.") == true)
            #expect(try await kim.post("/app/cases/\(id)", [("status", "resolved"), ("outcome", "won_back"), ("owner", "kim@acme.test")]).status == .seeOther)
            #expect(try await api.store.followUpCase(workspaceID: api.workspaceID, id: id)?.0.outcome == .wonBack)
            let refused = try await kim.post("/app/cases/\(id)", [("status", "contacted"), ("outcome", ""), ("owner", "kim@acme.test")])
            #expect(refused.status == .unprocessableContent && refused.html.contains("cannot become contacted"))
            #expect(try await kim.post("/app/cases/\(id)/notes", [("text", "x")], csrf: false).status == .forbidden)

            let viewer = try await api.signedIn("viewer@acme.test", role: .viewer)
            let readOnly = try await viewer.get("/app/cases/\(id)")
            #expect(readOnly.status == .ok && !readOnly.html.contains("Send reply") && !readOnly.html.contains("Add note"))
            #expect(try await viewer.post("/app/cases/\(id)/notes", [("text", "x")]).status == .forbidden)
            #expect(try await viewer.post("/app/cases/\(id)", [("status", "open")]).status == .forbidden)

            let globex = try await api.store.ensureWorkspace(slug: "globex").workspace
            let stranger = try await api.signedIn("other@example.test", role: .owner, workspaceID: globex.id)
            #expect(try await stranger.get("/app/cases/\(id)").status == .notFound)
            #expect(try await stranger.post("/app/cases/\(id)/notes", [("text", "x")]).status == .notFound)
            #expect(!(try await stranger.get("/app/cases").html.contains("/app/cases/\(id)")))
            #expect(try await api.store.followUpCase(workspaceID: api.workspaceID, id: id)?.1.count == 4)
        }
    }
}

@Suite("The case page drafts the reply in the respondent's language")
struct CaseReplyLanguagePageTests {
    @Test("a Turkish respondent's case drafts Turkish; an Arabic contact's drafts Arabic, right to left; the API says which",
          arguments: TestBackend.available)
    func language(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.store.addMember(workspaceID: api.workspaceID, email: "kim@acme.test", name: nil, role: .member)
            let survey = try await api.createSurvey()
            let rule = try await api.send(.post, "/api/v1/alert-rules", json: #"""
                {"name": "Everyone", "actions": {"case": {"owner": {"user": "kim@acme.test"}}}}
                """#)
            #expect(rule.status == .created)
            for body in [
                #"{"survey_id": \#(survey), "score": 3, "comment": "Çok yavaş", "locale": "tr", "contact": {"external_id": "t", "email": "ayse@customer.test", "name": "Ayşe", "locale": "de"}}"#,
                #"{"survey_id": \#(survey), "score": 8, "contact": {"external_id": "a", "email": "omar@customer.test", "name": "Omar", "locale": "ar"}}"#,
            ] {
                #expect(try await api.send(.post, "/api/v1/responses", json: body).status == .created)
            }
            try await api.evaluateAlerts()
            let cases = try await api.store.followUpCases(workspaceID: api.workspaceID, filter: CaseFilter(), before: nil, limit: 10).items
            let byContact = Dictionary(uniqueKeysWithValues: try await cases.asyncMap { c in
                (try await api.store.caseReplyContext(workspaceID: api.workspaceID, id: c.id)?.2?.externalID ?? "", c.id)
            })
            let turkish = try #require(byContact["t"]), arabic = try #require(byContact["a"])
            let kim = try await api.signedIn("kim@acme.test", role: .member)
            let tr = try await kim.get("/app/cases/\(turkish)")
            #expect(tr.html.contains(" ile yaşadığınız deneyim için üzgünüz\""))
            #expect(tr.html.contains("Merhaba Ayşe,") && tr.html.contains("Drafted in Türkçe") && tr.html.contains("lang=\"tr\" dir=\"ltr\""))
            let ar = try await kim.get("/app/cases/\(arabic)")
            #expect(ar.html.contains("شكرًا على ملاحظاتك حول") && ar.html.contains("lang=\"ar\" dir=\"rtl\""))
            let draft = try await api.send(.get, "/api/v1/cases/\(arabic)/reply")
            #expect(draft.json["language"] == .string("ar"))
            guard case .string(let subject)? = draft.json["subject"] else { Issue.record("no subject: \(draft.json)"); return }
            #expect(subject.hasPrefix("شكرًا"))
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
