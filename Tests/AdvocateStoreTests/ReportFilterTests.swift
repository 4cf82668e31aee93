import AdvocateCore
@testable import AdvocateStore
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

    @Test("read ahead at start: the large surveys' answers, invitations and contacts are held, the small ones' are not; a held report is the recount; a deleted survey's columns go",
          arguments: TestBackend.available)
    func warmAndForget(backend: TestBackend) async throws {
        try await withTestStore(backend, clock: ManualClock(Timestamp(rfc3339: "2026-11-30T09:00:00Z")!)) { store, _ in
            let (ws, surveys) = try await DriverFunnelRollupTests.loadDemo(store, answers: 900)
            let responses = try await store.allResponses(ws)
            let counts = Dictionary(grouping: responses, by: \.surveyID).mapValues(\.count)
            let bySize = surveys.sorted { (counts[$0.id] ?? 0, $1.id) > (counts[$1.id] ?? 0, $0.id) }
            let (large, small) = (bySize[0], bySize[bySize.count - 1])
            let threshold = Int64(counts[large.id]!)
            #expect(counts[small.id] ?? 0 < counts[large.id]!)

            #expect(try await store.warmReportColumns(minimumAnswers: threshold) == [large.id])
            #expect(store.database.answerColumns.entry(large.id)?.columns.count == counts[large.id])
            #expect(store.database.funnelColumns.entry(large.id) != nil, "the demo invites")
            #expect(store.database.contactColumns.entry(ws) != nil)
            #expect(store.database.answerColumns.entry(small.id) == nil, "fewer answers than asked")
            #expect(store.database.funnelColumns.entry(small.id) == nil)

            let plan = try #require(responses.first { $0.surveyID == large.id && $0.properties["plan"] != nil }?.properties["plan"]?.segmentValue)
            var filter = ReportFilter()
            filter.add(ResponseSegment(dimension: "plan", value: plan))
            filter.add(ResponseSegment(dimension: "channel", value: "email"))
            let kept = responses.filter { $0.surveyID == large.id && $0.properties["plan"]?.segmentValue == plan && $0.channel == .email }
            #expect(try await store.report(survey: large, from: nil, to: nil, interval: .month, by: nil, filter: filter).summary.tally == tally(kept))

            #expect(try await store.deleteSurvey(workspaceID: ws, id: large.id))
            #expect(store.database.answerColumns.entry(large.id) == nil)
            #expect(store.database.funnelColumns.entry(large.id) == nil)
            #expect(try await store.warmReportColumns(minimumAnswers: threshold) == [])
        }
    }

    @Test("a filtered report follows new, changed and erased answers after it was first asked", arguments: TestBackend.available)
    func followsChanges(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await Self.seed(store, ws.id, survey)
            var filter = ReportFilter()
            for s in [("plan", "free"), ("plan", "pro"), ("country", "DE"), ("country", "TR")] { filter.add(ResponseSegment(dimension: s.0, value: s.1)) }
            func expectRecount(_ step: String) async throws {
                let responses = try await store.allResponses(ws.id)
                let kept = responses.filter { ["free", "pro"].contains($0.properties["plan"]?.segmentValue ?? "") && ["DE", "TR"].contains($0.properties["country"]?.segmentValue ?? "") }
                let report = try await store.report(survey: survey, from: nil, to: nil, interval: .month, by: "channel", filter: filter)
                #expect(report.summary.tally == tally(kept), "\(step)")
                var byChannel: [String: Tally] = [:]
                for r in kept { byChannel[r.channel.rawValue, default: .empty].add(r.score) }
                #expect(Dictionary(uniqueKeysWithValues: (report.breakdown ?? []).map { ($0.value, $0.summary.tally) }) == byChannel, "\(step)")
            }
            try await expectRecount("first asked")
            // New answers, one in the filter.
            try await store.answer(ws.id, survey: survey.id, contact: "new", score: 3, contactProperties: ["plan": .string("pro"), "country": .string("DE")],
                                   at: "2025-07-01T10:00:00Z")
            try await expectRecount("after a new answer")
            // A property changed on an answer, at the same instant as the last change (the clock stands still).
            let target = try await store.allResponses(ws.id).first { $0.properties["plan"]?.segmentValue == "starter" && $0.properties["country"]?.segmentValue == "DE" }!
            _ = try await store.updateResponse(workspaceID: ws.id, id: target.id, score: Score(10), comment: nil, properties: ["plan": .string("free")])
            try await expectRecount("after a property changed")
            // Answers deleted with their person: no updated_at moves, the rollup tells.
            clock.advance(milliseconds: 1_000)
            #expect(try await store.erasePerson(workspaceID: ws.id, person: .externalID("c1")))
            try await expectRecount("after an erasure")
        }
    }

    @Test("answers as columns: AND across dimensions, OR within one, days, replaced and uncounted answers")
    func answerColumns() {
        var columns = AnswerColumns()
        columns.set(id: 1, day: 10, score: Score(9), channel: .email, locale: "de", properties: ["plan": .string("pro")])
        columns.set(id: 2, day: 11, score: Score(3), channel: .link, locale: "tr", properties: ["plan": .string("free"), "mrr": .integer(25)])
        columns.set(id: 3, day: 12, score: Score(10), channel: .email, locale: nil, properties: [:])
        let pro = columns.counts(conditions: ["plan": ["pro", "free"], ReportDimension.channel: ["email"]], from: nil, to: nil, by: nil)
        #expect(pro.overall.keys.sorted() == [10] && pro.overall[10]?.counts[9] == 1)
        #expect(columns.counts(conditions: ["plan": ["platinum"]], from: nil, to: nil, by: nil).overall.isEmpty)
        #expect(columns.counts(conditions: [:], from: 11, to: 12, by: nil).overall.keys.sorted() == [11, 12])
        let byMRR = columns.counts(conditions: [:], from: nil, to: nil, by: "mrr").bySegment
        #expect(byMRR == ["25": ScoreCounts([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])])
        // Answer 1 loses its plan and answer 2 stops counting.
        columns.set(id: 1, day: 10, score: Score(9), channel: .email, locale: "de", properties: [:])
        columns.set(id: 2, day: 11, score: nil, channel: .link, locale: "tr", properties: ["plan": .string("free")])
        #expect(columns.counts(conditions: ["plan": ["pro", "free"]], from: nil, to: nil, by: nil).overall.isEmpty)
        #expect(columns.counts(conditions: [:], from: nil, to: nil, by: nil).overall.keys.sorted() == [10, 12])
        #expect(columns.count == 3)
        #expect(columns.dailyTotals(from: nil, to: nil) == columns.counts(conditions: [:], from: nil, to: nil, by: nil).overall)
        #expect(columns.dailyTotals(from: 11, to: nil).keys.sorted() == [12], "answer 2 no longer counts")
        // Whether each passes, by id: a flat table while ids are dense.
        #expect(columns.matchesByID([ReportDimension.channel: ["email"]]) == [false, true, false, true])
        #expect(columns.matches([ReportDimension.channel: ["email"]]) == [true, false, true])
        columns.set(id: 50_000_000, day: 12, score: Score(1), channel: .email, locale: nil, properties: [:])
        #expect(columns.matchesByID([:]) == nil && columns.index(of: 50_000_000) == 3)
    }

    @Test("answers as columns: tenure groups from the sign-up dates, commenters and their themes, the newest first")
    func tenureAndCommenters() {
        var columns = AnswerColumns()
        let day = CalendarDay(iso8601: "2026-03-31")!.daysSinceEpoch
        // Sign-ups 2 months, exactly 3 months, 13 months before, a text, and one after the answer.
        for (id, signedUp) in ["2026-01-31", "2025-12-31", "2025-02-28", "soon", "2026-04-01"].enumerated() {
            columns.set(id: Int64(id + 1), day: day, score: Score(id * 2), commented: id != 2, channel: .email, locale: nil,
                        properties: ["signed_up_at": .string(signedUp)])
        }
        let tenure = columns.counts(conditions: [:], from: nil, to: nil, by: "signed_up_at", tenure: true).bySegment.mapValues(\.total)
        #expect(tenure == ["under 3 months": 1, "3 to 12 months": 1, "1 to 2 years": 1, ReportBuilder.unknown: 2])
        columns.setThemes(id: 1, themes: [7])
        columns.setThemes(id: 3, themes: [7, 8]) // no comment: not a commenter
        columns.setThemes(id: 5, themes: [8, 7, 8])
        let all = columns.commenters(conditions: [:], from: nil, to: nil, limit: 10)
        #expect(all.all == Tally(promoters: 0, passives: 1, detractors: 3))
        #expect(all.mentioning == [7: Tally(promoters: 0, passives: 1, detractors: 1), 8: Tally(promoters: 0, passives: 1, detractors: 0)])
        #expect(columns.commenters(conditions: [:], from: nil, to: nil, limit: 1).all == Tally(promoters: 0, passives: 1, detractors: 0), "the newest by id")
        let byDay = columns.commenterTallies(from: nil, to: nil)
        #expect(byDay[DayTheme(day: day, theme: 0)]?.n == 4 && byDay[DayTheme(day: day, theme: 7)]?.n == 2 && byDay[DayTheme(day: day, theme: 8)]?.n == 1)
        // A new answer replaces the themes held; an answer not held is ignored.
        columns.set(id: 5, day: day, score: Score(8), commented: true, channel: .email, locale: nil, properties: [:])
        columns.setThemes(id: 99, themes: [7])
        #expect(columns.commenters(conditions: [:], from: nil, to: nil, limit: 10).mentioning == [7: Tally(promoters: 0, passives: 0, detractors: 1)])
        #expect(columns.commenters(conditions: [:], from: day + 1, to: nil, limit: 10).all == .empty)
    }

    @Test("changed rows are read again from a minute before the last read only when the latest row read is that recent")
    func readCursor() {
        var held = HeldColumns()
        #expect(held.cursor.updatedAt == Int64.min && held.cursor.id == Int64.min, "nothing read: everything")
        held.read(updatedAt: 1_000, id: 5)
        held.read(updatedAt: 1_000, id: 3)
        held.read(updatedAt: 900, id: 9)
        held.readAt = 61_001
        #expect(held.cursor.updatedAt == 1_000 && held.cursor.id == 5, "every transaction that stamped it had committed: after the last row")
        held.readAt = 31_000
        #expect(held.cursor.updatedAt == -29_000 && held.cursor.id == Int64.min, "a transaction open then may commit rows stamped before it")
    }

    @Test("a property is narrowed in SQL by its stored text and decided exactly: case and longer numbers do not pass", arguments: TestBackend.available)
    func narrowedByStoredText(backend: TestBackend) async throws {
        #expect(ReportFilter.storedForms(name: "plan", value: "pro") == [#""plan":"pro""#])
        #expect(ReportFilter.storedForms(name: "mrr", value: "25") == [#""mrr":"25""#, #""mrr":25"#])
        #expect(ReportFilter.storedForms(name: "beta", value: "true") == [#""beta":"true""#, #""beta":true"#])
        #expect(ReportFilter.storedForms(name: "ratio", value: "0.5") == [#""ratio":"#], "a double's text may differ: the name alone")
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let people: [(String, Properties)] = [("a", ["plan": .string("pro"), "mrr": .integer(25)]), ("b", ["plan": .string("Pro"), "mrr": .integer(25)]),
                                                  ("c", ["plan": .string("pro"), "mrr": .integer(250)]), ("d", ["plan": .string("pro"), "mrr": .string("25")]),
                                                  ("e", ["note": .string(#""plan":"pro""#), "mrr": .integer(25)])]
            for (i, (contact, properties)) in people.enumerated() {
                try await store.answer(ws.id, survey: survey.id, contact: contact, score: i, comment: "comment \(contact)", contactProperties: properties,
                                       at: "2026-11-01T10:00:00Z")
            }
            var filter = ReportFilter()
            filter.add(ResponseSegment(dimension: "plan", value: "pro"))
            filter.add(ResponseSegment(dimension: "mrr", value: "25"))
            let comments = try await store.themedComments(workspaceID: ws.id, surveyID: survey.id, from: nil, to: nil, filter: filter, limit: 100)
            #expect(Set(comments.map(\.text)) == ["comment a", "comment d"])
        }
    }
}
