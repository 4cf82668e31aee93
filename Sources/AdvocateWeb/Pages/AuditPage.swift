import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird

/// `/app/audit` (owners): the workspace's audit log, newest first, filtered by who or what,
/// paged by cursor — the same entries as `GET /api/v1/audit-log`.
struct AuditPage {
    let store: AdvocateStore
    let accounts: AccountPages
    static let pageSize = 50

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/audit", use: show)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        let query = request.uri.queryParameters
        // Anything unknown in the query is ignored: this is a page, and the filters come from our own select boxes.
        let actor = query["actor"].map(String.init).flatMap { $0.isEmpty || $0.count > 40 ? nil : $0 }
        let action = query["action"].map(String.init).flatMap { $0.isEmpty || $0.count > 60 ? nil : $0 }
        let cursor = query["cursor"].flatMap { Cursor.decode(String($0)) }
        let page = try await store.auditLog(workspaceID: workspaceID, actor: actor, action: action, before: cursor, limit: Self.pageSize)
        let facets = try await store.auditFacets(workspaceID: workspaceID)
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onAudit"] = true
        values["filtered"] = actor != nil || action != nil
        values["actors"] = facets.actors.map { ["value": $0.key, "label": $0.label, "selected": $0.key == actor] }
        values["actions"] = facets.actions.map { ["value": $0, "selected": $0 == action] }
        values["hasEntries"] = !page.items.isEmpty
        values["entries"] = page.items.map { e -> [String: Any] in
            ["at": String(e.at.rfc3339.prefix(19)).replacingOccurrences(of: "T", with: " "), "actor": e.actor, "actorLabel": e.actorLabel,
             "action": e.action, "target": e.targetType + (e.targetID.map { " \($0)" } ?? ""),
             "changes": e.changes.isEmpty ? "" : JSONValue.object(e.changes).serialized(), "ip": e.ip ?? ""]
        }
        if let next = page.nextCursor {
            var items = [URLQueryItem(name: "cursor", value: next)]
            if let actor { items.append(URLQueryItem(name: "actor", value: actor)) }
            if let action { items.append(URLQueryItem(name: "action", value: action)) }
            var components = URLComponents()
            components.queryItems = items
            values["next"] = components.percentEncodedQuery ?? ""
        }
        return try await accounts.dashboardPage("audit", values, title: "Audit log", session: session, cookies: form.cookies)
    }
}
