import AdvocateCore
@testable import AdvocateStore
import AdvocateTestSupport
import NPS
import SQLKit
import Testing

/// The key-driver and funnel rollups (kept by triggers) against the exact computations the report
/// used before them, after every kind of write that can change what they count.
@Suite("Key-driver and funnel rollups agree with a recount")
struct DriverFunnelRollupTests {
    @Test("drivers and funnel from the rollups equal the recount after answers, edits, tagging, re-tagging, hand decisions, erasure and invitation events",
          arguments: TestBackend.available)
    func rollupsMatchRecount(backend: TestBackend) async throws {
        try await withTestStore(backend, clock: ManualClock(Timestamp(rfc3339: "2026-11-30T09:00:00Z")!)) { store, _ in
            let (ws, surveys) = try await Self.loadDemo(store, answers: 900)
            try await Self.expectAgreement(store, ws, surveys, "after the demo load")
            // The dimensions a report offers, found by one seek each, are those of the rollup.
            for survey in surveys {
                let distinct = try await store.database.read { sql in
                    try await sql.raw("SELECT DISTINCT dimension FROM nps_rollups WHERE survey_id = \(bind: survey.id) AND dimension <> ''").all()
                        .map { try $0.decode(column: "dimension", as: String.self) }
                }
                let dimensions = try await store.reportDimensions(surveyID: survey.id)
                #expect(dimensions == distinct.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }.sorted() && dimensions.contains("plan"))
            }
            var rng = SeededGenerator(seed: 14)
            let answers = try await store.allResponses(ws)
            #expect(answers.contains { $0.comment != nil })

            // Edits: scores across categories, comments added, changed and removed.
            for r in answers.shuffled(using: &rng).prefix(60) {
                let comment: String?? = switch Int.random(in: 0..<3, using: &rng) {
                case 0: .some(nil)
                case 1: .some("The support team was slow and the price too high")
                default: nil
                }
                _ = try await store.updateResponse(workspaceID: ws, id: r.id, score: Score(Int.random(in: 0...10, using: &rng)), comment: comment, properties: nil)
            }
            try await Self.expectAgreement(store, ws, surveys, "after edits")

            // A person's decisions: themes added and removed by hand.
            let themes = try await store.themes(workspaceID: ws)
            #expect(themes.count >= 4)
            for r in try await store.allResponses(ws).filter({ $0.comment != nil }).shuffled(using: &rng).prefix(40) {
                _ = try await store.decideTheme(workspaceID: ws, responseID: r.id, themeID: themes.randomElement(using: &rng)!.id,
                                                applied: Bool.random(using: &rng), by: "ada@example.com")
            }
            try await Self.expectAgreement(store, ws, surveys, "after hand decisions")

            // Contacts change plan (a filtered funnel reads the contact's properties as they are now).
            for r in try await store.allResponses(ws).compactMap(\.contactID).shuffled(using: &rng).prefix(30) {
                let contact = try #require(try await store.contact(workspaceID: ws, id: r))
                var properties = contact.properties
                properties["plan"] = .string(Bool.random(using: &rng) ? "pro" : "free")
                _ = try await store.upsertContact(workspaceID: ws, ContactInput(externalID: contact.externalID, email: contact.email, properties: properties))
            }
            try await Self.expectAgreement(store, ws, surveys, "after contacts changed")

            // A rule change re-tags every old comment in the background.
            let rule = try ThemeRule.make(text: "slow", language: nil, field: "").get()
            _ = try await store.addThemeRule(workspaceID: ws, id: themes[0].id, rule: rule).get()
            if let retag = try await store.latestRetag(workspaceID: ws) { while try await store.continueRetag(id: retag.id) {} }
            try await Self.expectAgreement(store, ws, surveys, "after re-tagging")

            #expect(try await store.deleteTheme(workspaceID: ws, id: themes[1].id))
            try await Self.expectAgreement(store, ws, surveys, "after deleting a theme")

            // Erasure deletes a contact's answers and invitations (either may go first).
            let erased = Set(try await store.allResponses(ws).compactMap(\.contactID).shuffled(using: &rng).prefix(25))
            for id in erased { #expect(try await store.eraseContact(workspaceID: ws, id: id)) }
            try await Self.expectAgreement(store, ws, surveys, "after erasure")

            // E-mail events and an invitation deleted under its answer.
            try await store.database.write { sql in
                try await sql.raw("UPDATE invitations SET opened_at = created_at + 60000 WHERE opened_at IS NULL AND id % 3 = 0").run()
                try await sql.raw("UPDATE invitations SET status = 'bounced' WHERE id % 7 = 0").run()
                try await sql.raw("UPDATE invitations SET clicked_at = NULL WHERE id % 5 = 0").run()
                try await sql.raw("DELETE FROM invitations WHERE id % 11 = 0").run()
                try await sql.raw("UPDATE responses SET status = 'flagged' WHERE id % 13 = 0").run()
            }
            try await Self.expectAgreement(store, ws, surveys, "after invitation events")

            // A time-zone change moves every answer to its new local day.
            let moved = try #require(try await store.updateSurvey(workspaceID: ws, id: surveys[0].id,
                                                                  SurveyInput(timeZone: SurveyTimeZone(validated: "Asia/Kolkata"))))
            try await Self.expectAgreement(store, ws, [moved] + surveys.dropFirst(), "after a time-zone change")
        }
    }

    @Test("two workspaces with the same demo people: each one's filtered drivers and funnel from the columns equal its own rows",
          arguments: TestBackend.available)
    func workspacesApart(backend: TestBackend) async throws {
        try await withTestStore(backend, clock: ManualClock(Timestamp(rfc3339: "2026-11-30T09:00:00Z")!)) { store, _ in
            let (a, aSurveys) = try await Self.loadDemo(store, answers: 400)
            let (b, bSurveys) = try await Self.loadDemo(store, answers: 900, workspace: "globex")
            try await Self.expectAgreement(store, a, aSurveys, "workspace a")
            try await Self.expectAgreement(store, b, bSurveys, "workspace b")
            // Workspace a's funnel counts only its own invitations, whatever b holds.
            let total = try await store.funnelFromColumns(surveyID: aSurveys[0].id, from: nil, to: nil,
                                                          filter: ReportFilter(ResponseSegment(dimension: "channel", value: "email")))
            let own = try await store.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM invitations WHERE survey_id = \(bind: aSurveys[0].id) AND channel = 'email'").first()!
                    .decode(column: "n", as: Int.self)
            }
            #expect(total?.invited == own && own > 0)
        }
    }

    @Test("a funnel bound off a quarter hour is not read from the rollup", arguments: TestBackend.available)
    func unalignedBoundsFallBack(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let day = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
            #expect(try await store.funnelRollup(surveyID: survey.id, from: day, to: day.adding(milliseconds: Timestamp.millisecondsPerDay)) != nil)
            #expect(try await store.funnelRollup(surveyID: survey.id, from: day.adding(milliseconds: 1), to: nil) == nil)
            #expect(try await store.funnelRollup(surveyID: survey.id, from: nil, to: day.adding(milliseconds: 60_000)) == nil)
        }
    }

    @Test("invitations as columns: a day replaced whole, slots as bounds, channel, language and contact filters")
    func funnelColumns() {
        var columns = FunnelColumns()
        let day = FunnelColumns.slotsPerDay * 20_000
        let rows = [
            columns.invitation(slot: day, contactID: 1, channel: "email", locale: "de", status: "sent", messagesSent: 1, opened: true, clicked: true,
                               score: Score(10), commented: true),
            columns.invitation(slot: day + 95, contactID: 2, channel: "email", locale: nil, status: "bounced", messagesSent: 0, opened: false, clicked: false,
                               score: nil, commented: false),
            columns.invitation(slot: day + 50, contactID: 1, channel: "carrier-pigeon", locale: "de", status: "sent", messagesSent: 2, opened: false,
                               clicked: false, score: Score(3), commented: false),
        ]
        columns.replace(day: 20_000, with: rows)
        let all = columns.funnel(from: nil, to: nil, channels: nil, locales: nil) { _ in true }
        #expect([all.invited, all.sent, all.bounced, all.opened, all.clicked, all.answered, all.commented] == [3, 3, 1, 1, 1, 2, 1])
        #expect(all.tally == Tally(promoters: 1, passives: 0, detractors: 1))
        #expect(columns.dailyFunnels(from: nil, to: nil) == [20_000: all])
        #expect(columns.funnel(from: day + 1, to: day + 95, channels: nil, locales: nil) { _ in true }.invited == 1, "the bound's slots")
        #expect(columns.funnel(from: nil, to: nil, channels: ["api"], locales: nil) { _ in true }.invited == 1, "an unknown channel is api")
        #expect(columns.funnel(from: nil, to: nil, channels: nil, locales: ["de"]) { $0 == 1 }.invited == 2)
        #expect(columns.funnel(from: nil, to: nil, channels: ["email"], locales: ["de"]) { $0 == 2 }.invited == 0)
        columns.replace(day: 20_000, with: [])
        #expect(columns.dailyFunnels(from: nil, to: nil).isEmpty)
    }

    /// The demo's answers (tagged with the starter themes as they arrive) and invitations, as `advocate demo` loads them.
    static func loadDemo(_ store: AdvocateStore, answers: Int, workspace: String = "acme") async throws -> (Int64, [Survey]) {
        let ws = try await store.makeWorkspace(workspace).id
        _ = try await store.installStarterThemes(workspaceID: ws)
        var keywords: [String: [String: [String]]] = [:]
        for theme in StarterThemes.all {
            for rule in theme.rules { keywords[theme.name, default: [:]][rule.language ?? "en", default: []].append(rule.text) }
        }
        var surveys: [Survey] = []
        for spec in DemoDataset.surveys {
            surveys.append(try await store.createSurvey(workspaceID: ws, SurveyInput(name: spec.name, productName: spec.productName)))
        }
        let data = DemoDataset(responses: answers, seed: 3, now: store.clock.now(), keywords: keywords)
        let batch = data.answers.map { a -> ResponseSubmission in
            let c = data.contacts[a.contact]
            var s = ResponseSubmission(surveyID: surveys[a.survey].id,
                                       contact: ContactInput(externalID: c.externalID, email: c.email, name: c.name, locale: c.locale, properties: c.properties),
                                       score: a.score, comment: a.comment, properties: a.properties, createdAt: a.createdAt, channel: a.channel, locale: a.locale)
            s.sourceID = a.sourceID
            return s
        }
        _ = try await store.record(workspaceID: ws, batch, batch: true)
        try await store.loadDemoInvitations(workspaceID: ws, data.invitations, surveyIDs: surveys.map(\.id), contacts: data.contacts)
        return (ws, surveys)
    }

    /// For each survey, over all time and over a window of days: the rollup's drivers and
    /// commenters equal `KeyDrivers.analyse` of every comment with its themes, and the rollup's
    /// funnel equals the count over the invitations.
    static func expectAgreement(_ store: AdvocateStore, _ ws: Int64, _ surveys: [Survey], _ stage: String) async throws {
        var sawDrivers = false, sawFunnel = false, columnsUsed = 0, funnelColumnsUsed = 0
        for survey in surveys {
            let today = survey.timeZone.day(containing: store.clock.now())
            for (from, to) in [(CalendarDay?.none, CalendarDay?.none), (today.advanced(by: -400), today.advanced(by: -100))] {
                var filter = ReportFilter()
                for s in [("plan", "pro"), ("plan", "enterprise"), ("channel", "email")] { filter.add(ResponseSegment(dimension: s.0, value: s.1)) }
                let comments = try await store.themedComments(workspaceID: ws, surveyID: survey.id, from: from, to: to, filter: ReportFilter(), limit: 1_000_000)
                var commenters = Tally.empty
                for c in comments { commenters.add(c.score) }
                let rolled = try await store.driverRollup(surveyID: survey.id, from: from, to: to)
                #expect(rolled.commenters == commenters, "\(stage), survey \(survey.id), \(String(describing: from))")
                #expect(rolled.drivers == KeyDrivers.analyse(comments.map { ThemedResponse(score: $0.score, themes: $0.themes) }),
                        "\(stage), survey \(survey.id), \(String(describing: from))")
                sawDrivers = sawDrivers || !rolled.drivers.isEmpty

                // Filtered: the answer columns' commenters (the newest `limit`) equal those read.
                for limit in [1_000_000, 25] {
                    let read = try await store.themedComments(workspaceID: ws, surveyID: survey.id, from: from, to: to, filter: filter, limit: limit)
                    guard let columns = try await store.commenterColumns(surveyID: survey.id, from: from, to: to) else { continue }
                    columnsUsed += 1
                    let counted = columns.commenters(conditions: filter.storedConditions, from: from?.daysSinceEpoch, to: to?.daysSinceEpoch, limit: limit)
                    var readTally = Tally.empty
                    for c in read { readTally.add(c.score) }
                    #expect(counted.all == readTally, "\(stage), survey \(survey.id), \(String(describing: from)), limit \(limit)")
                    #expect(KeyDrivers.drivers(commenters: counted.all, mentioning: counted.mentioning)
                            == KeyDrivers.analyse(read.map { ThemedResponse(score: $0.score, themes: $0.themes) }),
                            "\(stage), survey \(survey.id), \(String(describing: from)), limit \(limit)")
                }

                let start = from.map { $0.start(in: survey.timeZone) }, end = to.map { $0.advanced(by: 1).start(in: survey.timeZone) }
                let exact = try await store.surveyFunnel(surveyID: survey.id, from: start, to: end)
                let funnel = try #require(try await store.funnelRollup(surveyID: survey.id, from: start, to: end))
                #expect(funnel == exact, "\(stage), survey \(survey.id), \(String(describing: from))")
                sawFunnel = sawFunnel || exact.answered > 0

                // Filtered: the funnel of the invitations and contacts held as columns equals the one read.
                let read = try await store.funnelFromRows(surveyID: survey.id, from: start, to: end, filter: filter)
                if let held = try await store.funnelFromColumns(surveyID: survey.id, from: start, to: end, filter: filter) {
                    funnelColumnsUsed += 1
                    #expect(held == read, "\(stage), survey \(survey.id), \(String(describing: from))")
                }
            }
        }
        #expect(sawDrivers && sawFunnel, "\(stage): the data exercises both rollups")
        // Only a raw write behind the rollup's back (the invitation events' stage) may leave the columns unusable.
        #expect(columnsUsed > 0 || stage == "after invitation events", "\(stage): the answer columns were checked")
        #expect(funnelColumnsUsed == 2 * surveys.count, "\(stage): the funnel columns answered every time")
    }
}
