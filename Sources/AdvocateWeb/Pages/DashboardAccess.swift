import AdvocateCore
import AdvocateStore
import Hummingbird

/// The least role each dashboard page and action needs: one table, checked for every request
/// under `/app` before its handler runs (the handlers check again where they act). A route under
/// `/app` missing from the table is refused to everyone, and a test fails until it is added.
public enum DashboardAccess {
    public struct Rule: Sendable, Hashable {
        public var method: String
        /// The route as registered (`/app/themes/:id`).
        public var path: String
        public var role: Role
    }

    public static let rules: [Rule] = [
        // Reading: every member of the workspace.
        Rule(method: "GET", path: "/app", role: .viewer),
        Rule(method: "POST", path: "/app/workspace", role: .viewer),
        Rule(method: "GET", path: "/app/account", role: .viewer),
        Rule(method: "POST", path: "/app/account", role: .viewer),
        Rule(method: "POST", path: "/app/account/password", role: .viewer),
        Rule(method: "GET", path: "/app/responses", role: .viewer),
        Rule(method: "GET", path: "/app/responses/:id", role: .viewer),
        Rule(method: "GET", path: "/app/export/responses.csv", role: .viewer),
        Rule(method: "GET", path: "/app/surveys/:id", role: .viewer),
        Rule(method: "GET", path: "/app/surveys/:id/terms", role: .viewer),
        Rule(method: "GET", path: "/app/themes", role: .viewer),
        Rule(method: "GET", path: "/app/themes/:id", role: .viewer),
        Rule(method: "GET", path: "/app/outcomes", role: .viewer),
        Rule(method: "GET", path: "/app/cases", role: .viewer),
        Rule(method: "GET", path: "/app/cases/:id", role: .viewer),
        Rule(method: "GET", path: "/app/alert-rules", role: .viewer),
        // Working with responses and their follow-up cases.
        Rule(method: "POST", path: "/app/responses/:id/themes", role: .member),
        Rule(method: "POST", path: "/app/cases/:id", role: .member),
        Rule(method: "POST", path: "/app/cases/:id/notes", role: .member),
        Rule(method: "POST", path: "/app/cases/:id/reply", role: .member),
        // Running the programme.
        Rule(method: "POST", path: "/app/themes", role: .admin),
        Rule(method: "POST", path: "/app/themes/starter", role: .admin),
        Rule(method: "POST", path: "/app/themes/rule", role: .admin),
        Rule(method: "POST", path: "/app/themes/:id", role: .admin),
        // Alert rules: a rule can send every answer anywhere, so its form is the admins' (as in the API).
        Rule(method: "GET", path: "/app/alert-rules/new", role: .admin),
        Rule(method: "POST", path: "/app/alert-rules", role: .admin),
        Rule(method: "GET", path: "/app/alert-rules/:id", role: .admin),
        Rule(method: "POST", path: "/app/alert-rules/:id", role: .admin),
        Rule(method: "POST", path: "/app/alert-rules/:id/enabled", role: .admin),
        Rule(method: "POST", path: "/app/alert-rules/:id/delete", role: .admin),
        Rule(method: "POST", path: "/app/alert-rules/:id/slack/:delivery/replay", role: .admin),
        // The retention policy: admins read it, owners set it.
        Rule(method: "GET", path: "/app/privacy", role: .admin),
        Rule(method: "POST", path: "/app/privacy", role: .owner),
        // A person's access and erasure requests.
        Rule(method: "GET", path: "/app/contacts/:id/export", role: .admin),
        Rule(method: "GET", path: "/app/contacts/:id/erase", role: .admin),
        Rule(method: "POST", path: "/app/contacts/:id/erase", role: .admin),
        // Members: admins manage admins, members and viewers; the owner role is the owners' (MemberPolicy).
        Rule(method: "GET", path: "/app/members", role: .admin),
        Rule(method: "POST", path: "/app/members/invite", role: .admin),
        Rule(method: "POST", path: "/app/members/:id/role", role: .admin),
        Rule(method: "POST", path: "/app/members/:id/remove", role: .admin),
        Rule(method: "POST", path: "/app/members/invitations/:id/revoke", role: .admin),
        Rule(method: "POST", path: "/app/members/invitations/:id/resend", role: .admin),
        // Who did what: the owners' to read.
        Rule(method: "GET", path: "/app/audit", role: .owner),
    ]

    /// Whether a path is the dashboard's (everything under `/app` needs a session).
    public static func isDashboard(_ path: String) -> Bool { path == "/app" || path.hasPrefix("/app/") }

    /// The rule for a request, matching `:name` and `{name}` components to anything; literal
    /// components win over parameters (`/app/themes/rule` is not `/app/themes/:id`).
    public static func rule(method: String, path: String) -> Rule? {
        let parts = path.split(separator: "/")
        let matching = rules.filter { rule in
            let pattern = rule.path.split(separator: "/")
            return rule.method == method && pattern.count == parts.count
                && zip(pattern, parts).allSatisfy { isParameter($0.0) || $0.0 == $0.1 }
        }
        return matching.max { literalCount($0) < literalCount($1) }
    }

    static func isParameter(_ component: Substring) -> Bool { component.hasPrefix(":") || component.hasPrefix("{") }
    private static func literalCount(_ rule: Rule) -> Int { rule.path.split(separator: "/").filter { !isParameter($0) }.count }
}

/// Applies `DashboardAccess` to every request under `/app`: no session, to the sign-in page; too
/// small a role (or a route missing from the table), the 403 page.
struct DashboardAccessMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let accounts: AccountPages
    let routes: RouteTable

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard DashboardAccess.isDashboard(path) else { return try await next(request, context) }
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let needed = DashboardAccess.rule(method: request.method.rawValue, path: path)?.role
        // No such page: the router's 404 (a routed page missing from the table stays refused).
        if needed == nil && routes.methods(forPath: path).isEmpty { return try await next(request, context) }
        guard let needed, session.membership.role.allows(needed) else {
            return accounts.forbiddenPage(session: session, needed: needed)
        }
        return try await next(request, context)
    }
}
