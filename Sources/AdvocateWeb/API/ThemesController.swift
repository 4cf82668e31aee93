import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

/// `/api/v1/themes` and `/api/v1/responses/{id}/themes`: the workspace's themes and their keyword
/// rules, the starter set, a preview of what draft rules would match, the progress of applying
/// changed rules to old comments, and people's own decisions on a response (docs/verbatims.md).
struct ThemesController {
    let store: AdvocateStore
    let sending: SendingState

    /// Newest comments a preview reads.
    static let previewComments = 1_000
    /// Matches a preview lists.
    static let previewMatches = 50

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("themes", use: list)
        group.post("themes", use: create)
        group.post("themes/starter", use: installStarter)
        group.post("themes/preview", use: preview)
        group.get("themes/retag", use: retag)
        group.get("themes/:id", use: show)
        group.patch("themes/:id", use: update)
        group.delete("themes/:id", use: delete)
        group.post("themes/:id/rules", use: addRule)
        group.get("responses/:id/themes", use: responseThemes)
        group.put("responses/:id/themes/:theme_id", use: addToResponse)
        group.delete("responses/:id/themes/:theme_id", use: removeFromResponse)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let workspaceID = try context.requireWorkspace()
        let themes = try await store.themes(workspaceID: workspaceID)
        return JSONResponse.make(.object(["data": .array(themes.map(Representation.theme)),
                                          "retag": try await store.latestRetag(workspaceID: workspaceID).map(Representation.retag) ?? .null]))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let theme = try await store.theme(workspaceID: try context.requireWorkspace(), id: id) else { throw Self.notFound(id) }
        return JSONResponse.make(Representation.theme(theme))
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let name = Self.readName(r, required: true)
        let rules = Self.readRules(r) ?? []
        try r.finish()
        guard let name else { throw Problem.badRequest("name is required") }
        let (theme, retag) = try Self.saved(try await store.createTheme(workspaceID: workspaceID, name: name, rules: rules))
        if retag != nil { sending.wake() }
        return JSONResponse.make(Representation.theme(theme, retag: retag), status: .created, headers: [.location: "/api/v1/themes/\(theme.id)"])
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let name = Self.readName(r, required: false)
        let rules = Self.readRules(r)
        try r.finish()
        let (theme, retag) = try Self.saved(try await store.updateTheme(workspaceID: workspaceID, id: id, name: name, rules: rules), id: id)
        if retag != nil { sending.wake() }
        return JSONResponse.make(Representation.theme(theme, retag: retag))
    }

    /// One rule added to a theme: what "make this term a rule" sends.
    @Sendable func addRule(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        let rule: ThemeRule
        switch ThemeRule.read(try await request.jsonBody(limit: Limits.singleBodyBytes), field: "") {
        case .success(let read): rule = read
        case .failure(let error): throw error
        }
        let (theme, retag) = try Self.saved(try await store.addThemeRule(workspaceID: workspaceID, id: id, rule: rule), id: id)
        if retag != nil { sending.wake() }
        return JSONResponse.make(Representation.theme(theme, retag: retag))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard try await store.deleteTheme(workspaceID: try context.requireWorkspace(), id: id) else { throw Self.notFound(id) }
        return Response(status: .noContent)
    }

    @Sendable func installStarter(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let workspaceID = try context.requireWorkspace()
        guard case .success(let (themes, retag)) = try await store.installStarterThemes(workspaceID: workspaceID) else {
            throw Problem(status: .conflict, detail: "the workspace cannot have more than \(AdvocateStore.maxThemes) themes")
        }
        if retag != nil { sending.wake() }
        return JSONResponse.make(.object(["data": .array(themes.map(Representation.theme)), "retag": retag.map(Representation.retag) ?? .null]),
                                 status: themes.isEmpty ? .ok : .created)
    }

    /// Which of the workspace's newest comments draft rules would match; saves nothing.
    @Sendable func preview(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let rules = Self.readRules(r, required: true) ?? []
        try r.finish()
        let preview = try await Self.preview(store: store, workspaceID: workspaceID, rules: rules)
        return JSONResponse.make(.object([
            "comments_read": .integer(Int64(preview.read)), "matched": .integer(Int64(preview.matches.count)),
            "matches": .array(preview.matches.prefix(Self.previewMatches).map { m in
                .object(["response_id": .integer(m.responseID), "score": .integer(Int64(m.score.value)), "comment": .string(m.text),
                         "rules": .array(m.rules.map { .string($0.line) })])
            }),
        ]))
    }

    @Sendable func retag(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        guard let retag = try await store.latestRetag(workspaceID: try context.requireWorkspace()) else {
            throw Problem.notFound("the workspace's theme rules were never applied to old comments")
        }
        return JSONResponse.make(Representation.retag(retag))
    }

    // MARK: - One response's themes

    @Sendable func responseThemes(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let themes = try await store.responseThemes(workspaceID: try context.requireWorkspace(), responseID: id) else {
            throw Problem.notFound("no response with id \(id) in this workspace")
        }
        return JSONResponse.make(Representation.responseThemes(id, themes))
    }

    @Sendable func addToResponse(_ request: Request, context: AppContext) async throws -> Response {
        try await decide(request, context, applied: true)
    }

    @Sendable func removeFromResponse(_ request: Request, context: AppContext) async throws -> Response {
        try await decide(request, context, applied: false)
    }

    private func decide(_ request: Request, _ context: AppContext, applied: Bool) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        let themeID = try context.idParameter("theme_id")
        guard let themes = try await store.decideTheme(workspaceID: try context.requireWorkspace(), responseID: id, themeID: themeID,
                                                       applied: applied, by: "api") else {
            throw Problem.notFound("no response with id \(id) or no theme with id \(themeID) in this workspace")
        }
        return JSONResponse.make(Representation.responseThemes(id, themes))
    }

    // MARK: - Reading and shared work

    static func readName(_ r: InputReader, required: Bool) -> String? {
        r.string("name", required: required, maxCharacters: 100, nullable: false, allowEmpty: false)?.trimmingCharacters(in: .whitespaces)
    }

    static func readRules(_ r: InputReader, required: Bool = false) -> [ThemeRule]? {
        guard let value = r.value("rules") else {
            if required { r.fail("rules", "is required: an array of rules such as {\"text\": \"slow*\", \"language\": null}") }
            return nil
        }
        switch ThemeRule.readList(value, field: "rules") {
        case .success(let rules): return rules
        case .failure(let error):
            r.absorb(error.issues)
            return nil
        }
    }

    static func notFound(_ id: Int64) -> Problem { Problem.notFound("no theme with id \(id) in this workspace") }

    /// The saved theme, or the problem a refusal is.
    static func saved(_ result: Result<(Theme, ThemeRetag?), ThemeRefusal>, id: Int64 = 0) throws -> (Theme, ThemeRetag?) {
        switch result {
        case .success(let saved): return saved
        case .failure(.notFound): throw notFound(id)
        case .failure(.duplicateName(let name)):
            let message = "the workspace already has a theme named \"\(name)\""
            throw Problem(status: .conflict, title: "Conflict", detail: "name: \(message)", issues: [ValidationIssue(field: "name", message: message)])
        case .failure(.tooMany): throw Problem(status: .conflict, detail: "the workspace cannot have more than \(AdvocateStore.maxThemes) themes")
        }
    }

    /// A comment a preview matched, with the rules that matched it.
    struct PreviewMatch {
        var responseID: Int64
        var score: Score
        var text: String
        var rules: [ThemeRule]
    }

    /// Runs draft `rules` over the workspace's newest comments.
    static func preview(store: AdvocateStore, workspaceID: Int64, rules: [ThemeRule]) async throws -> (read: Int, matches: [PreviewMatch]) {
        let matcher = ThemeMatcher(rules.map { (theme: 0, rule: $0) })
        let comments = try await store.recentComments(workspaceID: workspaceID, limit: previewComments)
        let matches = comments.compactMap { c -> PreviewMatch? in
            let matched = matcher.matchingRules(of: c.text, locale: c.locale)
            return matched.isEmpty ? nil : PreviewMatch(responseID: c.responseID, score: c.score, text: c.text, rules: matched.map(\.rule))
        }
        return (comments.count, matches)
    }
}

extension Representation {
    static func theme(_ t: Theme) -> JSONValue { theme(t, retag: nil) }

    static func theme(_ t: Theme, retag: ThemeRetag?) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .integer(t.id), "name": .string(t.name), "rules": ThemeRule.json(t.rules),
            "created_at": .string(t.createdAt.rfc3339), "updated_at": .string(t.updatedAt.rfc3339),
        ]
        if let retag { o["retag"] = Representation.retag(retag) }
        return .object(o)
    }

    static func retag(_ r: ThemeRetag) -> JSONValue {
        .object(["id": .integer(r.id), "state": .string(r.state.rawValue), "total": .integer(Int64(r.total)), "done": .integer(Int64(r.done)),
                 "created_at": .string(r.createdAt.rfc3339), "finished_at": .optional(r.finishedAt?.rfc3339)])
    }

    static func responseThemes(_ responseID: Int64, _ themes: [ResponseTheme]) -> JSONValue {
        .object(["response_id": .integer(responseID), "data": .array(themes.map { t in
            .object(["theme_id": .integer(t.themeID), "name": .string(t.name), "origin": .string(t.origin.rawValue), "applied": .bool(t.applied),
                     "decided_by": .optional(t.decidedBy), "decided_at": .optional(t.decidedAt?.rfc3339)])
        })])
    }
}
