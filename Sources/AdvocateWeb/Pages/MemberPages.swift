import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Foundation
import Hummingbird

/// The workspace's people (`/app/members`, owners and admins): who is a member with which role,
/// invitations by e-mail (revocable, resendable, a week long), role changes and removals, all
/// within MemberPolicy; and the invitation link itself (`/join/{token}`), where a person new to
/// Advocate chooses a name and password and someone with an account joins with one click.
struct MemberPages {
    let store: AdvocateStore
    let accounts: AccountPages
    let sending: SendingState
    private let renderer = PageRenderer.shared

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/members", use: list)
        router.post("app/members/invite", use: invite)
        router.post("app/members/:id/role", use: changeRole)
        router.post("app/members/:id/remove", use: remove)
        router.post("app/members/invitations/:id/revoke", use: revoke)
        router.post("app/members/invitations/:id/resend", use: resend)
        router.get("join/:token", use: showJoin)
        router.post("join/:token", use: join)
    }

    // MARK: - The members page

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return renderer.redirect(to: "/login") }
        return try await page(request, session: session, notice: request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] })
    }

    private static let notices = ["invited": "The invitation is on its way.", "resent": "The invitation was sent again with a new link.",
                                  "revoked": "The invitation was revoked: its link no longer works.", "role": "The role was changed.",
                                  "removed": "The member was removed; their sessions in this workspace have ended."]

    private func page(_ request: Request, session: Session, notice: String? = nil, error: String? = nil, draft: (email: String, role: Role) = ("", .member),
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let workspaceID = session.membership.workspace.id
        let actor = session.membership.role
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        let now = store.clock.now()
        let grantable = Role.allCases.filter { MemberPolicy.grantRefusal(actor: actor, role: $0) == nil }
        values["onMembers"] = true
        values["members"] = try await store.members(workspaceID: workspaceID).map { m -> [String: Any] in
            let changeable = actor == .owner || m.role != .owner
            return ["id": m.user.id, "email": m.user.email, "name": m.user.name ?? "", "role": m.role.rawValue,
                    "you": m.user.id == session.user.id, "changeable": changeable, "pending": !m.user.hasPassword,
                    "roles": grantable.map { ["value": $0.rawValue, "selected": $0 == m.role] }]
        }
        let invitations = try await store.pendingMemberInvitations(workspaceID: workspaceID)
        values["hasInvitations"] = !invitations.isEmpty
        values["invitations"] = invitations.map { i -> [String: Any] in
            ["id": i.id, "email": i.email, "role": i.role.rawValue, "expired": i.expiresAt <= now,
             "expires": SurveyTimeZone.utc.day(containing: i.expiresAt).description, "manageable": MemberPolicy.grantRefusal(actor: actor, role: i.role) == nil]
        }
        values["inviteRoles"] = grantable.map { ["value": $0.rawValue, "selected": $0 == draft.role] }
        values["draftEmail"] = draft.email
        values["emailConfigured"] = sending.emailConfigured
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return try await accounts.dashboardPage("members", values, title: "Members", session: session, cookies: form.cookies, status: status)
    }

    @Sendable func invite(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return renderer.redirect(to: "/login") }
        let typed = (fields["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let role = fields["role"].flatMap(Role.init(rawValue:))
        guard let email = Identifiers.normalizedEmail(typed) else {
            return try await page(request, session: session, error: "Please give a valid e-mail address.", draft: (typed, role ?? .member), status: .badRequest)
        }
        guard let role else {
            return try await page(request, session: session, error: "Please choose a role.", draft: (email, .member), status: .badRequest)
        }
        if let refusal = MemberPolicy.grantRefusal(actor: session.membership.role, role: role) {
            return try await page(request, session: session, error: Self.sentence(refusal), draft: (email, role), status: .forbidden)
        }
        guard sending.emailConfigured else {
            return try await page(request, session: session, error: "This server cannot send e-mail (no --smtp-url), so it cannot send invitations. Use `advocate user create` instead.",
                                  draft: (email, role), status: .conflict)
        }
        if try await store.members(workspaceID: session.membership.workspace.id).contains(where: { $0.user.email == email }) {
            return try await page(request, session: session, error: "\(email) is already a member of this workspace.", draft: (email, role), status: .conflict)
        }
        let link = InvitationToken.make()
        _ = try await store.inviteMember(workspaceID: session.membership.workspace.id, email: email, role: role, tokenHash: link.hash,
                                         invitedBy: session.user.id, audit: accounts.auditActor(session, context),
                                         message: invitationMessage(session: session, token: link.token))
        sending.wake()
        return renderer.redirect(to: "/app/members?done=invited")
    }

    @Sendable func resend(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, _) = try await accounts.signedForm(request, role: .admin) else { return renderer.redirect(to: "/login") }
        let link = InvitationToken.make()
        guard let id = context.parameters.get("id").flatMap(Int64.init),
              try await store.resendMemberInvitation(workspaceID: session.membership.workspace.id, id: id, tokenHash: link.hash,
                                                     actor: session.membership.role, audit: accounts.auditActor(session, context),
                                                     message: invitationMessage(session: session, token: link.token)) != nil else {
            return try await page(request, session: session, error: "There is no such invitation you can send.", status: .notFound)
        }
        sending.wake()
        return renderer.redirect(to: "/app/members?done=resent")
    }

    @Sendable func revoke(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, _) = try await accounts.signedForm(request, role: .admin) else { return renderer.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        let id = context.parameters.get("id").flatMap(Int64.init)
        // An admin cannot revoke an invitation to be owner: that is the owners' business.
        let invitation = try await store.pendingMemberInvitations(workspaceID: workspaceID).first { $0.id == id }
        guard let invitation, MemberPolicy.grantRefusal(actor: session.membership.role, role: invitation.role) == nil,
              try await store.revokeMemberInvitation(workspaceID: workspaceID, id: invitation.id, audit: accounts.auditActor(session, context)) else {
            return try await page(request, session: session, error: "There is no such invitation you can revoke.", status: .notFound)
        }
        return renderer.redirect(to: "/app/members?done=revoked")
    }

    @Sendable func changeRole(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return renderer.redirect(to: "/login") }
        guard let id = context.parameters.get("id").flatMap(Int64.init), let role = fields["role"].flatMap(Role.init(rawValue:)) else {
            return try await page(request, session: session, error: "Please choose one of the roles.", status: .badRequest)
        }
        if let refusal = try await store.changeRole(workspaceID: session.membership.workspace.id, userID: id, to: role, actor: session.membership.role,
                                                        audit: accounts.auditActor(session, context)) {
            return try await page(request, session: session, error: Self.sentence(refusal), status: Self.status(refusal))
        }
        return renderer.redirect(to: "/app/members?done=role")
    }

    @Sendable func remove(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, _) = try await accounts.signedForm(request, role: .admin) else { return renderer.redirect(to: "/login") }
        guard let id = context.parameters.get("id").flatMap(Int64.init) else {
            return try await page(request, session: session, error: Self.sentence(.notFound), status: .notFound)
        }
        if let refusal = try await store.removeMember(workspaceID: session.membership.workspace.id, userID: id, actor: session.membership.role,
                                                          audit: accounts.auditActor(session, context)) {
            return try await page(request, session: session, error: Self.sentence(refusal), status: Self.status(refusal))
        }
        // Removing oneself ends this very session: the sign-in page, not a 403.
        return renderer.redirect(to: id == session.user.id ? "/app" : "/app/members?done=removed")
    }

    private func invitationMessage(session: Session, token: String) -> @Sendable (MemberInvitation) -> NewJob {
        let workspace = session.membership.workspace
        let inviter = session.user.name.map { "\($0) (\(session.user.email))" } ?? session.user.email
        let now = store.clock.now()
        return { invitation in
            NewJob(workspaceID: workspace.id, kind: AccountEmail.jobKind,
                   payload: AccountEmail.memberInvitation(path: "/join/\(token)", workspace: workspace.name, inviter: inviter, role: invitation.role,
                                                          days: AdvocateStore.memberInvitationDays).payload(to: invitation.email),
                   runAt: now, maxAttempts: 5)
        }
    }

    static func sentence(_ refusal: MemberPolicy.Refusal) -> String {
        let text = refusal.description
        return text.prefix(1).uppercased() + text.dropFirst() + "."
    }

    static func status(_ refusal: MemberPolicy.Refusal) -> HTTPResponse.Status {
        switch refusal {
        case .notAllowed: .forbidden
        case .lastOwner: .conflict
        case .notFound: .notFound
        }
    }

    // MARK: - The invitation link

    @Sendable func showJoin(_ request: Request, context: AppContext) async throws -> Response {
        let form = accounts.cookies.session(request, respondent: false)
        guard let link = try await invitationLink(context) else { return invalidInvitation() }
        return joinPage(path: request.uri.path, link: link, csrf: form.csrf, cookies: form.cookies, name: "", error: nil, status: .ok)
    }

    @Sendable func join(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let form = accounts.cookies.session(request, respondent: false)
        guard let link = try await invitationLink(context), let token = context.parameters.get("token") else { return invalidInvitation() }
        guard let fields = try? await request.formBody(limit: 16 * 1024), accounts.cookies.verify(request, form: fields) else {
            return joinPage(path: request.uri.path, link: link, csrf: form.csrf, cookies: form.cookies, name: "",
                            error: "This form has expired. Please try again.", status: .forbidden)
        }
        let session = InvitationToken.make()
        // Someone with a password joins with a click (the link proves the address, their password
        // stays theirs); a person new to Advocate chooses a name and a password and is signed in.
        if link.existingUser?.hasPassword == true {
            guard try await store.acceptMemberInvitation(tokenHash: InvitationToken.hash(token), name: nil, passwordHash: nil,
                                                         sessionTokenHash: session.hash) != nil else { return invalidInvitation() }
            if let current = try await accounts.currentSession(request), current.user.id == link.existingUser?.id {
                _ = try await store.switchWorkspace(sessionID: current.id, userID: current.user.id, workspaceID: link.workspace.id)
                return renderer.redirect(to: "/app")
            }
            return renderer.redirect(to: "/login?joined=1")
        }
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let password = fields["password"] ?? ""
        if let problem = User.passwordProblem(password) {
            return joinPage(path: request.uri.path, link: link, csrf: form.csrf, cookies: form.cookies, name: name,
                            error: "The password \(problem).", status: .badRequest)
        }
        let hash = try BCrypt.hash(password, cost: accounts.settings.passwordCost)
        guard try await store.acceptMemberInvitation(tokenHash: InvitationToken.hash(token), name: name.isEmpty ? nil : String(name.prefix(200)),
                                                     passwordHash: hash, sessionTokenHash: session.hash)?.session != nil else { return invalidInvitation() }
        return renderer.redirect(to: "/app", cookies: form.cookies + [accounts.sessionCookie(session.token)])
    }

    private func invitationLink(_ context: AppContext) async throws -> InvitationLink? {
        guard let token = context.parameters.get("token"), InvitationToken.isWellFormed(token) else { return nil }
        return try await store.invitationLink(tokenHash: InvitationToken.hash(token))
    }

    private func joinPage(path: String, link: InvitationLink, csrf: String, cookies: [Cookie], name: String, error: String?,
                          status: HTTPResponse.Status) -> Response {
        let existing = link.existingUser?.hasPassword == true
        var values: [String: Any] = ["heading": "Join \(link.workspace.name) on Advocate", "action": path, "csrf": csrf,
                                     "intro": "You are invited as \(link.invitation.role.rawValue), with the address \(link.invitation.email).",
                                     "button": existing ? "Join \(link.workspace.name)" : "Join and sign in"]
        if existing {
            values["noPassword"] = true
        } else {
            values.merge(["askName": true, "name": name, "passwordLabel": "Choose a password", "passwordAutocomplete": "new-password",
                          "newPassword": true]) { _, new in new }
        }
        if let error { values["error"] = error }
        var response = renderer.render("login", values, catalog: Catalog.english, title: "Join \(link.workspace.name) · Advocate",
                                       brandColor: SurveySettings().brandColor, status: status)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    private func invalidInvitation() -> Response {
        renderer.message(catalog: Catalog.english, heading: "This invitation is no longer valid",
                         text: "Invitations work once and expire after \(AdvocateStore.memberInvitationDays) days, and an owner or admin may have revoked it. Ask them to send it again.",
                         status: .gone)
    }
}
