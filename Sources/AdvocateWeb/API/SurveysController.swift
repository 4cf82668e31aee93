import AdvocateCore
import AdvocateStore
import Hummingbird
import NPS

/// `/api/v1/surveys`: create, read, change and delete surveys, and their NPS report.
struct SurveysController {
    let store: AdvocateStore

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("surveys", use: create)
        group.get("surveys", use: list)
        group.get("surveys/:id", use: show)
        group.patch("surveys/:id", use: update)
        group.delete("surveys/:id", use: delete)
        group.get("surveys/:id/report", use: report)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let input = try SurveyInput.decode(try await request.jsonBody(limit: Limits.singleBodyBytes), creating: true)
        let survey = try await store.createSurvey(workspaceID: try context.requireWorkspace(), input)
        return JSONResponse.make(Representation.survey(survey), status: .created,
                                 headers: [.location: "/api/v1/surveys/\(survey.id)"])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.finish()
        let page = try await store.surveys(workspaceID: try context.requireWorkspace(), after: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Representation.survey), next: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(Representation.survey(try await find(context)))
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let id = try context.idParameter()
        let patch = try SurveyInput.decode(try await request.jsonBody(limit: Limits.singleBodyBytes), creating: false)
        guard let survey = try await store.updateSurvey(workspaceID: try context.requireWorkspace(), id: id, patch) else {
            throw Problem.notFound("no survey with id \(id) in this workspace")
        }
        return JSONResponse.make(Representation.survey(survey))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard try await store.deleteSurvey(workspaceID: try context.requireWorkspace(), id: id, audit: context.auditActor) else {
            throw Problem.notFound("no survey with id \(id) in this workspace")
        }
        return Response(status: .noContent)
    }

    @Sendable func report(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let from = q.day("from")
        let to = q.day("to")
        let interval = q.oneOf("interval", TrendInterval.self) ?? .week
        let method = q.oneOf("method", IntervalMethod.self) ?? .adjustedWald
        let by = q.string("by", maxCharacters: Limits.propertyNameCharacters)
        if let from, let to, from > to { q.fail("from", "must not be after to") }
        if by?.isEmpty == true { q.fail("by", "must name a property, or channel, locale or tenure") }
        let filter = q.reportFilter()
        try q.finish()
        let survey = try await find(context)
        var built = try await store.report(survey: survey, from: from, to: to, interval: interval, by: by, filter: filter, method: method)
        var hidden: Anonymity.Hidden?
        if survey.kind == .employee { (built, hidden) = Anonymity.redact(built) }
        var body = Representation.report(built, surveyID: survey.id, range: (from, to), interval: interval, by: by)
        // What was kept out of the numbers (over the survey's whole life): one-click scores
        // awaiting a human signal, answers taken for link scanners, and the scanners' hits.
        let uncounted = try await store.uncountedResponses(workspaceID: survey.workspaceID, surveyID: survey.id)
        let hits = try await store.scoreLinkHits(workspaceID: survey.workspaceID, surveyID: survey.id)
        if case .object(var fields) = body {
            if !filter.isEmpty { fields["filter"] = .string(filter.description) }
            if let hidden { fields["anonymity"] = Anonymity.json(hidden) }
            fields["not_counted"] = .object([
                "provisional": .integer(Int64(uncounted[.provisional] ?? 0)),
                "flagged": .integer(Int64(uncounted[.flagged] ?? 0)),
                "scanner_hits": .integer(Int64(hits.discarded)),
            ])
            body = .object(fields)
        }
        return JSONResponse.make(body)
    }

    private func find(_ context: AppContext) async throws -> Survey {
        let id = try context.idParameter()
        guard let survey = try await store.survey(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no survey with id \(id) in this workspace")
        }
        return survey
    }
}
