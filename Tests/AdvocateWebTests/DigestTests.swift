import Foundation
import Mail
import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import MailTestSupport
import Testing

@Suite("The digest e-mail: at 08:00 in the user's zone, once per period, with the period's figures; one-click unsubscribe")
struct DigestTests {
    @Test("a daily digest goes out at 08:00 Istanbul time once, across runs and restarts, with the right figures, escaped and linked; its link turns it off",
          arguments: TestBackend.available)
    func daily(_ backend: TestBackend) async throws {
        try await withMailingAPI(backend) { m in
            let api = m.api
            let survey = try await api.createSurvey(#"{"name": "Relationship <EU>", "product_name": "Acme"}"#)
            func answer(_ score: Int, _ comment: String? = nil) async throws -> Int64 {
                let body = comment.map { #"{"survey_id": \#(survey), "score": \#(score), "comment": "\#($0)"}"# } ?? #"{"survey_id": \#(survey), "score": \#(score)}"#
                guard case .integer(let id)? = try await api.send(.post, "/api/v1/responses", json: body).json["id"] else { throw HarnessError("no response") }
                return id
            }
            api.clock.set(Timestamp(rfc3339: "2026-11-28T10:00:00Z")!) // the day before: NPS 100
            _ = try await answer(10)
            _ = try await answer(10)
            api.clock.set(Timestamp(rfc3339: "2026-11-29T09:00:00Z")!) // Sunday, 12:00 in Istanbul
            let ada = try await api.signedIn("ada@example.com", role: .viewer)
            _ = try await ada.get("/app/account")
            #expect(try await ada.post("/app/account", [("name", "Ada"), ("time_zone", "Europe/Istanbul"), ("digest", "daily")]).status == .seeOther)
            _ = try await answer(10)
            _ = try await answer(9)
            let detractor = try await answer(3, "<b>slow</b> & buggy")
            _ = try await answer(0)

            try await DigestMailer.start(store: api.store)
            try await m.runner.runDue()
            #expect(try m.server.messages().isEmpty) // yesterday's digest was due before she asked for it
            api.clock.set(Timestamp(rfc3339: "2026-11-30T04:59:00Z")!) // 07:59 in Istanbul
            try await m.runner.runDue()
            #expect(try m.server.messages().isEmpty)
            api.clock.advance(milliseconds: DigestMailer.intervalMilliseconds) // 08:14
            try await m.runner.runDue()
            let messages = try m.server.messages()
            #expect(messages.count == 1 && messages.first?.recipients == ["ada@example.com"])
            let inspection = try Inspection(path: try #require(messages.first).path)
            #expect(inspection.subject == "Daily NPS digest for acme: Sunday 29 November 2026")
            let text = try #require(inspection.parts["plain"]), html = try #require(inspection.parts["html"])
            #expect(text.contains("NPS: 0 (small sample)\nChange: -100"))
            #expect(text.contains("Responses: 4\nInvitations sent: 0\nResponse rate: –\nComment rate: 25%"))
            #expect(html.contains("&lt;b&gt;slow&lt;/b&gt; &amp; buggy") && !html.contains("<b>slow"))
            #expect(html.contains("Relationship &lt;EU&gt;"))
            #expect(html.contains("href=\"\(MailingHarness.publicURL)/app/responses/\(detractor)\""))
            #expect(inspection.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")

            // Once per period: another run, and a restarted runner, send nothing more.
            api.clock.advance(milliseconds: DigestMailer.intervalMilliseconds)
            try await m.runner.runDue()
            let restarted = JobRunner(store: api.store, handlers: [DigestMailer(store: api.store, pool: SMTPPool(client: try SMTPClient(configuration:
                try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(m.server.port)?starttls=off")), concurrency: 1, perMinute: nil, clock: api.clock),
                settings: MailSettings(from: try MailAddress(parsing: "nps@acme.example.com"), publicURL: MailingHarness.publicURL, dkim: nil))],
                configuration: .init(owner: "restarted"))
            try await DigestMailer.start(store: api.store)
            try await restarted.runDue()
            #expect(try m.server.messages().count == 1)

            // The link in it: a page with a button; forged, nothing; one-click POST, off.
            let link = try m.link("/digest/unsubscribe/", to: "ada@example.com")
            let stranger = RespondentBrowser(api)
            #expect(try await stranger.get(link).html.contains("Stop the digest"))
            let forged = String(link.dropLast()) + (link.hasSuffix("0") ? "1" : "0")
            #expect(try await stranger.get(forged).status == .notFound)
            #expect(try await stranger.post(forged, [("List-Unsubscribe", "One-Click")], csrf: false).status == .notFound)
            let user = try #require(try await api.store.credentials(email: "ada@example.com")?.0)
            #expect(try await api.store.digestFrequency(userID: user.id, workspaceID: api.workspaceID) == .daily)
            #expect(try await stranger.post(link, [("List-Unsubscribe", "One-Click")], csrf: false).status == .ok)
            #expect(try await api.store.digestFrequency(userID: user.id, workspaceID: api.workspaceID) == .off)
            api.clock.set(Timestamp(rfc3339: "2026-12-01T05:20:00Z")!)
            try await m.runner.runDue()
            #expect(try m.server.messages().count == 1)
        }
    }

    @Test("a weekly digest covers Monday to Sunday and goes on Monday; a removed member gets none", arguments: TestBackend.available)
    func weekly(_ backend: TestBackend) async throws {
        try await withMailingAPI(backend) { m in
            let api = m.api
            let survey = try await api.createSurvey()
            api.clock.set(Timestamp(rfc3339: "2026-11-25T12:00:00Z")!) // a Wednesday
            for score in [10, 10, 10, 6] { _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": \#(score)}"#) }
            let bo = try await api.signedIn("bo@example.com", role: .member)
            let cy = try await api.signedIn("cy@example.com", role: .member)
            for browser in [bo, cy] {
                _ = try await browser.get("/app/account")
                _ = try await browser.post("/app/account", [("name", ""), ("time_zone", "UTC"), ("digest", "weekly")])
            }
            let owner = try await api.signedIn("olga@example.com", role: .owner)
            _ = try await owner.get("/app/members")
            let cyID = try #require(try await api.store.credentials(email: "cy@example.com")?.0.id)
            #expect(try await owner.post("/app/members/\(cyID)/remove", []).status == .seeOther)
            try await DigestMailer.start(store: api.store)
            api.clock.set(Timestamp(rfc3339: "2026-11-29T23:00:00Z")!) // Sunday night: not yet
            try await m.runner.runDue()
            #expect(try m.server.messages().isEmpty)
            api.clock.set(Timestamp(rfc3339: "2026-11-30T08:10:00Z")!)
            try await m.runner.runDue()
            #expect(try m.server.messages().map(\.recipients) == [["bo@example.com"]])
            let text = try #require(try m.texts(to: "bo@example.com").first)
            #expect(text.contains("Weekly NPS digest for acme\nMonday 23 November 2026 to Sunday 29 November 2026"))
            #expect(text.contains("NPS: 50 (small sample)\nChange: –\nResponses: 4"), "\(text)") // three 10s and a 6
        }
    }
}
