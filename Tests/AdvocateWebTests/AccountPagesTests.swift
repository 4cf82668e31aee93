import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import Testing

extension APIHarness {
    /// A user of this workspace with `role` and the token of their set-a-password link.
    func member(_ email: String, role: Role, workspaceID: Int64? = nil) async throws -> String {
        let (user, _) = try await store.addMember(workspaceID: workspaceID ?? self.workspaceID, email: email, name: nil, role: role)
        let link = InvitationToken.make()
        try await store.createUserLink(userID: user.id, purpose: "setup", tokenHash: link.hash, hours: 72)
        return link.token
    }
}

@Suite("Dashboard accounts: setup links, sign-in, sessions, the overview")
struct AccountPagesTests {
    @Test("a set-a-password link works once and signs in; the overview shows the workspace's surveys with NPS; signing out ends the session",
          arguments: TestBackend.available)
    func setupAndOverview(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey(#"{"name": "Relationship", "product_name": "Acme Cloud"}"#)
            for score in [10, 9, 9, 3] {
                _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": \#(score)}"#)
            }
            let token = try await api.member("ada@example.com", role: .admin)
            let browser = RespondentBrowser(api)
            #expect(try await browser.get("/app").headers[.location] == "/login")
            #expect(try await browser.get("/setup/\(token)").html.contains("ada@example.com"))
            let short = try await browser.post("/setup/\(token)", [("password", "short")])
            #expect(short.status == .badRequest && short.html.contains("at least 10 characters"))
            let done = try await browser.post("/setup/\(token)", [("password", "correct horse battery")])
            #expect(done.status == .seeOther && done.headers[.location] == "/app")
            let cookie = done.headers[values: .setCookie].first { $0.hasPrefix("advocate_session=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            let app = try await browser.get("/app")
            #expect(app.status == .ok && app.html.contains("ada@example.com · admin") && app.html.contains("Relationship"))
            #expect(app.html.contains(#"<td class="nps">50 <span class="badge""#)) // 3 promoters, 1 detractor of 4; a small sample
            #expect(try await browser.get("/setup/\(token)").status == .gone)
            #expect(try await RespondentBrowser(api).post("/setup/\(token)", [("password", "another long password")]).status == .gone)

            let out = try await browser.post("/logout", [])
            #expect(out.headers[.location] == "/login?signed_out=1")
            #expect(try await browser.get("/app").headers[.location] == "/login")
        }
    }

    @Test("sign-in: wrong password and unknown address get the same answer; no form token is 403; the 11th attempt in 15 minutes is 429",
          arguments: TestBackend.available)
    func signIn(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let token = try await api.member("bo@example.com", role: .viewer)
            _ = try await RespondentBrowser(api).get("/setup/\(token)")
            let setter = RespondentBrowser(api)
            _ = try await setter.get("/setup/\(token)")
            _ = try await setter.post("/setup/\(token)", [("password", "a long enough password")])

            let browser = RespondentBrowser(api)
            _ = try await browser.get("/login")
            let wrong = try await browser.post("/login", [("email", "bo@example.com"), ("password", "not the password")])
            let unknown = try await browser.post("/login", [("email", "nobody@example.com"), ("password", "not the password")])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.html.contains("The e-mail address or the password is wrong.") && unknown.html.contains("The e-mail address or the password is wrong."))
            #expect(try await browser.post("/login", [("email", "bo@example.com"), ("password", "a long enough password")], csrf: false).status == .forbidden)
            let ok = try await browser.post("/login", [("email", " Bo@Example.com "), ("password", "a long enough password")])
            #expect(ok.status == .seeOther && ok.headers[.location] == "/app")
            #expect(try await browser.get("/app").html.contains("bo@example.com · viewer"))
            #expect(try await browser.get("/login").headers[.location] == "/app")

            let attacker = RespondentBrowser(api)
            _ = try await attacker.get("/login")
            var statuses: [HTTPResponse.Status] = []
            for i in 0..<11 { statuses.append(try await attacker.post("/login", [("email", "bo@example.com"), ("password", "guess \(i)")]).status) }
            // Two attempts above already counted against this address (one wrong, one right).
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 3 && statuses.last == .tooManyRequests)
            api.clock.advance(milliseconds: 15 * 60_000)
            #expect(try await attacker.post("/login", [("email", "bo@example.com"), ("password", "a long enough password")]).status == .seeOther)
        }
    }

    @Test("sessions: idle for a week or removed from the workspace, they end; the switcher moves only between the user's own workspaces",
          arguments: TestBackend.available)
    func sessionsAndWorkspaces(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let other = try await api.store.ensureWorkspace(slug: "globex", name: "Globex").workspace
            let stranger = try await api.store.ensureWorkspace(slug: "initech", name: "Initech").workspace
            let otherToken = try await api.token(forWorkspace: "globex")
            _ = try await api.createSurvey(#"{"name": "Globex survey", "product_name": "G"}"#, token: otherToken)
            _ = try await api.createSurvey(#"{"name": "Acme survey", "product_name": "A"}"#)
            let token = try await api.member("cy@example.com", role: .owner)
            _ = try await api.store.addMember(workspaceID: other.id, email: "cy@example.com", name: nil, role: .viewer)
            let browser = RespondentBrowser(api)
            _ = try await browser.get("/setup/\(token)")
            _ = try await browser.post("/setup/\(token)", [("password", "a long enough password")])
            var app = try await browser.get("/app").html
            #expect(app.contains("Acme survey") && !app.contains("Globex survey") && app.contains(#"name="workspace""#))
            #expect(try await browser.post("/app/workspace", [("workspace", "\(other.id)")]).status == .seeOther)
            app = try await browser.get("/app").html
            #expect(app.contains("Globex survey") && !app.contains("Acme survey") && app.contains("cy@example.com · viewer"))
            #expect(try await browser.post("/app/workspace", [("workspace", "\(stranger.id)")]).status == .forbidden)

            api.clock.advance(milliseconds: 8 * 86_400_000)
            #expect(try await browser.get("/app").headers[.location] == "/login")
        }
    }

    @Test("the first owner: only with the token serve printed, only while there is no user, then the link is void", arguments: TestBackend.available)
    func firstOwner(_ backend: TestBackend) async throws {
        let first = InvitationToken.make().token
        try await withAPI(backend, accounts: AccountSettings(passwordCost: 4, firstOwnerToken: first)) { api in
            #expect(try await RespondentBrowser(api).get("/setup/first/\(InvitationToken.make().token)").status == .gone)
            let browser = RespondentBrowser(api)
            #expect(try await browser.get("/setup/first/\(first)").html.contains("the first owner"))
            let bad = try await browser.post("/setup/first/\(first)", [("name", "Dana"), ("email", "not an address"), ("password", "a long enough password")])
            #expect(bad.status == .badRequest && bad.html.contains("valid e-mail address"))
            #expect(try await api.store.userCount() == 0)
            let made = try await browser.post("/setup/first/\(first)", [("name", "Dana"), ("email", "dana@example.com"), ("password", "a long enough password")])
            #expect(made.headers[.location] == "/app")
            #expect(try await browser.get("/app").html.contains("dana@example.com · owner"))
            #expect(try await RespondentBrowser(api).get("/setup/first/\(first)").status == .gone)
        }
    }
}
