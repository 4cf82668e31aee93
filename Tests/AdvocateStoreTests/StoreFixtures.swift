import AdvocateCore
import AdvocateStore
import NPS

/// Small builders that keep the tests about behaviour, not setup.
extension AdvocateStore {
    func makeWorkspace(_ slug: String = "acme") async throws -> Workspace {
        try await ensureWorkspace(slug: slug).workspace
    }

    func makeSurvey(_ workspaceID: Int64, zone: String = "UTC", roundDays: Int = 90) async throws -> Survey {
        try await createSurvey(workspaceID: workspaceID, SurveyInput(name: "Relationship", productName: "Acme",
                                                                      timeZone: SurveyTimeZone(validated: zone)!, roundDays: roundDays))
    }

    /// Records one answer and returns its outcome.
    @discardableResult
    func answer(_ workspaceID: Int64, survey: Int64, contact: String? = nil, email: String? = nil, score: Int, comment: String? = nil,
                properties: Properties = [:], contactProperties: Properties? = nil, at: String? = nil) async throws -> IngestOutcome {
        let c: ContactInput? = (contact != nil || email != nil) ? ContactInput(externalID: contact, email: email, properties: contactProperties) : nil
        let s = ResponseSubmission(surveyID: survey, contact: c, score: Score(score)!, comment: comment, properties: properties,
                                   createdAt: at.map { Timestamp(rfc3339: $0)! })
        return try await record(workspaceID: workspaceID, [s], batch: false)[0]
    }

    /// Every counted response of a workspace, oldest first.
    func allResponses(_ workspaceID: Int64, filter: ResponseFilter = ResponseFilter()) async throws -> [Response] {
        var result: [Response] = []
        var cursor: Int64?
        repeat {
            let page = try await responses(workspaceID: workspaceID, filter: filter, before: cursor, limit: 500)
            result += page.items
            cursor = page.nextCursor.flatMap(Cursor.decode)
        } while cursor != nil
        return result.reversed()
    }

    /// The survey's tally according to the rollup.
    func rollupTally(_ surveyID: Int64, dimension: String = ReportDimension.overall, segment: String? = nil) async throws -> Tally {
        var counts = ScoreCounts()
        for row in try await dailyCounts(surveyID: surveyID, dimension: dimension, from: nil, to: nil) where segment == nil || row.segment == segment {
            counts.merge(row.counts)
        }
        return counts.tally
    }
}

func tally(_ responses: [Response]) -> Tally {
    var t = Tally.empty
    for r in responses { t.add(r.score) }
    return t
}
