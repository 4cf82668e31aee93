import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import Mail
import MailTestSupport
import Testing

/// The application with a job runner that sends account e-mails and digests to a real SMTP server (aiosmtpd).
struct MailingHarness: Sendable {
    let api: APIHarness
    let server: TestSMTPServer
    let runner: JobRunner
    static let publicURL = "https://nps.acme.example.com"

    /// The plain-text parts of the messages sent to `address` so far, in order.
    func texts(to address: String) throws -> [String] {
        try server.messages().filter { $0.recipients == [address] }.map { try Inspection(path: $0.path).parts["plain"] ?? "" }
    }

    /// The first path under the public URL that starts with `prefix` in the latest message to `address`.
    func link(_ prefix: String, to address: String) throws -> String {
        let text = try #require(try texts(to: address).last)
        let start = try #require(text.range(of: Self.publicURL + prefix))
        return String(text[start.lowerBound...].prefix { !$0.isWhitespace }.dropFirst(Self.publicURL.count))
    }
}

func withMailingAPI(_ backend: TestBackend, _ body: @escaping @Sendable (MailingHarness) async throws -> Void) async throws {
    try await TestSMTPServer.with { server in
        try await withAPI(backend) { api in
            let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(server.port)?starttls=off"))
            let pool = SMTPPool(client: client, concurrency: 1, perMinute: nil, clock: api.clock)
            let settings = MailSettings(from: try MailAddress(parsing: "Advocate <nps@acme.example.com>"), publicURL: MailingHarness.publicURL, dkim: nil)
            let runner = JobRunner(store: api.store, handlers: [AccountMailer(store: api.store, pool: pool, settings: settings),
                                                                DigestMailer(store: api.store, pool: pool, settings: settings)],
                                   configuration: .init(owner: "test-runner"))
            do {
                try await body(MailingHarness(api: api, server: server, runner: runner))
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }
}

@Suite("Dashboard accounts by e-mail: password reset, invitations and members, your account")
struct AccountFlowsTests {
    @Test("a reset link by e-mail works once for an hour and ends other sessions; the answer is the same for unknown addresses; requests are limited",
          arguments: TestBackend.available)
    func passwordReset(_ backend: TestBackend) async throws {
        try await withMailingAPI(backend) { m in
            let api = m.api
            let elsewhere = try await api.signedIn("ada@example.com", role: .admin)
            let browser = RespondentBrowser(api)
            #expect(try await browser.get("/login").html.contains(#"<a href="/forgot">Forgot your password?</a>"#))
            _ = try await browser.get("/forgot")
            let known = try await browser.post("/forgot", [("email", "Ada@Example.com")])
            let unknown = try await browser.post("/forgot", [("email", "nobody@example.com")])
            #expect(known.status == .ok && unknown.status == .ok)
            #expect(known.html.contains("a link to choose a new password is on its way") && unknown.html.contains("a link to choose a new password is on its way"))
            #expect(try await browser.post("/forgot", [("email", "ada@example.com")], csrf: false).status == .forbidden)
            #expect(try await browser.post("/forgot", [("email", "not an address")]).status == .badRequest)
            #expect(try await m.runner.runDue() == 1) // no message, no job, for the unknown address
            #expect(try m.server.messages().map(\.recipients) == [["ada@example.com"]])
            let path = try m.link("/reset/", to: "ada@example.com")
            #expect(try Inspection(path: try m.server.messages()[0].path).subject == "Reset your Advocate password")

            #expect(try await browser.get(path).html.contains("ada@example.com"))
            #expect(try await browser.post(path, [("password", "short")]).status == .badRequest)
            let done = try await browser.post(path, [("password", "a brand new password")])
            #expect(done.status == .seeOther && done.headers[.location] == "/app")
            #expect(try await browser.get("/app").status == .ok)
            #expect(try await elsewhere.get("/app").headers[.location] == "/login") // the other session ended
            #expect(try await RespondentBrowser(api).get(path).status == .gone)     // once only
            let signIn = RespondentBrowser(api)
            _ = try await signIn.get("/login")
            #expect(try await signIn.post("/login", [("email", "ada@example.com"), ("password", "a brand new password")]).status == .seeOther)

            // An hour later a fresh link is void.
            _ = try await browser.post("/forgot", [("email", "ada@example.com")])
            try await m.runner.runDue()
            let late = try m.link("/reset/", to: "ada@example.com")
            #expect(late != path)
            api.clock.advance(milliseconds: 61 * 60_000)
            #expect(try await browser.get(late).status == .gone)

            // Five an hour per address; the sixth is refused whether or not the address exists.
            let flood = RespondentBrowser(api)
            _ = try await flood.get("/forgot")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<6 { statuses.append(try await flood.post("/forgot", [("email", "someone@example.com")]).status) }
            #expect(statuses == [.ok, .ok, .ok, .ok, .ok, .tooManyRequests])
        }
    }

    @Test("invitations: a new person sets name and password, an existing user joins with a click; revoked, resent and expired links; admins cannot grant owner",
          arguments: TestBackend.available)
    func invitations(_ backend: TestBackend) async throws {
        try await withMailingAPI(backend) { m in
            let api = m.api
            let owner = try await api.signedIn("olga@example.com", role: .owner)
            let admin = try await api.signedIn("adam@example.com", role: .admin)
            _ = try await owner.get("/app/members")
            let invited = try await owner.post("/app/members/invite", [("email", "New@Example.com"), ("role", "member")])
            #expect(invited.status == .seeOther && invited.headers[.location] == "/app/members?done=invited")
            #expect(try await owner.get("/app/members").html.contains("new@example.com"))
            try await m.runner.runDue()
            let texts = try m.texts(to: "new@example.com")
            #expect(texts.count == 1 && texts[0].contains("invited you to the workspace acme on Advocate, as member"))
            let join = try m.link("/join/", to: "new@example.com")

            let newcomer = RespondentBrowser(api)
            let page = try await newcomer.get(join)
            #expect(page.status == .ok && page.html.contains("Your name") && page.html.contains("new@example.com"))
            #expect(try await newcomer.post(join, [("name", "Nia"), ("password", "short")]).status == .badRequest)
            let joined = try await newcomer.post(join, [("name", "Nia <b>"), ("password", "a long new password")])
            #expect(joined.status == .seeOther && joined.headers[.location] == "/app")
            #expect(try await newcomer.get("/app").html.contains("new@example.com · member"))
            #expect(try await RespondentBrowser(api).get(join).status == .gone)
            let members = try await owner.get("/app/members").html
            #expect(members.contains("Nia &lt;b&gt;") && !members.contains("Nia <b>"))

            // Someone with an account elsewhere joins with one click and keeps their password.
            let beta = try await api.store.ensureWorkspace(slug: "beta").workspace
            let other = try await api.signedIn("bea@example.com", role: .owner, workspaceID: beta.id)
            _ = try await owner.post("/app/members/invite", [("email", "bea@example.com"), ("role", "viewer")])
            try await m.runner.runDue()
            let beaLink = try m.link("/join/", to: "bea@example.com")
            let click = try await other.get(beaLink)
            #expect(click.status == .ok && !click.html.contains("type=\"password\""))
            #expect(try await other.post(beaLink, []).headers[.location] == "/app")
            #expect(try await other.get("/app").html.contains("bea@example.com · viewer"))
            #expect(try await api.store.memberships(userID: try #require(try await api.store.credentials(email: "bea@example.com")?.0.id)).count == 2)

            // Admins hand out admin, member and viewer, not owner.
            _ = try await admin.get("/app/members")
            #expect(try await admin.post("/app/members/invite", [("email", "boss@example.com"), ("role", "owner")]).status == .forbidden)
            #expect(!(try await admin.get("/app/members").html.contains(#"<option value="owner""#)))
            #expect(try await admin.post("/app/members/invite", [("email", "olga@example.com"), ("role", "viewer")]).status == .conflict)
            #expect(try await admin.post("/app/members/invite", [("email", "x@"), ("role", "viewer")]).status == .badRequest)
            #expect(try await admin.post("/app/members/invite", [("email", "x@example.com"), ("role", "king")]).status == .badRequest)

            // Revoked: the link is void. Resent: the old link is void, the new one works. Expired after 7 days.
            _ = try await admin.post("/app/members/invite", [("email", "rev@example.com"), ("role", "viewer")])
            _ = try await admin.post("/app/members/invite", [("email", "res@example.com"), ("role", "member")])
            try await m.runner.runDue()
            let pending = try await api.store.pendingMemberInvitations(workspaceID: api.workspaceID)
            let rev = try #require(pending.first { $0.email == "rev@example.com" }), res = try #require(pending.first { $0.email == "res@example.com" })
            let revLink = try m.link("/join/", to: "rev@example.com"), firstRes = try m.link("/join/", to: "res@example.com")
            #expect(try await admin.post("/app/members/invitations/\(rev.id)/revoke", []).headers[.location] == "/app/members?done=revoked")
            #expect(try await RespondentBrowser(api).get(revLink).status == .gone)
            #expect(try await admin.post("/app/members/invitations/\(res.id)/resend", []).headers[.location] == "/app/members?done=resent")
            try await m.runner.runDue()
            let secondRes = try m.link("/join/", to: "res@example.com")
            #expect(secondRes != firstRes)
            #expect(try await RespondentBrowser(api).get(firstRes).status == .gone)
            #expect(try await RespondentBrowser(api).get(secondRes).status == .ok)
            #expect(try await admin.post("/app/members/invitations/999999/revoke", []).status == .notFound)
            api.clock.advance(milliseconds: Int64(AdvocateStore.memberInvitationDays) * 86_400_000 + 1)
            #expect(try await RespondentBrowser(api).get(secondRes).status == .gone)
            // A week idle ended the admin's session too: sign in afresh to see it marked.
            #expect(try await api.signedIn("ada@example.com", role: .admin).get("/app/members").html.contains("expired"))
        }
    }

    @Test("roles: only owners touch owners, the last owner stays, a removed member's sessions end at once", arguments: TestBackend.available)
    func rolesAndRemoval(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let owner = try await api.signedIn("olga@example.com", role: .owner)
            let admin = try await api.signedIn("adam@example.com", role: .admin)
            let viewer = try await api.signedIn("vic@example.com", role: .viewer)
            func id(_ email: String) async throws -> Int64 { try #require(try await api.store.credentials(email: email)?.0.id) }
            let olga = try await id("olga@example.com"), adam = try await id("adam@example.com"), vic = try await id("vic@example.com")
            _ = try await admin.get("/app/members")
            _ = try await owner.get("/app/members")

            #expect(try await admin.post("/app/members/\(olga)/role", [("role", "viewer")]).status == .forbidden)
            #expect(try await admin.post("/app/members/\(olga)/remove", []).status == .forbidden)
            #expect(try await admin.post("/app/members/\(vic)/role", [("role", "owner")]).status == .forbidden)
            let lastOwner = try await owner.post("/app/members/\(olga)/role", [("role", "admin")])
            #expect(lastOwner.status == .conflict && lastOwner.html.contains("at least one owner"))
            #expect(try await owner.post("/app/members/\(olga)/remove", []).status == .conflict)
            #expect(try await owner.post("/app/members/\(vic)/role", [("role", "emperor")]).status == .badRequest)
            #expect(try await owner.post("/app/members/424242/role", [("role", "viewer")]).status == .notFound)

            #expect(try await admin.post("/app/members/\(vic)/role", [("role", "member")]).headers[.location] == "/app/members?done=role")
            #expect(try await viewer.get("/app").html.contains("vic@example.com · member")) // read on every request
            #expect(try await owner.post("/app/members/\(adam)/role", [("role", "owner")]).status == .seeOther)
            #expect(try await owner.post("/app/members/\(olga)/role", [("role", "viewer")]).status == .seeOther) // two owners: allowed
            #expect(try await admin.get("/app/members").status == .ok) // adam is owner now
            #expect(try await owner.get("/app/members").status == .forbidden) // olga is viewer now

            #expect(try await admin.post("/app/members/\(vic)/remove", []).headers[.location] == "/app/members?done=removed")
            #expect(try await viewer.get("/app").headers[.location] == "/login")
            #expect(try await admin.post("/app/members/\(adam)/remove", []).status == .conflict) // the last owner again
        }
    }

    @Test("your account: name, time zone and digest saved, bad values refused; changing the password needs the current one and ends other sessions",
          arguments: TestBackend.available)
    func account(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let me = try await api.signedIn("ada@example.com", role: .viewer)
            let phone = RespondentBrowser(api)
            _ = try await phone.get("/login")
            _ = try await phone.post("/login", [("email", "ada@example.com"), ("password", "correct horse battery")])
            let page = try await me.get("/app/account")
            #expect(page.status == .ok && page.html.contains(#"value="UTC""#))
            #expect(try await me.post("/app/account", [("name", "Ada"), ("time_zone", "Mars/Olympus"), ("digest", "daily")]).status == .badRequest)
            #expect(try await me.post("/app/account", [("name", "Ada"), ("time_zone", "UTC"), ("digest", "hourly")]).status == .badRequest)
            #expect(try await me.post("/app/account", [("name", "Ada"), ("time_zone", "Europe/Istanbul"), ("digest", "weekly")], csrf: false).status == .forbidden)
            #expect(try await me.post("/app/account", [("name", "Ada"), ("time_zone", "Europe/Istanbul"), ("digest", "weekly")]).headers[.location] == "/app/account?done=saved")
            let user = try #require(try await api.store.credentials(email: "ada@example.com")?.0)
            #expect(user.name == "Ada" && user.timeZone.identifier == "Europe/Istanbul")
            #expect(try await api.store.digestFrequency(userID: user.id, workspaceID: api.workspaceID) == .weekly)
            #expect(try await me.get("/app/account").html.contains(#"value="weekly" checked"#))

            #expect(try await me.post("/app/account/password", [("current_password", "wrong one!"), ("new_password", "another long password")]).status == .forbidden)
            #expect(try await me.post("/app/account/password", [("current_password", "correct horse battery"), ("new_password", "short")]).status == .badRequest)
            #expect(try await me.post("/app/account/password", [("current_password", "correct horse battery"), ("new_password", "another long password")])
                .headers[.location] == "/app/account?done=password")
            #expect(try await me.get("/app").status == .ok)
            #expect(try await phone.get("/app").headers[.location] == "/login")
        }
    }
}
