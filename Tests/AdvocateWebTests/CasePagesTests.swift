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
