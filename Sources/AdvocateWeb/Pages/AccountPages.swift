import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Foundation
import Hummingbird
import NPS
import Synchronization

/// How the dashboard's accounts are configured.
public struct AccountSettings: Sendable {
    /// bcrypt cost of new password hashes (12 in production; tests use the minimum).
    public var passwordCost: Int
    /// Sign-in attempts allowed per 15 minutes, per IP address and per account.
    public var attemptsPerWindow: Int
    /// The first owner's one-time setup token, when the database has no user yet (`serve` prints the link).
    public var firstOwnerToken: String?
    /// Password reset e-mails allowed per hour, per address asked for and (four times as many) per IP address.
    public var resetsPerHour: Int

    public init(passwordCost: Int = 12, attemptsPerWindow: Int = 10, firstOwnerToken: String? = nil, resetsPerHour: Int = 5) {
        self.passwordCost = passwordCost
        self.attemptsPerWindow = attemptsPerWindow
        self.firstOwnerToken = firstOwnerToken
        self.resetsPerHour = resetsPerHour
    }
}

/// Signing in to the dashboard (docs/dashboard.md): `/login`, `/logout`, set-a-password links
/// (`/setup/{token}`, from `advocate user create`, or the first owner's `/setup/first/{token}`
/// printed by the first `serve`), and the overview at `/app`.
///
/// Sessions are random tokens in an HttpOnly, SameSite=Lax cookie (Secure behind https), stored
/// hashed; every form carries the CSRF token; sign-in attempts are limited per address and per
/// account, and an unknown address costs the same bcrypt work as a wrong password.
struct AccountPages {
    let store: AdvocateStore
    let settings: AccountSettings
    let cookies: RespondentCookies
    let limiter: FixedWindowLimiter
    let sending: SendingState
    /// Password reset requests, per address asked for and per IP address.
    private let resetLimiter: (address: FixedWindowLimiter, ip: FixedWindowLimiter)
    private let renderer = PageRenderer.shared

    static let sessionCookie = "advocate_session"
    /// Verified against for unknown addresses, so their answer takes as long as a wrong password's
    /// (made on first use: a bcrypt hash at production cost is not free).
    private let decoy: DecoyHash

    init(store: AdvocateStore, settings: AccountSettings, sending: SendingState, secureCookies: Bool) {
        self.store = store
        self.sending = sending
        self.resetLimiter = (FixedWindowLimiter(clock: store.clock, limit: settings.resetsPerHour, windowMilliseconds: 3_600_000),
                             FixedWindowLimiter(clock: store.clock, limit: 4 * settings.resetsPerHour, windowMilliseconds: 3_600_000))
        self.settings = settings
        self.cookies = RespondentCookies(secure: secureCookies)
        self.limiter = FixedWindowLimiter(clock: store.clock, limit: settings.attemptsPerWindow, windowMilliseconds: 15 * 60_000)
        self.decoy = DecoyHash(cost: settings.passwordCost)
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("login", use: showLogin)
        router.post("login", use: login)
        router.post("logout", use: logout)
        router.get("setup/:token", use: showSetup)
        router.post("setup/:token", use: setup)
        router.get("forgot", use: showForgot)
        router.post("forgot", use: forgot)
        router.get("reset/:token", use: showSetup)
        router.post("reset/:token", use: setup)
        router.get("setup/first/:token", use: showFirstOwner)
        router.post("setup/first/:token", use: firstOwner)
        router.get("app", use: overview)
        router.post("app/workspace", use: switchWorkspace)
    }

    // MARK: - Sign in and out

    @Sendable func showLogin(_ request: Request, context: AppContext) async throws -> Response {
        let session = cookies.session(request, respondent: false)
        if try await currentSession(request) != nil { return renderer.redirect(to: "/app", cookies: []) }
        return loginPage(csrf: session.csrf, cookies: session.cookies, email: "", error: nil, status: .ok,
                         notice: request.uri.queryParameters["signed_out"] != nil ? "You have signed out." : nil)
    }

    @Sendable func login(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let session = cookies.session(request, respondent: false)
        guard let form = try? await request.formBody(limit: 16 * 1024), cookies.verify(request, form: form) else {
            return loginPage(csrf: session.csrf, cookies: session.cookies, email: "", error: "This form has expired. Please sign in again.", status: .forbidden)
        }
        let typed = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let email = Identifiers.normalizedEmail(typed) ?? typed.lowercased()
        let password = form["password"] ?? ""
        guard limiter.take("ip|\(context.remoteIP ?? "unknown")"), limiter.take("account|\(email)") else {
            return loginPage(csrf: session.csrf, cookies: session.cookies, email: email,
                             error: "Too many sign-in attempts. Please wait 15 minutes and try again.", status: .tooManyRequests)
        }
        let found = try await store.credentials(email: email)
        let verified = BCrypt.verify(password, against: found?.passwordHash ?? decoy.value)
        guard let (user, hash) = found, hash != nil, verified else {
            return loginPage(csrf: session.csrf, cookies: session.cookies, email: email, error: "The e-mail address or the password is wrong.",
                             status: .unauthorized)
        }
        let token = InvitationToken.make()
        guard try await store.openSession(userID: user.id, tokenHash: token.hash) != nil else {
            return loginPage(csrf: session.csrf, cookies: session.cookies, email: email,
                             error: "Your account belongs to no workspace. Ask an owner to add you.", status: .forbidden)
        }
        return renderer.redirect(to: "/app", cookies: session.cookies + [sessionCookie(token.token)])
    }

    @Sendable func logout(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let form = (try? await request.formBody(limit: 4 * 1024)) ?? [:]
        guard cookies.verify(request, form: form) else { throw Problem(status: .forbidden, detail: "the sign-out form must carry its CSRF token") }
        if let token = request.cookies[Self.sessionCookie]?.value, InvitationToken.isWellFormed(token) {
            try await store.closeSession(tokenHash: InvitationToken.hash(token))
        }
        let expired = Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: cookies.secure, httpOnly: true, sameSite: .lax)
        return renderer.redirect(to: "/login?signed_out=1", cookies: [expired])
    }

    // MARK: - Forgotten passwords

    @Sendable func showForgot(_ request: Request, context: AppContext) async throws -> Response {
        let session = cookies.session(request, respondent: false)
        return forgotPage(csrf: session.csrf, cookies: session.cookies, email: "", error: nil, notice: nil, status: .ok)
    }

    /// E-mails a one-time reset link when an account has the address. The answer is the same
    /// whether or not one does, so the form cannot be used to find out who has an account.
    @Sendable func forgot(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let session = cookies.session(request, respondent: false)
        guard let form = try? await request.formBody(limit: 16 * 1024), cookies.verify(request, form: form) else {
            return forgotPage(csrf: session.csrf, cookies: session.cookies, email: "", error: "This form has expired. Please try again.",
                              notice: nil, status: .forbidden)
        }
        let typed = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let email = Identifiers.normalizedEmail(typed) else {
            return forgotPage(csrf: session.csrf, cookies: session.cookies, email: typed, error: "Please give a valid e-mail address.",
                              notice: nil, status: .badRequest)
        }
        guard sending.emailConfigured else {
            return forgotPage(csrf: session.csrf, cookies: session.cookies, email: email,
                              error: "This server cannot send e-mail. Ask an owner of your workspace for a set-a-password link.",
                              notice: nil, status: .serviceUnavailable)
        }
        // Per address, so nobody floods one inbox; per IP address (more: offices share one), so nobody floods many.
        guard resetLimiter.address.take(email), resetLimiter.ip.take(context.remoteIP ?? "unknown") else {
            return forgotPage(csrf: session.csrf, cookies: session.cookies, email: email,
                              error: "Too many reset requests. Please wait an hour and try again.", notice: nil, status: .tooManyRequests)
        }
        let link = InvitationToken.make()
        let workspaceID: Int64? = nil
        try await store.requestPasswordReset(email: email, tokenHash: link.hash) {
            NewJob(workspaceID: workspaceID, kind: AccountEmail.jobKind,
                   payload: AccountEmail.passwordReset(path: "/reset/\(link.token)", minutes: AdvocateStore.passwordResetMinutes).payload(to: email),
                   runAt: store.clock.now(), maxAttempts: 5)
        }
        sending.wake()
        return forgotPage(csrf: session.csrf, cookies: session.cookies, email: "", error: nil,
                          notice: "If an account has the address \(email), a link to choose a new password is on its way. It works once, for an hour.",
                          status: .ok)
    }

    private func forgotPage(csrf: String, cookies: [Cookie], email: String, error: String?, notice: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["heading": "Forgot your password?", "action": "/forgot", "csrf": csrf, "askEmail": true, "email": email,
                                     "noPassword": true, "button": "E-mail me a link",
                                     "intro": "Give the address you sign in with; we e-mail it a link to choose a new password."]
        if let error { values["error"] = error }
        if let notice { values["notice"] = notice }
        var response = renderer.render("login", values, catalog: Catalog.english, title: "Forgot your password · Advocate",
                                       brandColor: SurveySettings().brandColor, status: status)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    // MARK: - Set-a-password links

    @Sendable func showSetup(_ request: Request, context: AppContext) async throws -> Response {
        let session = cookies.session(request, respondent: false)
        guard let user = try await linkUser(context) else { return invalidLink() }
        return setupPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: user.email, error: nil, status: .ok)
    }

    @Sendable func setup(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let session = cookies.session(request, respondent: false)
        guard let user = try await linkUser(context) else { return invalidLink() }
        guard let form = try? await request.formBody(limit: 16 * 1024), cookies.verify(request, form: form) else {
            return setupPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: user.email,
                             error: "This form has expired. Please try again.", status: .forbidden)
        }
        let password = form["password"] ?? ""
        if let problem = User.passwordProblem(password) {
            return setupPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: user.email,
                             error: "The password \(problem).", status: .badRequest)
        }
        let hash = try BCrypt.hash(password, cost: settings.passwordCost)
        let token = InvitationToken.make()
        switch try await store.setPassword(linkTokenHash: InvitationToken.hash(context.parameters.get("token") ?? ""), passwordHash: hash,
                                           sessionTokenHash: token.hash) {
        case .failure: return invalidLink()
        case .success: return renderer.redirect(to: "/app", cookies: session.cookies + [sessionCookie(token.token)])
        }
    }

    @Sendable func showFirstOwner(_ request: Request, context: AppContext) async throws -> Response {
        let session = cookies.session(request, respondent: false)
        guard try await firstOwnerLinkIsLive(context) else { return invalidLink() }
        return firstOwnerPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: "", name: "", error: nil, status: .ok)
    }

    /// The first owner: only while the database has no user, with the token `serve` printed.
    @Sendable func firstOwner(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let session = cookies.session(request, respondent: false)
        guard try await firstOwnerLinkIsLive(context) else { return invalidLink() }
        guard let form = try? await request.formBody(limit: 16 * 1024), cookies.verify(request, form: form) else {
            return firstOwnerPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: "", name: "",
                                  error: "This form has expired. Please try again.", status: .forbidden)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let rawEmail = form["email"] ?? ""
        guard let email = Identifiers.normalizedEmail(rawEmail) else {
            return firstOwnerPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: rawEmail, name: name,
                                  error: "Please give a valid e-mail address.", status: .badRequest)
        }
        let password = form["password"] ?? ""
        if let problem = User.passwordProblem(password) {
            return firstOwnerPage(path: request.uri.path, csrf: session.csrf, cookies: session.cookies, email: email, name: name,
                                  error: "The password \(problem).", status: .badRequest)
        }
        let workspace = try await store.ensureWorkspace(slug: "default").workspace
        let (user, _) = try await store.addMember(workspaceID: workspace.id, email: email, name: name.isEmpty ? nil : String(name.prefix(200)), role: .owner)
        let link = InvitationToken.make()
        try await store.createUserLink(userID: user.id, purpose: "first-owner", tokenHash: link.hash, hours: 1)
        let token = InvitationToken.make()
        _ = try await store.setPassword(linkTokenHash: link.hash, passwordHash: try BCrypt.hash(password, cost: settings.passwordCost),
                                        sessionTokenHash: token.hash)
        return renderer.redirect(to: "/app", cookies: session.cookies + [sessionCookie(token.token)])
    }

    private func firstOwnerLinkIsLive(_ context: AppContext) async throws -> Bool {
        guard let expected = settings.firstOwnerToken, let given = context.parameters.get("token"),
              ConstantTime.equal(expected.utf8, given.utf8) else { return false }
        return try await store.userCount() == 0
    }

    private func linkUser(_ context: AppContext) async throws -> User? {
        guard let token = context.parameters.get("token"), InvitationToken.isWellFormed(token) else { return nil }
        return try await store.userLink(tokenHash: InvitationToken.hash(token))
    }

    /// What every dashboard page's frame shows: who is signed in, the workspace switcher, the CSRF token of its forms.
    func frame(_ session: Session, csrf: String, memberships: [Membership]) -> [String: Any] {
        let workspace = session.membership.workspace
        return [
            "mainClass": "app", "csrf": csrf, "userEmail": session.user.email, "role": session.membership.role.rawValue,
            "managesMembers": MemberPolicy.managesMembers(session.membership.role),
            "readsAudit": session.membership.role == .owner,
            "workspaceName": workspace.name, "switcher": memberships.count > 1,
            "workspaces": memberships.map { ["id": $0.workspace.id, "name": $0.workspace.name, "current": $0.workspace.id == workspace.id] },
        ]
    }

    /// Renders a dashboard page and keeps the session alive.
    func dashboardPage(_ template: String, _ values: [String: Any], title: String, session: Session, cookies: [Cookie],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        var response = renderer.render(template, values, catalog: Catalog.english, title: "\(title) · Advocate",
                                       brandColor: SurveySettings().brandColor, status: status)
        for cookie in cookies { response.setCookie(cookie) }
        try await store.touchSession(id: session.id)
        return response
    }

    @Sendable func switchWorkspace(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        guard let session = try await currentSession(request) else { return renderer.redirect(to: "/login", cookies: []) }
        let form = (try? await request.formBody(limit: 4 * 1024)) ?? [:]
        guard cookies.verify(request, form: form) else { throw Problem(status: .forbidden, detail: "the form must carry its CSRF token") }
        guard let id = form["workspace"].flatMap(Int64.init),
              try await store.switchWorkspace(sessionID: session.id, userID: session.user.id, workspaceID: id) else {
            throw Problem(status: .forbidden, detail: "you are not a member of that workspace")
        }
        return renderer.redirect(to: "/app", cookies: [])
    }

    // MARK: - Helpers

    /// The session and form of a dashboard POST by someone with at least `role`: nil without a
    /// session; a 403 without the CSRF token or the role.
    func signedForm(_ request: Request, role: Role, limit: Int = 256 * 1024) async throws -> (Session, [String: String])? {
        var request = request
        guard let session = try await currentSession(request) else { return nil }
        let fields = try await request.formBody(limit: limit)
        guard cookies.verify(request, form: fields) else { throw Problem(status: .forbidden, detail: "the form must carry its CSRF token") }
        guard session.membership.role >= role else {
            throw Problem(status: .forbidden, detail: "a \(session.membership.role.rawValue) cannot do this; it takes a \(role.rawValue) or above")
        }
        return (session, fields)
    }

    /// Who the audit log names for a change made on a dashboard page: the signed-in user and their address.
    func auditActor(_ session: Session, _ context: AppContext) -> AuditActor {
        .user(id: session.user.id, email: session.user.email, ip: context.remoteIP)
    }

    func currentSession(_ request: Request) async throws -> Session? {
        guard let token = request.cookies[Self.sessionCookie]?.value, InvitationToken.isWellFormed(token) else { return nil }
        return try await store.session(tokenHash: InvitationToken.hash(token))
    }

    func sessionCookie(_ value: String) -> Cookie {
        Cookie(name: Self.sessionCookie, value: value, path: "/", secure: cookies.secure, httpOnly: true, sameSite: .lax)
    }

    /// The 403 page: signed in, but this page or action takes a larger role (or is not open to anyone).
    func forbiddenPage(session: Session, needed: Role?) -> Response {
        let you = "You are \(session.membership.role.rawValue) in \(session.membership.workspace.name)"
        let text = needed.map { "This page or action takes \($0.rawValue) or above. \(you)." } ?? "This page is not open to anyone. \(you)."
        return renderer.message(catalog: Catalog.english, heading: "You do not have access to this", text: text + " Ask an owner or admin if you need it.",
                                status: .forbidden)
    }

    private func invalidLink() -> Response {
        renderer.message(catalog: Catalog.english, heading: "This link is no longer valid",
                         text: "Set-a-password links work once and expire. Ask an owner of your workspace for a new one.", status: .gone)
    }

    private func loginPage(csrf: String, cookies: [Cookie], email: String, error: String?, status: HTTPResponse.Status, notice: String? = nil) -> Response {
        var values: [String: Any] = ["heading": "Sign in to Advocate", "action": "/login", "csrf": csrf, "askEmail": true, "email": email,
                                     "forgotLink": true,
                                     "passwordLabel": "Password", "passwordAutocomplete": "current-password", "button": "Sign in"]
        if let error { values["error"] = error }
        if let notice { values["notice"] = notice }
        var response = renderer.render("login", values, catalog: Catalog.english, title: "Sign in · Advocate",
                                       brandColor: SurveySettings().brandColor, status: status)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    private func setupPage(path: String, csrf: String, cookies: [Cookie], email: String, error: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["heading": "Choose your password", "action": path, "csrf": csrf, "showEmail": email,
                                     "passwordLabel": "New password", "passwordAutocomplete": "new-password", "newPassword": true,
                                     "button": "Save and sign in"]
        if let error { values["error"] = error }
        var response = renderer.render("login", values, catalog: Catalog.english, title: "Choose your password · Advocate",
                                       brandColor: SurveySettings().brandColor, status: status)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    private func firstOwnerPage(path: String, csrf: String, cookies: [Cookie], email: String, name: String, error: String?,
                                status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["heading": "Set up Advocate: the first owner", "action": path, "csrf": csrf, "askName": true, "name": name,
                                     "askEmail": true, "email": email, "passwordLabel": "Password", "passwordAutocomplete": "new-password",
                                     "newPassword": true, "button": "Create the owner and sign in"]
        if let error { values["error"] = error }
        var response = renderer.render("login", values, catalog: Catalog.english, title: "Set up · Advocate",
                                       brandColor: SurveySettings().brandColor, status: status)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }
}

/// A bcrypt hash of a password nobody has, made once when first needed.
final class DecoyHash: Sendable {
    private let cost: Int
    private let hash = Mutex<String?>(nil)

    init(cost: Int) { self.cost = cost }

    var value: String {
        hash.withLock { stored in
            if let stored { return stored }
            let made = (try? BCrypt.hash("a decoy that no account has", cost: cost)) ?? ""
            stored = made
            return made
        }
    }
}

