import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import NPS
import Testing

extension APIHarness {
    /// A browser signed in as a new member of this workspace with `role`.
    func signedIn(_ email: String, role: Role, workspaceID: Int64? = nil) async throws -> RespondentBrowser {
        let token = try await member(email, role: role, workspaceID: workspaceID)
        let browser = RespondentBrowser(self)
        _ = try await browser.get("/setup/\(token)")
        let done = try await browser.post("/setup/\(token)", [("password", "correct horse battery")])
        guard done.status == .seeOther else { throw HarnessError("sign-in failed: \(done.status)") }
        return browser
    }
}

@Suite("Dashboard responses: the filtered list and one response")
struct ResponsePagesTests {
    @Test("the list filters by category, score, text in any script and tag, pages by cursor, and escapes what people wrote", arguments: TestBackend.available)
    func list(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let comments = [(10, "Harika destek, çok hızlı"), (2, "客服太慢了"), (3, "<script>alert(1)</script> slow"), (9, "Great support"), (7, "")]
            for (n, (score, comment)) in comments.enumerated() {
                let body = comment.isEmpty ? #"{"survey_id": \#(survey), "score": \#(score), "contact": {"external_id": "c\#(n)", "name": "Customer \#(n)"}}"#
                    : #"{"survey_id": \#(survey), "score": \#(score), "comment": "\#(comment)", "contact": {"external_id": "c\#(n)"}}"#
                #expect(try await api.send(.post, "/api/v1/responses", json: body).status == .created)
                api.clock.advance(milliseconds: 60_000)
            }
            var tagged = ResponseSubmission(surveyID: survey, contact: ContactInput(email: "t@example.test"), score: Score(6)!, comment: "pricey", channel: .import)
            tagged.sourceID = "delighted:1"
            tagged.tags = ["pricing"]
            tagged.notes = ["Called back on Monday"]
            _ = try await api.store.record(workspaceID: api.workspaceID, [tagged], batch: true)

            let browser = try await api.signedIn("viewer@example.test", role: .viewer)
            let all = try await browser.get("/app/responses")
            #expect(all.status == .ok)
            #expect(all.html.contains("客服太慢了") && all.html.contains("Harika destek"))
            #expect(all.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !all.html.contains("<script>alert(1)"))
            let detractors = try await browser.get("/app/responses?category=detractor&survey_id=&score=&from=&to=&q=&tag=")
            #expect(detractors.status == .ok)
            #expect(detractors.html.contains("客服太慢了") && detractors.html.contains("pricey") && !detractors.html.contains("Harika"))
            #expect(try await browser.get("/app/responses?q=%E5%AE%A2%E6%9C%8D").html.contains("客服太慢了"))
            #expect(!(try await browser.get("/app/responses?q=%E5%AE%A2%E6%9C%8D").html.contains("Harika")))
            #expect(try await browser.get("/app/responses?q=GREAT").html.contains("Great support"), "case is ignored for ASCII everywhere")
            #expect(try await browser.get("/app/responses?q=100%25").html.contains("No responses match"), "% is literal, not a wildcard")
            let byTag = try await browser.get("/app/responses?tag=pricing")
            #expect(byTag.html.contains("pricey") && !byTag.html.contains("Great support"))
            #expect(try await browser.get("/app/responses?score=0,1,2").html.contains("客服太慢了"))
            let bad = try await browser.get("/app/responses?score=eleven")
            #expect(bad.status == .badRequest && bad.html.contains("must be scores 0 to 10"))

            for n in 0..<55 {
                _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 8, "comment": "bulk \#(n)"}"#)
            }
            let first = try await browser.get("/app/responses?q=bulk")
            #expect(first.html.contains("bulk 54") && !first.html.contains("bulk 4<"))
            let next = try #require(first.html.range(of: #"href="(/app/responses\?[^"]*)" rel="next""#, options: .regularExpression)
                .map { String(first.html[$0]).split(separator: "\"")[1].replacingOccurrences(of: "&amp;", with: "&") })
            let second = try await browser.get(next)
            #expect(second.html.contains("bulk 4<") && !second.html.contains("bulk 54"))
            #expect(try await RespondentBrowser(api).get("/app/responses").headers[.location] == "/login")

            // The export takes the same filters and reads back with the importer's own reader.
            let export = try await browser.get("/app/export/responses.csv?category=detractor&q=&tag=")
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(export.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"responses-acme-") == true)
            var reader = CSVReader(Array(export.html.utf8))
            let header = try #require(try reader.next())
            #expect(Array(header.prefix(ResponseCSV.fixedColumns.count)) == ResponseCSV.fixedColumns)
            var exported: [String] = []
            while let row = try reader.next() { if row != [""] { exported.append(row[header.firstIndex(of: "comment")!]) } }
            #expect(Set(exported) == ["客服太慢了", "<script>alert(1)</script> slow", "pricey"])
            #expect(try await browser.get("/app/export/responses.csv?score=99").status == .badRequest)
            #expect(try await RespondentBrowser(api).get("/app/export/responses.csv").headers[.location] == "/login")
        }
    }

    @Test("one response shows its contact, their other answers, properties, tags and notes; another workspace's is not found", arguments: TestBackend.available)
    func show(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey(#"{"name": "Relationship", "product_name": "Acme", "round_days": 1}"#)
            let first = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 9, "comment": "Good", "contact": {"external_id": "u1", "name": "Ada", "email": "ada@example.test", "properties": {"plan": "paid"}}}"#)
            api.clock.advance(milliseconds: 3 * 86_400_000)
            let second = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 4, "comment": "Worse now", "contact": {"external_id": "u1"}}"#)
            guard case .integer(let firstID)? = first.json["id"], case .integer(let secondID)? = second.json["id"] else {
                Issue.record("not recorded: \(first.status) \(second.status)"); return
            }
            let browser = try await api.signedIn("member@example.test", role: .member)
            let page = try await browser.get("/app/responses/\(secondID)")
            #expect(page.status == .ok)
            for text in ["Worse now", "Ada", "ada@example.test", "u1", "Their other answers", "/app/responses/\(firstID)", "plan", "paid", "detractor"] {
                #expect(page.html.contains(text), "\(text)")
            }
            #expect(try await browser.get("/app/responses/999999").status == .notFound)

            let other = try await api.token(forWorkspace: "globex")
            let otherSurvey = try await api.createSurvey(token: other)
            let theirs = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(otherSurvey), "score": 1, "comment": "secret of globex"}"#, token: other)
            guard case .integer(let theirID)? = theirs.json["id"] else { Issue.record("not recorded"); return }
            let foreign = try await browser.get("/app/responses/\(theirID)")
            #expect(foreign.status == .notFound && !foreign.html.contains("secret of globex"))
            #expect(!(try await browser.get("/app/responses").html.contains("secret of globex")))
        }
    }
}

@Suite("Dashboard: one survey's report")
struct SurveyReportPageTests {
    @Test("the page shows NPS with interval and n, the change, the distribution, the trend, the funnel and a breakdown against the rest; a segment narrows everything", arguments: TestBackend.available)
    func report(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey(#"{"name": "Relationship", "product_name": "Acme", "round_days": 1}"#)
            // 40 paid customers, mostly promoters; 40 free ones, mostly detractors; over the last four weeks.
            for n in 0..<80 {
                let paid = n < 40
                let score = paid ? (n % 10 == 0 ? 6 : 10) : (n % 10 == 0 ? 9 : 3)
                let body = #"{"survey_id": \#(survey), "score": \#(score), "contact": {"external_id": "c\#(n)", "email": "c\#(n)@example.test", "properties": {"plan": "\#(paid ? "paid" : "free")"}}}"#
                #expect(try await api.send(.post, "/api/v1/responses", json: body).status == .created)
                api.clock.advance(milliseconds: 6 * 3_600_000)
            }
            _ = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": [{"email": "new@example.test"}], "channel": "email", "throttle_days": 0}"#)
            let browser = try await api.signedIn("owner@example.test", role: .owner)
            #expect(try await browser.get("/app").html.contains("/app/surveys/\(survey)"))
            let page = try await browser.get("/app/surveys/\(survey)?by=plan")
            #expect(page.status == .ok)
            // 36 + 4 promoters, 36 + 4 detractors of 80: NPS 0.
            #expect(page.html.contains(#"<p class="big">0 "#))
            #expect(page.html.contains("n = 80"))
            #expect(page.html.contains("Promoters 40 (50%)") && page.html.contains("Detractors 40 (50%)"))
            #expect(page.html.contains("<svg class=\"chart\"") && page.html.contains("Answers per score, 0 to 10"))
            #expect(page.html.contains("<title>10: 36</title>") && page.html.contains("<title>3: 36</title>"))
            #expect(page.html.contains(#"segment=plan%3Apaid">paid</a></th><td>40</td><td>80"#), "paid: 36 promoters, 4 detractors, a link to drill in")
            #expect(page.html.contains("+160 <span class=\"badge\">significant</span>"), "paid against free: 80 − (−80)")
            #expect(page.html.contains(#"<th scope="row">Sent</th><td>0</td>"#), "one invitation made, none sent yet")
            let paid = try await browser.get("/app/surveys/\(survey)?segment=plan%3Apaid&by=plan")
            #expect(paid.html.contains(#"<p class="big">80 "#) && paid.html.contains("n = 40"))
            #expect(paid.html.contains("Clear the filters"))
            #expect(paid.html.contains(#"segment=plan%3Apaid">paid</a></th><td>40</td><td>80"#), "the breakdown of a segment is counted from its responses")
            let bad = try await browser.get("/app/surveys/\(survey)?from=2026-13-01&segment=nope")
            #expect(bad.status == .badRequest && bad.html.contains("must be a date") && bad.html.contains("NAME:VALUE"))
            #expect(try await browser.get("/app/surveys/999999").status == .notFound)
            let other = try await api.token(forWorkspace: "globex")
            let theirs = try await api.createSurvey(token: other)
            #expect(try await browser.get("/app/surveys/\(theirs)").status == .notFound)
        }
    }
}
