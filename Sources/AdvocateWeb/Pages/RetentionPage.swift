import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird

/// `/app/privacy`: the workspace's retention policy, set by owners (the same policy as
/// `PUT /api/v1/retention`), with when the daily job last applied it.
struct RetentionPage {
    let store: AdvocateStore
    let accounts: AccountPages

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/privacy", use: show)
        router.post("app/privacy", use: save)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let saved = request.uri.queryParameters["done"] == "saved"
        return try await page(request, session: session, notice: saved ? "Saved." : nil, error: nil, status: .ok)
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .owner) else { return PageRenderer.shared.redirect(to: "/login") }
        let action = fields["action"] ?? ""
        let months = Int64(fields["months"]?.trimmingCharacters(in: .whitespaces) ?? "")
        let json: JSONValue = .object(["action": .string(action), "months": action == "off" ? .null : months.map(JSONValue.integer) ?? .string(fields["months"] ?? "")])
        do {
            try await store.setRetention(workspaceID: session.membership.workspace.id, try RetentionPolicy.decode(json),
                                         audit: accounts.auditActor(session, context))
        } catch let e as ValidationError {
            return try await page(request, session: session, notice: nil, error: "Not saved: \(e.description).", status: .unprocessableContent)
        }
        return PageRenderer.shared.redirect(to: "/app/privacy?done=saved")
    }

    private func page(_ request: Request, session: Session, notice: String?, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onPrivacy"] = true
        let state = try await store.retention(workspaceID: session.membership.workspace.id)
        let current = state?.policy.action.rawValue ?? "off"
        values["actions"] = [("off", "Keep every answer"), ("anonymise", "Anonymise answers older than the months below"),
                             ("delete", "Delete answers older than the months below")]
            .map { ["value": $0.0, "label": $0.1, "checked": $0.0 == current] }
        values["months"] = state.map { String($0.policy.months) } ?? "24"
        values["canChange"] = session.membership.role >= .owner
        if let state {
            values["lastRun"] = state.lastRunAt.map { "Last applied \($0.rfc3339): \(state.lastRunCount ?? 0) answers." } ?? "Not applied yet; the server applies it once a day."
        }
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return try await accounts.dashboardPage("privacy", values, title: "Privacy", session: session, cookies: form.cookies, status: status)
    }
}
