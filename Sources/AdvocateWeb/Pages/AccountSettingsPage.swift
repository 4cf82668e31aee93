import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Foundation
import Hummingbird

/// The signed-in user's own account (`/app/account`): name, time zone and the digest of the
/// current workspace on one form; the password on another (the current one is asked for, and the
/// user's other sessions end).
struct AccountSettingsPage {
    let store: AdvocateStore
    let accounts: AccountPages
    private let renderer = PageRenderer.shared

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/account", use: show)
        router.post("app/account", use: save)
        router.post("app/account/password", use: changePassword)
        router.get("digest/unsubscribe/:token", use: showUnsubscribe)
        router.post("digest/unsubscribe/:token", use: unsubscribe)
    }

    // MARK: - Stopping the digest from its e-mail

    /// A page with a button (a GET never unsubscribes: mail filters open every link).
    @Sendable func showUnsubscribe(_ request: Request, context: AppContext) async throws -> Response {
        guard let (_, workspaceID) = try await digestToken(context) else { return invalidUnsubscribe() }
        let on = try await digestIsOn(request, context: context, workspaceID: workspaceID)
        return renderer.message(catalog: Catalog.english, heading: "The digest e-mail",
                                text: on ? "Stop sending you this workspace's digest?" : "You no longer get this workspace's digest.",
                                status: .ok, isStatus: !on, form: on ? ["button": "Stop the digest", "buttonClass": "primary"] : nil)
    }

    /// The button, or RFC 8058's one-click POST from the mail client: no CSRF token (a mail
    /// client has none); the signed token is what authorises it.
    @Sendable func unsubscribe(_ request: Request, context: AppContext) async throws -> Response {
        guard let (userID, workspaceID) = try await digestToken(context) else { return invalidUnsubscribe() }
        try await store.setDigestFrequency(userID: userID, workspaceID: workspaceID, .off, newSecret: InvitationToken.make().token)
        return renderer.message(catalog: Catalog.english, heading: "The digest e-mail",
                                text: "Done: you no longer get this workspace's digest. Turn it on again under Your account.", status: .ok, isStatus: true)
    }

    private func digestIsOn(_ request: Request, context: AppContext, workspaceID: Int64) async throws -> Bool {
        guard let (userID, _) = try await digestToken(context) else { return false }
        return try await store.digestFrequency(userID: userID, workspaceID: workspaceID) != .off
    }

    /// The user and workspace of a well-signed token.
    private func digestToken(_ context: AppContext) async throws -> (Int64, Int64)? {
        guard let token = context.parameters.get("token"), let (userID, workspaceID) = DigestUnsubscribeToken.parse(token),
              let secret = try await store.digestSecret(userID: userID, workspaceID: workspaceID),
              DigestUnsubscribeToken.verify(token, secret: secret) else { return nil }
        return (userID, workspaceID)
    }

    private func invalidUnsubscribe() -> Response {
        renderer.message(catalog: Catalog.english, heading: "This link is not valid", text: "Change the digest under Your account after signing in.",
                         status: .notFound)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return renderer.redirect(to: "/login") }
        let notice = ["saved": "Saved.", "password": "Your password was changed; your other sessions have ended."][request.uri.queryParameters["done"].map(String.init) ?? ""]
        return try await page(request, session: session, notice: notice)
    }

    private func page(_ request: Request, session: Session, notice: String? = nil, error: String? = nil, passwordError: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        let digest = try await store.digestFrequency(userID: session.user.id, workspaceID: session.membership.workspace.id)
        values["onAccount"] = true
        values["name"] = session.user.name ?? ""
        values["timeZone"] = session.user.timeZone.identifier
        values["digests"] = [("off", "Off"), ("daily", "Daily, at 08:00, about the day before"),
                             ("weekly", "Weekly, Mondays at 08:00, about the week before")].map { value, label in
            ["value": value, "label": label, "checked": digest.rawValue == value]
        }
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        if let passwordError { values["passwordError"] = passwordError }
        return try await accounts.dashboardPage("account", values, title: "Your account", session: session, cookies: form.cookies, status: status)
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .viewer, limit: 16 * 1024) else { return renderer.redirect(to: "/login") }
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let zone = SurveyTimeZone(validated: (fields["time_zone"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            return try await page(request, session: session, error: "Please give a time zone by its IANA name, such as Europe/Istanbul or America/New_York.",
                                  status: .badRequest)
        }
        guard let digest = DigestFrequency(rawValue: fields["digest"] ?? "") else {
            return try await page(request, session: session, error: "Please choose how often the digest comes: off, daily or weekly.", status: .badRequest)
        }
        guard name.count <= 200 else { return try await page(request, session: session, error: "The name must be at most 200 characters.", status: .badRequest) }
        try await store.updateProfile(userID: session.user.id, name: name.isEmpty ? nil : name, timeZone: zone)
        try await store.setDigestFrequency(userID: session.user.id, workspaceID: session.membership.workspace.id, digest,
                                           newSecret: InvitationToken.make().token)
        return renderer.redirect(to: "/app/account?done=saved")
    }

    @Sendable func changePassword(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .viewer, limit: 16 * 1024) else { return renderer.redirect(to: "/login") }
        guard accounts.limiter.take("account|\(session.user.email)") else {
            return try await page(request, session: session, passwordError: "Too many attempts. Please wait 15 minutes and try again.", status: .tooManyRequests)
        }
        let stored = try await store.passwordHash(userID: session.user.id)
        guard let stored, BCrypt.verify(fields["current_password"] ?? "", against: stored) else {
            return try await page(request, session: session, passwordError: "The current password is wrong.", status: .forbidden)
        }
        let new = fields["new_password"] ?? ""
        if let problem = User.passwordProblem(new) {
            return try await page(request, session: session, passwordError: "The new password \(problem).", status: .badRequest)
        }
        try await store.changePassword(userID: session.user.id, passwordHash: try BCrypt.hash(new, cost: accounts.settings.passwordCost), keepingSession: session.id)
        return renderer.redirect(to: "/app/account?done=password")
    }
}
