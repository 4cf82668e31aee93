import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

/// The dashboard's themes (docs/verbatims.md): `/app/themes`, the list with the progress of
/// applying rules to old comments and the starter set; `/app/themes/{id}`, one theme's name and
/// rules (one a line, `tr: yavaş*`) with a preview of which recent comments they match before
/// saving; `/app/surveys/{id}/terms`, a survey's distinctive terms, each with a button that makes
/// it a rule; and a person's own themes on a response. Plain forms with the CSRF token: no
/// script is needed. Everyone reads; members tag responses by hand; admins and owners edit themes.
struct ThemePages {
    let store: AdvocateStore
    let accounts: AccountPages
    let sending: SendingState

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/themes", use: list)
        router.post("app/themes", use: create)
        router.post("app/themes/starter", use: installStarter)
        router.post("app/themes/rule", use: makeRule)
        router.get("app/themes/:id", use: show)
        router.post("app/themes/:id", use: change)
        router.get("app/surveys/:id/terms", use: terms)
        router.post("app/responses/:id/themes", use: decide)
    }

    // MARK: - The list and one theme

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        return try await listPage(request, session: session, draft: nil)
    }

    /// The list; `draft` is a new theme's form as sent (name, rules text, what went wrong or the preview).
    private func listPage(_ request: Request, session: Session, draft: Draft?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let workspaceID = session.membership.workspace.id
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onThemes"] = true
        values["canEdit"] = session.membership.role >= .admin
        let themes = try await store.themes(workspaceID: workspaceID)
        values["themes"] = themes.map { t -> [String: Any] in
            ["id": t.id, "name": t.name, "rules": t.rules.count, "sample": t.rules.prefix(6).map(\.line).joined(separator: ", ")]
        }
        values["hasThemes"] = !themes.isEmpty
        values["starterNames"] = StarterThemes.all.map(\.name).joined(separator: ", ")
        values["retag"] = try await store.latestRetag(workspaceID: workspaceID).map(Self.retagValues)
        values.merge((draft ?? Draft()).values) { _, new in new }
        return try await accounts.dashboardPage("themes", values, title: "Themes", session: session, cookies: form.cookies, status: status)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        var theme: Theme?
        if let id = context.parameters.get("id").flatMap(Int64.init) { theme = try await store.theme(workspaceID: session.membership.workspace.id, id: id) }
        return try await themePage(request, session: session, theme: theme, draft: theme.map(Draft.init(theme:)))
    }

    private func themePage(_ request: Request, session: Session, theme: Theme?, draft: Draft?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onThemes"] = true
        values["canEdit"] = session.membership.role >= .admin
        guard let theme else {
            values["missing"] = true
            return try await accounts.dashboardPage("theme", values, title: "Theme not found", session: session, cookies: form.cookies, status: .notFound)
        }
        values["id"] = theme.id
        values["saved"] = request.uri.queryParameters["saved"] != nil
        values.merge((draft ?? Draft(theme: theme)).values) { _, new in new }
        return try await accounts.dashboardPage("theme", values, title: theme.name, session: session, cookies: form.cookies, status: status)
    }

    /// A theme's form as sent, and what became of it.
    struct Draft {
        var name = ""
        var rules = ""
        var error: String?
        var preview: (read: Int, matches: [ThemesController.PreviewMatch])?

        init() {}

        init(theme: Theme) {
            name = theme.name
            rules = theme.rules.map(\.line).joined(separator: "\n")
        }

        var values: [String: Any] {
            var v: [String: Any] = ["draftName": name, "draftRules": rules]
            if let error { v["error"] = error }
            if let preview {
                v["preview"] = [
                    "read": preview.read, "matched": preview.matches.count,
                    "matches": preview.matches.prefix(ThemesController.previewMatches).map { m -> [String: Any] in
                        ["id": m.responseID, "score": m.score.value, "category": m.score.category.rawValue, "comment": m.text,
                         "rules": m.rules.map(\.line).joined(separator: ", ")]
                    },
                ]
            }
            return v
        }
    }

    /// Reads a theme's form: its name and rules, previewing instead of saving when asked.
    private func readDraft(_ fields: [String: String]) -> (draft: Draft, name: String?, rules: [ThemeRule]?) {
        var draft = Draft()
        draft.name = String((fields["name"] ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        draft.rules = String((fields["rules"] ?? "").prefix(ThemeRule.maxRulesPerTheme * (ThemeRule.maxCharacters + 12)))
        var problems: [String] = []
        if draft.name.isEmpty { problems.append("name: must not be empty") } else if draft.name.count > 100 { problems.append("name: must be at most 100 characters") }
        var rules: [ThemeRule]?
        switch ThemeRule.parseLines(draft.rules) {
        case .success(let read) where read.count > ThemeRule.maxRulesPerTheme: problems.append("rules: at most \(ThemeRule.maxRulesPerTheme) rules")
        case .success(let read): rules = read
        case .failure(let error): problems.append(contentsOf: error.issues.map(\.description))
        }
        if !problems.isEmpty { draft.error = problems.joined(separator: "; ") }
        return (draft, problems.isEmpty ? draft.name : nil, rules)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        var (draft, name, rules) = readDraft(fields)
        if fields["action"] == "preview", let rules {
            draft.error = nil
            draft.preview = try await ThemesController.preview(store: store, workspaceID: workspaceID, rules: rules)
            return try await listPage(request, session: session, draft: draft)
        }
        guard let name, let rules else { return try await listPage(request, session: session, draft: draft, status: .badRequest) }
        switch try await store.createTheme(workspaceID: workspaceID, name: name, rules: rules) {
        case .success(let (theme, retag)):
            if retag != nil { sending.wake() }
            return PageRenderer.shared.redirect(to: "/app/themes/\(theme.id)?saved=1")
        case .failure(let refusal):
            draft.error = Self.describe(refusal)
            return try await listPage(request, session: session, draft: draft, status: .conflict)
        }
    }

    /// Saves, previews or deletes one theme (`action` = save, preview or delete).
    @Sendable func change(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        guard let id = context.parameters.get("id").flatMap(Int64.init), let theme = try await store.theme(workspaceID: workspaceID, id: id) else {
            return try await themePage(request, session: session, theme: nil, draft: nil)
        }
        if fields["action"] == "delete" {
            _ = try await store.deleteTheme(workspaceID: workspaceID, id: id)
            return PageRenderer.shared.redirect(to: "/app/themes")
        }
        var (draft, name, rules) = readDraft(fields)
        if fields["action"] == "preview", let rules {
            draft.error = nil
            draft.preview = try await ThemesController.preview(store: store, workspaceID: workspaceID, rules: rules)
            return try await themePage(request, session: session, theme: theme, draft: draft)
        }
        guard let name, let rules else { return try await themePage(request, session: session, theme: theme, draft: draft, status: .badRequest) }
        switch try await store.updateTheme(workspaceID: workspaceID, id: id, name: name, rules: rules) {
        case .success(let (_, retag)):
            if retag != nil { sending.wake() }
            return PageRenderer.shared.redirect(to: "/app/themes/\(id)?saved=1")
        case .failure(let refusal):
            draft.error = Self.describe(refusal)
            return try await themePage(request, session: session, theme: theme, draft: draft, status: .conflict)
        }
    }

    @Sendable func installStarter(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, _) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        if case .success(let (_, retag)) = try await store.installStarterThemes(workspaceID: session.membership.workspace.id), retag != nil {
            sending.wake()
        }
        return PageRenderer.shared.redirect(to: "/app/themes")
    }

    /// A distinctive term made into a rule of an existing theme, or of a new theme named after it.
    @Sendable func makeRule(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .admin) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        guard case .success(let rule) = ThemeRule.make(text: fields["term"] ?? "", language: nil, field: "term") else {
            throw Problem.badRequest("term: not a word a rule can match")
        }
        let result: Result<(Theme, ThemeRetag?), ThemeRefusal>
        if let id = fields["theme_id"].flatMap(Int64.init) {
            result = try await store.addThemeRule(workspaceID: workspaceID, id: id, rule: rule)
        } else {
            result = try await store.createTheme(workspaceID: workspaceID, name: rule.text, rules: [rule])
        }
        switch result {
        case .success(let (theme, retag)):
            if retag != nil { sending.wake() }
            return PageRenderer.shared.redirect(to: "/app/themes/\(theme.id)?saved=1")
        case .failure(let refusal):
            return PageRenderer.shared.message(catalog: Catalog.english, heading: "The rule was not added", text: Self.describe(refusal),
                                               status: .conflict)
        }
    }

    // MARK: - Distinctive terms of a survey

    @Sendable func terms(_ request: Request, context: AppContext) async throws -> Response {
        try await accounts.surveyPage(request, context, template: "survey-terms") { session, form, values, survey in
            try await terms(request, session: session, form: form, values: values, survey: survey)
        }
    }

    private func terms(_ request: Request, session: Session, form: RespondentCookies.Session, values frame: [String: Any],
                       survey: Survey) async throws -> Response {
        var values = frame
        let workspaceID = session.membership.workspace.id
        var q = QueryReader(request, ignoringEmpty: true)
        let scope = VerbatimsController.Scope.read(&q)
        values.merge(["surveyID": survey.id, "survey": survey.name, "from": scope.from?.description ?? "", "to": scope.to?.description ?? "",
                      "segment": scope.filter.segments.first?.description ?? "", "canEdit": session.membership.role >= .admin]) { _, new in new }
        guard q.issues.isEmpty else {
            values["error"] = q.issues.map(\.description).joined(separator: "; ")
            return try await accounts.dashboardPage("survey-terms", values, title: survey.name, session: session, cookies: form.cookies, status: .badRequest)
        }
        let terms = try await VerbatimsController.terms(store: store, workspaceID: workspaceID, surveyID: survey.id, scope: scope)
        values["themes"] = try await store.themes(workspaceID: workspaceID).map { ["id": $0.id, "name": $0.name] }
        func rows(_ list: [DistinctiveTerms.Term]) -> [[String: Any]] {
            list.map { t in
                ["term": t.term, "z": String(format: "%.1f", t.z), "detractors": t.detractorCount, "promoters": t.promoterCount,
                 "examples": terms.examples(of: t).map { ["id": $0.responseID, "score": $0.score.value, "category": $0.score.category.rawValue, "comment": $0.text] }]
            }
        }
        values["detractorComments"] = terms.comments.detractors.count
        values["promoterComments"] = terms.comments.promoters.count
        values["detractorTerms"] = rows(terms.detractorTerms(limit: 20, minimumZ: DistinctiveTerms.exploratoryZ))
        values["promoterTerms"] = rows(terms.promoterTerms(limit: 20, minimumZ: DistinctiveTerms.exploratoryZ))
        if terms.employee {
            values["anonymity"] = "An employee (eNPS) survey: no example comment is shown, nor any term that fewer than \(Anonymity.minimumRespondents) people used, to protect anonymity."
        }
        return try await accounts.dashboardPage("survey-terms", values, title: "\(survey.name): terms", session: session, cookies: form.cookies)
    }

    // MARK: - A person's themes on a response

    /// Adds (`applied=1`) or removes (`applied=0`) a theme on a response by hand.
    @Sendable func decide(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .member) else { return PageRenderer.shared.redirect(to: "/login") }
        guard let id = context.parameters.get("id").flatMap(Int64.init), let themeID = fields["theme_id"].flatMap(Int64.init),
              let applied = fields["applied"].flatMap({ ["1": true, "0": false][$0] }),
              try await store.decideTheme(workspaceID: session.membership.workspace.id, responseID: id, themeID: themeID, applied: applied,
                                          by: session.user.email) != nil else {
            throw Problem.notFound("no such response or theme in this workspace")
        }
        return PageRenderer.shared.redirect(to: "/app/responses/\(id)")
    }

    // MARK: - Helpers

    static func describe(_ refusal: ThemeRefusal) -> String {
        switch refusal {
        case .notFound: "There is no such theme in this workspace."
        case .duplicateName(let name): "The workspace already has a theme named \"\(name)\"."
        case .tooMany: "The workspace cannot have more than \(AdvocateStore.maxThemes) themes."
        }
    }

    static func retagValues(_ r: ThemeRetag) -> [String: Any] {
        ["state": r.state.rawValue, "done": r.done, "total": r.total, "running": r.state == .running,
         "percent": r.total == 0 ? 100 : min(100, r.done * 100 / r.total), "started": r.createdAt.rfc3339]
    }

    /// The key drivers of a survey's commenters as the report shows them.
    static func driverRows(_ drivers: [KeyDriver], names: [Int64: String]) -> [[String: Any]] {
        drivers.map { d in
            let test = d.comparison()
            func points(_ v: Double?) -> String { v.map { String(Display.roundedPoints($0)) } ?? "–" }
            return ["id": d.theme, "theme": names[d.theme] ?? "", "n": d.with.n, "share": d.share.map { "\(Int(($0 * 100).rounded()))%" } ?? "–",
                    "with": points(d.npsWith), "without": points(d.npsWithout), "impact": d.impact.map { String(format: "%+.1f", $0) } ?? "–",
                    "significant": test?.isSignificant() ?? false, "pValue": test.map { String(format: "%.3f", $0.pValue) } ?? "–"]
        }
    }
}
