import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import Testing

@Suite("Reports agree with a brute-force count")
struct ReportCorrectnessTests {
    /// Random answers (new, same-round updates, late ones, anonymous), random properties, some
    /// erasures and a time-zone change: after each stage, every day and every segment of the
    /// rollup must equal a recount of the responses themselves.
    @Test("rollups equal a recount of responses on random data", arguments: TestBackend.available)
    func rollupMatchesRecount(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            var rng = SeededGenerator(seed: 2026)
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id, zone: "Asia/Almaty", roundDays: 30)
            let plans = ["free", "paid", "enterprise"]
            let start = Timestamp(rfc3339: "2026-05-01T00:00:00Z")!
            for _ in 0..<20 {
                var batch: [ResponseSubmission] = []
                for _ in 0..<60 {
                    let anonymous = Int.random(in: 0..<5, using: &rng) == 0
                    let contact = anonymous ? nil : ContactInput(externalID: "c\(Int.random(in: 0..<80, using: &rng))",
                                                                 properties: ["plan": .string(plans.randomElement(using: &rng)!)])
                    batch.append(ResponseSubmission(
                        surveyID: survey.id, contact: contact, score: Score(Int.random(in: 0...10, using: &rng))!,
                        properties: Int.random(in: 0..<3, using: &rng) == 0 ? ["device": .string(Bool.random(using: &rng) ? "ios" : "web")] : [:],
                        createdAt: start.adding(milliseconds: Int64.random(in: 0..<(180 * Timestamp.millisecondsPerDay), using: &rng)),
                        channel: Bool.random(using: &rng) ? .api : .email, locale: ["tr", "kk", "ar", nil].randomElement(using: &rng)!))
                }
                _ = try await store.record(workspaceID: ws.id, batch, batch: true)
            }
            try await expectRollupMatches(store, ws.id, survey)

            for i in 0..<10 { _ = try await store.eraseContact(workspaceID: ws.id, externalID: "c\(i)") }
            try await expectRollupMatches(store, ws.id, survey)

            let moved = try #require(try await store.updateSurvey(workspaceID: ws.id, id: survey.id,
                                                                  SurveyInput(timeZone: SurveyTimeZone(validated: "America/Los_Angeles"))))
            try await expectRollupMatches(store, ws.id, moved)
        }
    }

    func expectRollupMatches(_ store: AdvocateStore, _ workspaceID: Int64, _ survey: Survey) async throws {
        let responses = try await store.allResponses(workspaceID)
        #expect(!responses.isEmpty)
        for r in responses { #expect(r.day == survey.timeZone.day(containing: r.createdAt)) }

        var expectedByDay: [CalendarDay: Tally] = [:]
        for r in responses { expectedByDay[r.day, default: .empty].add(r.score) }
        var actualByDay: [CalendarDay: Tally] = [:]
        for row in try await store.dailyCounts(surveyID: survey.id, dimension: ReportDimension.overall, from: nil, to: nil) where !row.counts.isZero {
            actualByDay[row.day, default: .empty].merge(row.counts.tally)
        }
        #expect(actualByDay == expectedByDay)

        for (dimension, value) in [("plan", { (r: Response) in r.properties["plan"]?.segmentValue }),
                                   ("device", { (r: Response) in r.properties["device"]?.segmentValue }),
                                   (ReportDimension.channel, { (r: Response) in r.channel.rawValue }),
                                   (ReportDimension.locale, { (r: Response) in r.locale })] {
            var expected: [String: Tally] = [:]
            for r in responses { if let v = value(r) { expected[v, default: .empty].add(r.score) } }
            var actual: [String: Tally] = [:]
            for row in try await store.dailyCounts(surveyID: survey.id, dimension: dimension, from: nil, to: nil) where !row.counts.isZero {
                actual[row.segment ?? "", default: .empty].merge(row.counts.tally)
            }
            #expect(actual == expected, "dimension \(dimension)")
            var totals: [String: Tally] = [:]
            for row in try await store.segmentTotals(surveyID: survey.id, dimension: dimension, from: nil, to: nil) where !row.counts.isZero {
                #expect(totals[row.segment ?? ""] == nil, "one row per segment")
                totals[row.segment ?? "", default: .empty].merge(row.counts.tally)
            }
            #expect(totals == expected, "segment totals of \(dimension)")
        }

        // A day range returns exactly the days inside it.
        let days = expectedByDay.keys.sorted()
        let from = days[days.count / 3], to = days[2 * days.count / 3]
        let ranged = try await store.dailyCounts(surveyID: survey.id, dimension: ReportDimension.overall, from: from, to: to)
        #expect(ranged.allSatisfy { $0.day >= from && $0.day <= to })
        #expect(ranged.reduce(Int64(0)) { $0 + $1.counts.total } == Int64(responses.filter { $0.day >= from && $0.day <= to }.count))
    }

    @Test("two writers on one PostgreSQL database never duplicate a contact's response in a round")
    func twoWritersOnePostgres() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let db = try await TestDatabase.make(.postgres)
        let clock = ManualClock(Timestamp(rfc3339: "2026-11-22T09:00:00Z")!)
        let a = try await db.openStore(clock: clock)
        let b = try await db.openStore(clock: clock)
        let ws = try await a.makeWorkspace()
        let survey = try await a.makeSurvey(ws.id)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, store) in [a, b].enumerated() {
                group.addTask {
                    var rng = SeededGenerator(seed: UInt64(n))
                    for round in 0..<30 {
                        let batch = (0..<20).map { i in
                            ResponseSubmission(surveyID: survey.id, contact: ContactInput(externalID: "p\(Int.random(in: 0..<50, using: &rng))"),
                                               score: Score(Int.random(in: 0...10, using: &rng))!,
                                               createdAt: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!.adding(milliseconds: Int64(round * 100 + i)))
                        }
                        _ = try await store.record(workspaceID: ws.id, batch, batch: true)
                    }
                }
            }
            try await group.waitForAll()
        }
        let responses = try await a.allResponses(ws.id)
        #expect(responses.count == Set(responses.compactMap(\.contactID)).count)
        #expect(responses.count <= 50)
        #expect(try await b.rollupTally(survey.id) == tally(responses))
        await a.close()
        await b.close()
    }
}
