import Foundation
import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import Testing

@Suite("Role enforcement: every dashboard route, every role, and a user of another workspace")
struct RoleMatrixTests {
    /// A route pattern in one spelling (Hummingbird describes a capture as `{id}`, the table as `:id`).
    static func normalised(_ method: String, _ path: String) -> String {
        let parts = path.split(separator: "/").map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : String($0) }
        return "\(method) /" + parts.joined(separator: "/")
    }

    @Test("every route under /app is in the access table, and the table names only routes that exist")
    func tableIsComplete() async throws {
        try await withAPI(.sqlite) { api in
            let routed = Set(buildRouter(store: api.store).routes
                .filter { DashboardAccess.isDashboard("/" + $0.path.description.split(separator: "/").joined(separator: "/")) }
                .map { Self.normalised($0.method.rawValue, $0.path.description) })
            let table = Set(DashboardAccess.rules.map { Self.normalised($0.method, $0.path) })
            #expect(routed == table, "routed, not in the table: \(routed.subtracting(table).sorted()); in the table, not routed: \(table.subtracting(routed).sorted())")
            // Literal components win over parameters.
            #expect(DashboardAccess.rule(method: "POST", path: "/app/themes/rule")?.path == "/app/themes/rule")
            #expect(DashboardAccess.rule(method: "POST", path: "/app/themes/12")?.path == "/app/themes/:id")
            #expect(DashboardAccess.rule(method: "DELETE", path: "/app/themes/12") == nil)
        }
    }

    @Test("each role reaches what the table allows and gets the 403 page elsewhere; another workspace's user finds none of its ids",
          arguments: TestBackend.available)
    func matrix(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let answer = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 3, "comment": "slow"}"#)
            guard case .integer(let response)? = answer.json["id"] else { throw HarnessError("no response id") }
            let theme = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Speed", "rules": [{"text": "slow"}]}"#)
            guard case .integer(let themeID)? = theme.json["id"] else { throw HarnessError("no theme: \(theme.html)") }
            let target = try await api.store.addMember(workspaceID: api.workspaceID, email: "target@example.com", name: nil, role: .viewer).user.id
            let invitation = try await api.store.inviteMember(workspaceID: api.workspaceID, email: "later@example.com", role: .viewer, tokenHash: "x",
                                                              invitedBy: nil) { NewJob(workspaceID: $0.workspaceID, kind: "none", payload: [:], runAt: api.clock.now()) }
            func path(_ pattern: String) -> String {
                pattern.split(separator: "/").map { part -> String in
                    switch (pattern, part) {
                    case (_, ":id") where pattern.hasPrefix("/app/surveys"): "\(survey)"
                    case (_, ":id") where pattern.hasPrefix("/app/responses"): "\(response)"
                    case (_, ":id") where pattern.hasPrefix("/app/themes"): "\(themeID)"
                    case (_, ":id") where pattern.hasPrefix("/app/members/invitations"): "\(invitation.id)"
                    case (_, ":id") where pattern.hasPrefix("/app/members"): "\(target)"
                    default: String(part)
                    }
                }.joined(separator: "/").replacingOccurrences(of: "app", with: "/app", options: .anchored)
            }
            // Harmless forms: each action is refused or changes only the target.
            let fields: [String: [(String, String)]] = ["/app/members/:id/role": [("role", "viewer")], "/app/responses/:id/themes": [("theme_id", "\(themeID)"), ("applied", "1")]]
            func request(_ browser: RespondentBrowser, _ rule: DashboardAccess.Rule) async throws -> APIResult {
                rule.method == "GET" ? try await browser.get(path(rule.path)) : try await browser.post(path(rule.path), fields[rule.path] ?? [])
            }
            func isForbiddenPage(_ r: APIResult) -> Bool { r.status == .forbidden && r.html.contains("You do not have access to this") }

            var checked = 0
            for role in Role.allCases.reversed() { // viewer first: nothing it does changes what the others see
                let browser = try await api.signedIn("\(role.rawValue)@example.com", role: role)
                _ = try await browser.get("/app")
                for rule in DashboardAccess.rules {
                    let r = try await request(browser, rule)
                    let label = "\(role.rawValue) \(rule.method) \(rule.path): \(r.status)"
                    #expect(r.headers[.location] != "/login", "\(label) was sent to sign in")
                    if role.allows(rule.role) {
                        #expect(!isForbiddenPage(r), "\(label) should be allowed")
                    } else {
                        #expect(isForbiddenPage(r), "\(label) should be the 403 page")
                    }
                    checked += 1
                }
            }
            #expect(checked == 4 * DashboardAccess.rules.count)
            // The admin's turn removed the target; the owner's found no one to remove.
            #expect(try await api.store.members(workspaceID: api.workspaceID).map(\.user.email).sorted()
                    == ["admin@example.com", "member@example.com", "owner@example.com", "viewer@example.com"])

            // The owner of another workspace: none of this workspace's ids exist for them.
            let themesBefore = try await api.store.themes(workspaceID: api.workspaceID).count
            let beta = try await api.store.ensureWorkspace(slug: "beta").workspace
            let outsider = try await api.signedIn("outsider@example.com", role: .owner, workspaceID: beta.id)
            _ = try await outsider.get("/app")
            for rule in DashboardAccess.rules where rule.path.contains(":id") {
                let r = try await request(outsider, rule)
                #expect(r.status == .notFound, "outsider \(rule.method) \(rule.path): \(r.status)")
                #expect(!r.html.contains("Relationship") && !r.html.contains("slow"), "outsider \(rule.method) \(rule.path) shows another workspace's data")
            }
            // Nothing they did changed this workspace.
            #expect(try await api.store.members(workspaceID: api.workspaceID).map(\.role).sorted() == [.viewer, .member, .admin, .owner])
            #expect(try await api.store.themes(workspaceID: api.workspaceID).count == themesBefore)
            // Not signed in: every dashboard route sends to the sign-in page.
            let stranger = RespondentBrowser(api)
            _ = try await stranger.get("/login")
            for rule in DashboardAccess.rules {
                #expect(try await request(stranger, rule).headers[.location] == "/login", "anonymous \(rule.method) \(rule.path)")
            }
        }
    }

    @Test("the API: a token of another workspace finds none of this workspace's surveys, responses or themes, on any route", arguments: TestBackend.available)
    func apiOtherWorkspace(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            guard case .integer(let response)? = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 3, "comment": "slow"}"#).json["id"],
                  case .integer(let theme)? = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Speed", "rules": [{"text": "slow"}]}"#).json["id"] else {
                throw HarnessError("setting up failed")
            }
            let ids: [String: Int64] = ["surveys": survey, "responses": response, "themes": theme]
            let other = try await api.token(forWorkspace: "beta")
            var checked = 0
            for route in buildRouter(store: api.store).routes {
                let parts = route.path.description.split(separator: "/").map(String.init)
                guard parts.count >= 4, parts[0] == "api", parts[1] == "v1", parts[3] == "{id}", let id = ids[parts[2]] else { continue }
                let path = "/" + parts.map { $0 == "{id}" ? "\(id)" : $0 }.joined(separator: "/")
                let r = try await api.send(route.method, path, json: "{}", token: other)
                let label = "\(route.method.rawValue) \(path): \(r.status)"
                if route.method == .get { #expect(r.status == .notFound, "\(label)") }
                #expect(r.status.code >= 400 && r.isProblem, "\(label)")
                #expect(!r.html.contains("slow") && !r.html.contains("Speed"), "\(label) shows another workspace's data")
                checked += 1
            }
            #expect(checked >= 10)
            // Nothing changed.
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)").status == .ok)
            #expect(try await api.send(.get, "/api/v1/themes/\(theme)").json["name"] == .string("Speed"))
            #expect(try await api.responseCount() == 1)
        }
    }
}
