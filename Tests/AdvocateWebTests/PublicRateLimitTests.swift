import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import HTTPTypes
import Testing

@Suite("Rate limits on the widget and one-click links: 429 with Retry-After, nothing recorded, a new window lets through")
struct PublicRateLimitTests {
    @Test("the widget answers 429 problem+json past the address's allowance, CORS headers and all, until the minute turns",
          arguments: TestBackend.available)
    func widget(_ backend: TestBackend) async throws {
        try await withAPI(backend, publicRateLimits: PublicRateLimits(perAddressPerMinute: 3, perInvitationPerHour: 100)) { api in
            let (_, secret) = try await api.enableWidget()
            api.clock.advance(milliseconds: 60_000 - api.clock.now().milliseconds % 60_000)  // the start of a minute
            for n in 0..<3 { #expect(try await api.widgetCheck(user: "u\(n)", secret: secret).status == .ok) }
            let refused = try await api.widgetCheck(user: "u9", secret: secret)
            #expect(refused.status == .tooManyRequests && refused.isProblem)
            #expect(refused.headers[HTTPField.Name("Retry-After")!] == "60")
            #expect(refused.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "*", "the page's script can read why")
            // CORS preflights are never refused (the browser would report a CORS error instead).
            #expect(try await api.send(.options, "/widget/v1/check", token: "", headers: [.origin: "https://x.example"]).status == .noContent)
            #expect(try await api.store.contact(workspaceID: api.workspaceID, externalID: "u9") == nil, "nothing recorded for the refused call")
            api.clock.advance(milliseconds: 59_000)
            #expect(try await api.widgetCheck(user: "u9", secret: secret).headers[HTTPField.Name("Retry-After")!] == "1")
            api.clock.advance(milliseconds: 1_000)
            #expect(try await api.widgetCheck(user: "u9", secret: secret).status == .ok)
        }
    }

    @Test("a one-click link past its invitation's allowance shows the page with 429 and records no hit; other invitations go on",
          arguments: TestBackend.available)
    func oneClickPerInvitation(_ backend: TestBackend) async throws {
        try await withAPI(backend, publicRateLimits: PublicRateLimits(perAddressPerMinute: 1_000, perInvitationPerHour: 2)) { api in
            let survey = try await api.createSurvey()
            let (token, _) = try await api.sentInvitation(surveyID: survey)
            let (other, _) = try await api.sentInvitation(surveyID: survey, externalID: "bob")
            api.clock.advance(milliseconds: 3_600_000 - api.clock.now().milliseconds % 3_600_000)
            let browser = RespondentBrowser(api)
            #expect(try await browser.get("/r/\(token)/7").status == .ok)
            #expect(try await browser.get("/r/\(token)/8").status == .ok)
            let refused = try await browser.get("/r/\(token)/2")
            #expect(refused.status == .tooManyRequests && refused.contentType?.hasPrefix("text/html") == true)
            #expect(refused.headers[HTTPField.Name("Retry-After")!] == "3600")
            let page = try await browser.get("/r/\(token)")
            #expect(page.html.contains(#"aria-label="8 out of 10" aria-pressed="true""#), "the refused 2 was not saved")
            #expect(try await browser.get("/r/\(other)/9").status == .ok)
            api.clock.advance(milliseconds: 3_600_000)
            #expect(try await browser.get("/r/\(token)/2").status == .ok)
        }
    }

    @Test("one address is limited across invitations, and HEAD is refused without a lookup", arguments: TestBackend.available)
    func oneClickPerAddress(_ backend: TestBackend) async throws {
        try await withAPI(backend, publicRateLimits: PublicRateLimits(perAddressPerMinute: 2, perInvitationPerHour: 100)) { api in
            let survey = try await api.createSurvey()
            let (a, _) = try await api.sentInvitation(surveyID: survey)
            let (b, _) = try await api.sentInvitation(surveyID: survey, externalID: "bob")
            api.clock.advance(milliseconds: 60_000 - api.clock.now().milliseconds % 60_000)
            let browser = RespondentBrowser(api)
            #expect(try await browser.get("/r/\(a)/9").status == .ok)
            #expect(try await browser.get("/r/nonexistent0000000000000000000000000000000/9").status == .notFound)
            #expect(try await browser.get("/r/\(b)/9").status == .tooManyRequests)
            #expect(try await browser.get("/r/\(b)/9", method: .head).status == .tooManyRequests)
        }
    }
}
