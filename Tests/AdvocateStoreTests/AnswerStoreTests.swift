import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import SQLKit
import Testing

@Suite("Respondents' answers in the store")
struct AnswerStoreTests {
    /// A contact, an invitation to the survey and the invitation.
    func invitation(_ store: AdvocateStore, _ ws: Int64, _ survey: Int64, _ id: String) async throws -> Invitation {
        _ = try await store.upsertContact(workspaceID: ws, ContactInput(externalID: id, email: "\(id)@example.com", properties: ["plan": .string("pro")]))
        switch try await store.createContactLink(workspaceID: ws, surveyID: survey, externalID: id, channel: .link, tokenHash: "hash-\(id)") {
        case .success(let (invitation, _)): return invitation
        case .failure(let refusal): throw refusal
        }
    }

    func report(_ store: AdvocateStore, _ survey: Survey) async throws -> Tally {
        try await store.report(survey: survey, from: nil, to: nil, interval: .week, by: "plan").summary.tally
    }

    @Test("many first answers to one invitation at once make one response, counted once in the report and its segments",
          arguments: TestBackend.available)
    func concurrentFirstAnswers(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let invitation = try await invitation(store, ws.id, survey.id, "ada")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for score in 0...10 {
                    group.addTask { _ = try await store.saveAnswer(AnswerChange(score: score), for: .invitation(invitation)) }
                }
                try await group.waitForAll()
            }
            let n = try await store.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM responses WHERE invitation_id = \(bind: invitation.id)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(n == 1)
            #expect(try await report(store, survey).n == 1)
            let byPlan = try await store.report(survey: survey, from: nil, to: nil, interval: .week, by: "plan").breakdown
            #expect(byPlan?.map(\.summary.tally.n) == [1])
        }
    }

    @Test("many first answers from one widget display at once (a double click) make one response", arguments: TestBackend.available)
    func concurrentWidgetAnswers(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            var settings = WidgetSettings()
            settings.enabled = true
            settings.surveyID = survey.id
            _ = try await store.saveWidgetSettings(workspaceID: ws.id, settings).get()
            let contact = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "u1")).contact
            let display = try await store.openWidgetDisplay(workspaceID: ws.id, contact: contact, event: nil, locale: "en", tokenHash: "display-1").get()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for score in 0...10 {
                    group.addTask { _ = try await store.saveAnswer(AnswerChange(score: score), for: .widget(display)) }
                }
                try await group.waitForAll()
            }
            let n = try await store.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM responses WHERE survey_id = \(bind: survey.id)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(n == 1)
            #expect(try await report(store, survey).n == 1)
        }
    }

    @Test("provisional and flagged answers are outside the report; counting, re-scoring and flagging keep the rollup exact",
          arguments: TestBackend.available)
    func rollupFollowsStatus(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let invitation = try await invitation(store, ws.id, survey.id, "bo")
            clock.advance(milliseconds: 3_600_000)
            let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
            let hit = try await store.recordScoreLinkHit(invitation: invitation, score: 3, method: "GET", userAgent: chrome)
            #expect(hit.signals.isEmpty && hit.answer?.status == .provisional)
            #expect(try await report(store, survey).n == 0)
            _ = try await store.saveAnswer(AnswerChange(), for: .invitation(invitation))
            #expect(try await report(store, survey).detractors == 1)
            _ = try await store.saveAnswer(AnswerChange(score: 10, comment: .some("Better now"), complete: true), for: .invitation(invitation))
            var tally = try await report(store, survey)
            #expect(tally.n == 1 && tally.promoters == 1 && tally.detractors == 0)
            // A scanner afterwards changes nothing.
            clock.advance(milliseconds: 60_000)
            let scan = try await store.recordScoreLinkHit(invitation: invitation, score: 0, method: "HEAD", userAgent: "curl/8")
            #expect(scan.signals == [.head, .userAgent] && scan.answer?.score == 10 && scan.answer?.status == .counted)
            _ = try await store.saveAnswer(AnswerChange(score: 0, human: false), for: .invitation(invitation))
            tally = try await report(store, survey)
            #expect(tally.n == 1 && tally.promoters == 1)
            #expect(try await store.answer(for: .invitation(invitation))?.comment == "Better now")
            let counts = try await store.scoreLinkHits(workspaceID: ws.id, surveyID: survey.id)
            #expect(counts.total == 2 && counts.discarded == 1)
        }
    }

    @Test("alert rules are evaluated for counted answers only: never a provisional one-click score or a flagged scanner hit",
          arguments: TestBackend.available)
    func alertsOnlyForCounted(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            _ = try await store.saveAlertRule(workspaceID: ws.id, surveyID: nil, name: "Everything", match: .all, conditions: [],
                                              actions: AlertActions(createCase: true), enabled: true)
            func evaluations() async throws -> Int {
                try await store.jobs(workspaceID: ws.id, state: nil, before: nil, limit: 1000).items.filter { $0.kind == alertEvaluationJobKind }.count
            }
            let bo = try await invitation(store, ws.id, survey.id, "bo")
            let cy = try await invitation(store, ws.id, survey.id, "cy")
            clock.advance(milliseconds: 3_600_000)
            let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
            #expect(try await store.recordScoreLinkHit(invitation: bo, score: 3, method: "GET", userAgent: chrome).answer?.status == .provisional)
            #expect(try await store.recordScoreLinkHit(invitation: cy, score: 0, method: "GET", userAgent: "Mimecast-LinkScanner/1.0").answer?.status == .flagged)
            #expect(try await evaluations() == 0)
            _ = try await store.saveAnswer(AnswerChange(), for: .invitation(bo)) // a person confirms: counted
            #expect(try await evaluations() == 1)
        }
    }

    @Test("a flagged hit stops no reminder and no throttle; a counted answer does", arguments: TestBackend.available)
    func flaggedHitsAreNoAnswer(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let invitation = try await invitation(store, ws.id, survey.id, "cy")
            _ = try await store.recordScoreLinkHit(invitation: invitation, score: 5, method: "GET", userAgent: "Mimecast-LinkScanner/1.0")
            #expect(try await store.answer(for: .invitation(invitation))?.status == .flagged)
            clock.advance(milliseconds: 1_000)
            // The link invitation itself counts for the throttle; a second survey is what a scanner hit must not block.
            let other = try await store.makeSurvey(ws.id)
            let options = InvitationOptions(sendAt: clock.now(), throttleDays: 0)
            let again = try await store.createInvitations(workspaceID: ws.id, surveyID: other.id, targets: [.externalID("cy")], options: options,
                                                          makeToken: { InvitationTokenPair(token: "t2", hash: "h2") })
            guard case .invited(let second, _)? = again?.first else { Issue.record("not invited"); return }
            var contexts = try await store.invitationSendContexts(ids: [invitation.id, second.id])
            #expect(contexts[invitation.id]?.answered == false)
            _ = try await store.saveAnswer(AnswerChange(score: 9), for: .invitation(invitation))
            contexts = try await store.invitationSendContexts(ids: [invitation.id])
            #expect(contexts[invitation.id]?.answered == true)
            #expect(try await store.invitation(workspaceID: ws.id, id: invitation.id)?.status == .answered)
        }
    }
}

@Suite("Campaign cadence in the store")
struct CampaignCadenceStoreTests {
    @Test("a rolling cadence spreads the first round over its period, then invites each contact again once the period has passed, and new contacts on the next day",
          arguments: TestBackend.available)
    func rolling(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            for i in 0..<30 { _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "c\(i)", email: "c\(i)@example.com")) }
            var definition = CampaignDefinition()
            definition.recurringDays = 30
            definition.spreadDays = 30
            definition.throttle = Throttle(days: 0)!
            definition.reminders = .none
            let campaign = try #require(try await store.createCampaign(workspaceID: ws.id, surveyID: survey.id, name: "Rolling", definition: definition))
            let tokens = TestTokens()
            _ = try await store.launchCampaign(workspaceID: ws.id, id: campaign.id, makeToken: tokens.make).get()
            func invitations() async throws -> [Invitation] {
                try await store.invitations(workspaceID: ws.id, surveyID: survey.id, before: nil, limit: 1000).items
            }
            let first = try await invitations()
            #expect(first.count == 30)
            #expect(Set(first.map { $0.sendAt.milliseconds / 86_400_000 }).count > 10) // spread over the month
            let jobs = try await store.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = \(bind: campaignCadenceJobKind) AND state = 'queued'").first()!.decode(column: "n", as: Int.self)
            }
            #expect(jobs == 1)

            // Next day: nobody is due yet (all were invited within the period); a new contact is.
            clock.advance(milliseconds: 86_400_000)
            _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "new", email: "new@example.com"))
            #expect(try await store.runCampaignCadence(campaignID: campaign.id, makeToken: tokens.make))
            #expect(try await invitations().count == 31)
            // A retried run does not start a second chain.
            #expect(try await store.runCampaignCadence(campaignID: campaign.id, makeToken: tokens.make))
            let chains = try await store.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = \(bind: campaignCadenceJobKind) AND state = 'queued'").first()!.decode(column: "n", as: Int.self)
            }
            #expect(chains == 1) // the launch's next run is still queued: runs called directly add none
            // 31 days later every early contact is due again, exactly once each.
            clock.advance(milliseconds: 31 * 86_400_000)
            _ = try await store.runCampaignCadence(campaignID: campaign.id, makeToken: tokens.make)
            let all = try await invitations()
            let perContact = Dictionary(grouping: all, by: \.contactID).mapValues(\.count)
            #expect(perContact.values.allSatisfy { $0 <= 2 })
            #expect(all.count > 31)
            // Cancelled: the cadence stops.
            _ = try await store.cancelCampaign(workspaceID: ws.id, id: campaign.id)
            #expect(try await store.runCampaignCadence(campaignID: campaign.id, makeToken: tokens.make) == false)
        }
    }
}
