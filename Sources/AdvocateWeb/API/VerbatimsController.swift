import AdvocateCore
import AdvocateStore
import Hummingbird
import NPS

/// `/api/v1/surveys/{id}/terms`: the words detractors use far more than promoters, and the
/// reverse (weighted log-odds with an informative Dirichlet prior; docs/verbatims.md), in any
/// language, computed on the comments of the period; nothing leaves the server.
struct VerbatimsController {
    let store: AdvocateStore

    /// Most comments read for one analysis (the newest of the period).
    static let maxComments = 50_000

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("surveys/:id/terms", use: terms)
    }

    @Sendable func terms(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let from = q.day("from")
        let to = q.day("to")
        let limit = Int(q.integer("limit", in: 1...100) ?? 20)
        var minimumZ = DistinctiveTerms.exploratoryZ
        if let text = q.string("min_z", maxCharacters: 10) {
            if let z = Double(text), z.isFinite, (0...10).contains(z) { minimumZ = z } else { q.fail("min_z", "must be a number from 0 to 10, got \"\(text)\"") }
        }
        if let from, let to, from > to { q.fail("from", "must not be after to") }
        try q.finish()
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        guard try await store.survey(workspaceID: workspaceID, id: id) != nil else { throw Problem.notFound("no survey with id \(id) in this workspace") }
        let comments = try await store.comments(workspaceID: workspaceID, surveyID: id, from: from, to: to, limit: Self.maxComments)

        var detractorFeatures: [Set<String>] = [], promoterFeatures: [Set<String>] = []
        var detractorComments: [AdvocateStore.Comment] = [], promoterComments: [AdvocateStore.Comment] = []
        for comment in comments {
            switch Score(comment.score)?.category {
            case .detractor?: detractorFeatures.append(Tokenizer.features(of: comment.text)); detractorComments.append(comment)
            case .promoter?: promoterFeatures.append(Tokenizer.features(of: comment.text)); promoterComments.append(comment)
            default: break
            }
        }
        let analysis = DistinctiveTerms(detractors: DistinctiveTerms.counts(detractorFeatures), promoters: DistinctiveTerms.counts(promoterFeatures))
        func examples(_ term: String, _ features: [Set<String>], _ comments: [AdvocateStore.Comment]) -> JSONValue {
            .array(zip(features, comments).lazy.filter { $0.0.contains(term) }.prefix(3).map { _, c in
                .object(["response_id": .integer(c.responseID), "score": .integer(Int64(c.score)), "comment": .string(c.text)])
            })
        }
        func shape(_ t: DistinctiveTerms.Term, _ features: [Set<String>], _ comments: [AdvocateStore.Comment]) -> JSONValue {
            .object(["term": .string(t.term), "z": .double(t.z), "log_odds_ratio": .double(t.delta),
                     "detractor_comments": .integer(Int64(t.detractorCount)), "promoter_comments": .integer(Int64(t.promoterCount)),
                     "examples": examples(t.term, features, comments)])
        }
        return JSONResponse.make(.object([
            "survey_id": .integer(id), "from": .optional(from?.description), "to": .optional(to?.description),
            "detractor_comments": .integer(Int64(detractorComments.count)), "promoter_comments": .integer(Int64(promoterComments.count)),
            "min_z": .double(minimumZ),
            "detractor_terms": .array(analysis.detractorTerms(limit: limit, minimumZ: minimumZ).map { shape($0, detractorFeatures, detractorComments) }),
            "promoter_terms": .array(analysis.promoterTerms(limit: limit, minimumZ: minimumZ).map { shape($0, promoterFeatures, promoterComments) }),
        ]))
    }
}
