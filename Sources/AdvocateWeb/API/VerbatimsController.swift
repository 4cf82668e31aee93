import AdvocateCore
import AdvocateStore
import Hummingbird
import NPS

/// `/api/v1/surveys/{id}/terms` and `/api/v1/surveys/{id}/drivers`: what the comments of a
/// period (and segment) say, computed on this server in any language; nothing leaves it.
/// Terms are the words detractors use far more than promoters, and the reverse (weighted log-odds
/// with an informative Dirichlet prior); drivers are each theme's effect on the commenters' NPS
/// (docs/verbatims.md).
struct VerbatimsController {
    let store: AdvocateStore

    /// Most comments read for distinctive terms (the newest of the period).
    static let maxComments = 50_000
    /// Most comments read for key drivers (the newest of the period).
    static let maxDriverComments = 200_000

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("surveys/:id/terms", use: terms)
        group.get("surveys/:id/drivers", use: drivers)
    }

    /// What the terms and drivers of a survey are read over: a period and a segment.
    struct Scope {
        var from: CalendarDay?
        var to: CalendarDay?
        /// The answers read: one segment in the API, the report page's whole filter on the dashboard.
        var filter = ReportFilter()

        init(from: CalendarDay?, to: CalendarDay?, segment: ResponseSegment?) {
            self.init(from: from, to: to, filter: ReportFilter(segment))
        }

        init(from: CalendarDay?, to: CalendarDay?, filter: ReportFilter) {
            self.from = from
            self.to = to
            self.filter = filter
        }

        static func read(_ q: inout QueryReader) -> Scope {
            let scope = Scope(from: q.day("from"), to: q.day("to"), segment: q.segment())
            if let from = scope.from, let to = scope.to, from > to { q.fail("from", "must not be after to") }
            return scope
        }

        var json: [String: JSONValue] {
            ["from": .optional(from?.description), "to": .optional(to?.description), "segment": .optional(filter.isEmpty ? nil : filter.description)]
        }
    }

    @Sendable func terms(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let scope = Scope.read(&q)
        let limit = Int(q.integer("limit", in: 1...100) ?? 20)
        var minimumZ = DistinctiveTerms.exploratoryZ
        if let text = q.string("min_z", maxCharacters: 10) {
            if let z = Double(text), z.isFinite, (0...10).contains(z) { minimumZ = z } else { q.fail("min_z", "must be a number from 0 to 10, got \"\(text)\"") }
        }
        try q.finish()
        let (workspaceID, survey) = try await surveyInScope(context)
        let terms = try await Self.terms(store: store, workspaceID: workspaceID, surveyID: survey, scope: scope)
        func shape(_ t: DistinctiveTerms.Term) -> JSONValue {
            .object(["term": .string(t.term), "z": .double(t.z), "log_odds_ratio": .double(t.delta),
                     "detractor_comments": .integer(Int64(t.detractorCount)), "promoter_comments": .integer(Int64(t.promoterCount)),
                     "examples": .array(terms.examples(of: t).map { c in
                         .object(["response_id": .integer(c.responseID), "score": .integer(Int64(c.score.value)), "comment": .string(c.text)])
                     })])
        }
        return JSONResponse.make(.object(scope.json.merging([
            "survey_id": .integer(survey),
            "detractor_comments": .integer(Int64(terms.comments.detractors.count)), "promoter_comments": .integer(Int64(terms.comments.promoters.count)),
            "min_z": .double(minimumZ),
            "detractor_terms": .array(terms.detractorTerms(limit: limit, minimumZ: minimumZ).map(shape)),
            "promoter_terms": .array(terms.promoterTerms(limit: limit, minimumZ: minimumZ).map(shape)),
        ]) { _, new in new }))
    }

    @Sendable func drivers(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let scope = Scope.read(&q)
        let limit = Int(q.integer("limit", in: 1...50) ?? 5)
        try q.finish()
        let (workspaceID, survey) = try await surveyInScope(context)
        let report = try await Self.drivers(store: store, workspaceID: workspaceID, surveyID: survey, scope: scope)
        func shape(_ d: KeyDriver) -> JSONValue {
            let test = d.comparison()
            return .object([
                "theme_id": .integer(d.theme), "theme": .string(report.names[d.theme] ?? ""),
                "commenters_with": .integer(Int64(d.with.n)), "share": .optional(d.share),
                "nps_with": .optional(d.npsWith), "nps_without": .optional(d.npsWithout), "impact": .optional(d.impact),
                "z": .optional(test?.z), "p_value": .optional(test?.pValue), "significant": .bool(test?.isSignificant() ?? false),
            ])
        }
        let reasons = KeyDrivers.topReasons(report.drivers, limit: limit)
        return JSONResponse.make(.object(scope.json.merging([
            "survey_id": .integer(survey),
            "commenters": .integer(Int64(report.commenters.n)), "nps_commenters": .optional(report.commenters.nps),
            "drivers": .array(report.drivers.map(shape)),
            "top_reasons_recommend": .array(reasons.recommend.map(shape)),
            "top_reasons_not_recommend": .array(reasons.dontRecommend.map(shape)),
        ]) { _, new in new }))
    }

    private func surveyInScope(_ context: AppContext) async throws -> (workspaceID: Int64, surveyID: Int64) {
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        guard try await store.survey(workspaceID: workspaceID, id: id) != nil else { throw Problem.notFound("no survey with id \(id) in this workspace") }
        return (workspaceID, id)
    }

    // MARK: - Shared with the dashboard

    /// A survey's distinctive terms as the API and the dashboard show them: for an employee
    /// (eNPS) survey without example comments and without terms of fewer than five commenters.
    struct ShownTerms {
        let comments: CommentTerms
        let employee: Bool

        func detractorTerms(limit: Int, minimumZ: Double) -> [DistinctiveTerms.Term] {
            shown(comments.analysis.detractorTerms(minimumZ: minimumZ), limit: limit)
        }

        func promoterTerms(limit: Int, minimumZ: Double) -> [DistinctiveTerms.Term] {
            shown(comments.analysis.promoterTerms(minimumZ: minimumZ), limit: limit)
        }

        func examples(of term: DistinctiveTerms.Term) -> [CommentTerms.Comment] { employee ? [] : comments.examples(of: term) }

        private func shown(_ terms: [DistinctiveTerms.Term], limit: Int) -> [DistinctiveTerms.Term] {
            guard employee else { return Array(terms.prefix(limit)) }
            return Array(Anonymity.shownTerms(terms, commenters: comments.detractors.count + comments.promoters.count).prefix(limit))
        }
    }

    /// The distinctive terms of a survey's comments in `scope`.
    static func terms(store: AdvocateStore, workspaceID: Int64, surveyID: Int64, scope: Scope) async throws -> ShownTerms {
        let comments = try await store.themedComments(workspaceID: workspaceID, surveyID: surveyID, from: scope.from, to: scope.to,
                                                      filter: scope.filter, limit: maxComments)
        return ShownTerms(comments: CommentTerms(comments.map { CommentTerms.Comment(responseID: $0.responseID, score: $0.score, text: $0.text) }),
                          employee: try await store.employeeSurveyIDs(workspaceID: workspaceID).contains(surveyID))
    }

    /// Key drivers of a survey's commenters in `scope`, with the themes' names; drivers in name order.
    static func drivers(store: AdvocateStore, workspaceID: Int64, surveyID: Int64, scope: Scope) async throws
        -> (drivers: [KeyDriver], names: [Int64: String], commenters: Tally) {
        var result = try await store.keyDrivers(workspaceID: workspaceID, surveyID: surveyID, from: scope.from, to: scope.to, filter: scope.filter,
                                                limit: maxDriverComments)
        // eNPS: a theme's effect compares those who named it with those who did not; either
        // group under five would give its people's scores away.
        if try await store.employeeSurveyIDs(workspaceID: workspaceID).contains(surveyID) {
            let all = result.commenters
            result.drivers = result.drivers.filter { !Anonymity.isHidden($0.with) && !Anonymity.isHidden($0.without) }
            if Anonymity.isHidden(all) { result = ([], result.names, .empty) }
        }
        return result
    }
}
