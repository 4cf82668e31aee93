import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import Testing

@Suite("Reports with several filters, quartiles and tenure agree with a brute-force count")
struct ReportFilterTests {
    static let plans = ["free", "starter", "pro"]
    static let countries = ["TR", "KZ", "DE", "US"]

    /// Random answers by contacts with plan, country, MRR and sign-up date, over channels and languages.
    static func seed(_ store: AdvocateStore, _ workspaceID: Int64, _ survey: Survey, seed: UInt64 = 7) async throws {
        var rng = SeededGenerator(seed: seed)
        let start = Timestamp(rfc3339: "2025-06-01T00:00:00Z")!
        var batch: [ResponseSubmission] = []
        for i in 0..<600 {
            let signedUp = CalendarDay(iso8601: "2023-01-01")!.advanced(by: Int.random(in: 0..<900, using: &rng))
            let contact = ContactInput(externalID: "c\(i % 300)", properties: [
                "plan": .string(plans.randomElement(using: &rng)!), "country": .string(countries.randomElement(using: &rng)!),
                "mrr": .integer(Int64(Int.random(in: 0...40, using: &rng) * 25)), "signed_up_at": .string(signedUp.description)])
            batch.append(ResponseSubmission(
                surveyID: survey.id, contact: Int.random(in: 0..<6, using: &rng) == 0 ? nil : contact, score: Score(Int.random(in: 0...10, using: &rng))!,
                createdAt: start.adding(milliseconds: Int64.random(in: 0..<(300 * Timestamp.millisecondsPerDay), using: &rng)),
                channel: [.api, .email, .link].randomElement(using: &rng)!, locale: ["tr", "en", "kk", nil].randomElement(using: &rng)!))
        }
        batch.sort { $0.createdAt!.milliseconds < $1.createdAt!.milliseconds }
        _ = try await store.record(workspaceID: workspaceID, batch, batch: true)
    }

    @Test("AND across names, OR within a name: score, distribution and breakdown equal a recount", arguments: TestBackend.available)
    func severalFilters(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await Self.seed(store, ws.id, survey)
            let responses = try await store.allResponses(ws.id)
            let from = CalendarDay(iso8601: "2025-08-01")!, to = CalendarDay(iso8601: "2026-02-28")!
            var filter = ReportFilter()
            for s in [("plan", "free"), ("plan", "pro"), ("channel", "email"), ("channel", "link"), ("locale", "tr")] {
                filter.add(ResponseSegment(dimension: s.0, value: s.1))
            }
            let kept = responses.filter { r in
                r.day >= from && r.day <= to && ["free", "pro"].contains(r.properties["plan"]?.segmentValue ?? "")
                    && [.email, .link].contains(r.channel) && r.locale == "tr"
            }
            #expect(kept.count > 20 && kept.count < responses.count / 4, "the filter selects a real subset")
            let report = try await store.report(survey: survey, from: from, to: to, interval: .month, by: "country", filter: filter)
            #expect(report.summary.tally == tally(kept))
            var distribution = [Int64](repeating: 0, count: 11)
            for r in kept { distribution[r.score.value] += 1 }
            #expect(report.distribution.counts == distribution)
            var byCountry: [String: Tally] = [:]
            for r in kept { byCountry[r.properties["country"]?.segmentValue ?? "", default: .empty].add(r.score) }
            #expect(Dictionary(uniqueKeysWithValues: (report.breakdown ?? []).map { ($0.value, $0.summary.tally) }) == byCountry.filter { !$0.key.isEmpty })
            #expect(report.trend.reduce(0) { $0 + $1.summary.tally.n } == kept.count)

            // One segment alone is read from the rollup; it must equal the same count from responses.
            let one = ReportFilter(ResponseSegment(dimension: "plan", value: "pro"))
            let fromRollup = try await store.report(survey: survey, from: from, to: to, interval: .week, by: nil, filter: one)
            let pro = responses.filter { $0.day >= from && $0.day <= to && $0.properties["plan"]?.segmentValue == "pro" }
            #expect(fromRollup.summary.tally == tally(pro))
            let withBreakdown = try await store.report(survey: survey, from: from, to: to, interval: .week, by: "channel", filter: one)
            #expect(withBreakdown.summary.tally == tally(pro) && withBreakdown.breakdown?.reduce(0) { $0 + $1.summary.tally.n } == pro.count)

            // A value nobody has: an empty report, not an error.
            let nobody = ReportFilter(ResponseSegment(dimension: "plan", value: "platinum"))
            #expect(try await store.report(survey: survey, from: nil, to: nil, interval: .month, by: "plan", filter: nobody).summary.tally.n == 0)
        }
    }

    @Test("tenure from signed_up_at and MRR by quartile: the rollup and the responses give the same groups", arguments: TestBackend.available)
    func tenureAndQuartiles(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await Self.seed(store, ws.id, survey)
            let responses = try await store.allResponses(ws.id)
            let tenure = try await store.report(survey: survey, from: nil, to: nil, interval: .month, by: "tenure")
            var expected: [String: Tally] = [:]
            for r in responses {
                let label = r.properties["signed_up_at"]?.segmentValue.flatMap(TenureBucket.signUpDay)
                    .flatMap { TenureBucket(signedUp: $0, answered: r.day) }?.label ?? (r.properties["signed_up_at"] == nil ? nil : ReportBuilder.unknown)
                if let label { expected[label, default: .empty].add(r.score) }
            }
            #expect(Dictionary(uniqueKeysWithValues: (tenure.breakdown ?? []).map { ($0.value, $0.summary.tally) }) == expected)
            #expect(tenure.breakdownGrouped && expected.count >= 3)
            let order = TenureBucket.allCases.map(\.label) + [ReportBuilder.unknown]
            let shown = (tenure.breakdown ?? []).map(\.value)
            #expect(shown == order.filter(shown.contains), "tenure groups in their own order")

            let mrr = try await store.report(survey: survey, from: nil, to: nil, interval: .month, by: "mrr")
            #expect(mrr.breakdown?.count == 4 && mrr.breakdown?.first?.value.hasPrefix("Q1 (0 to ") == true)
            #expect(mrr.breakdown?.reduce(0) { $0 + $1.summary.tally.n } == responses.filter { $0.properties["mrr"] != nil }.count)
            // The same through the responses (a filter every answer passes: all three channels).
            var all = ReportFilter()
            for c in ["api", "email", "link"] { all.add(ResponseSegment(dimension: "channel", value: c)) }
            let counted = try await store.report(survey: survey, from: nil, to: nil, interval: .month, by: "mrr", filter: all)
            #expect(counted.breakdown == mrr.breakdown)
            let countedTenure = try await store.report(survey: survey, from: nil, to: nil, interval: .month, by: "tenure", filter: all)
            #expect(countedTenure.breakdown == tenure.breakdown)
        }
    }

    @Test("churn by category reads each contact's churned_at; another workspace's contacts never count", arguments: TestBackend.available)
    func churnData(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let other = try await store.makeWorkspace("globex")
            let survey = try await store.makeSurvey(ws.id)
            let theirs = try await store.makeSurvey(other.id)
            try await store.answer(ws.id, survey: survey.id, contact: "a", score: 2, contactProperties: ["churned_at": .string("2026-03-01"), "mrr": .integer(40)], at: "2026-01-10T00:00:00Z")
            try await store.answer(ws.id, survey: survey.id, contact: "b", score: 10, contactProperties: ["mrr": .integer(100), "signed_up_at": .string("2025-01-01")], at: "2026-01-10T00:00:00Z")
            try await store.answer(ws.id, survey: survey.id, score: 0, at: "2026-01-10T00:00:00Z") // anonymous: no contact, no outcome
            try await store.answer(other.id, survey: theirs.id, contact: "a", score: 0, contactProperties: ["churned_at": .string("2026-02-01")], at: "2026-01-10T00:00:00Z")
            let answers = try await store.answeredContacts(workspaceID: ws.id, surveyID: survey.id)
            #expect(answers.count == 2)
            #expect(answers.first { $0.category == .detractor }?.churnedAt == Timestamp(rfc3339: "2026-03-01T00:00:00Z"))
            #expect(answers.first { $0.category == .promoter }?.churnedAt == nil)
            let records = try await store.customerRecords(workspaceID: ws.id)
            #expect(Set(records.map(\.monthlyRevenue)) == [40, 100])
        }
    }
}
