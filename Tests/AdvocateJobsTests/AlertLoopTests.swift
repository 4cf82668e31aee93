import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Mail
import MailTestSupport
import NPS
import Testing

/// A workspace with members who work cases, a survey, and a runner that evaluates alert rules.
struct AlertFixture {
    let store: AdvocateStore
    let clock: ManualClock
    let workspace: Workspace
    let survey: Survey
    let runner: JobRunner

    init(store: AdvocateStore, clock: ManualClock, handlers: [any JobHandler] = [], members: [(String, Role)] = []) async throws {
        self.store = store
        self.clock = clock
        workspace = try await store.ensureWorkspace(slug: "acme").workspace
        survey = try await store.createSurvey(workspaceID: workspace.id, SurveyInput(name: "Relationship", productName: "Acme Cloud"))
        for (email, role) in members { _ = try await store.addMember(workspaceID: workspace.id, email: email, name: nil, role: role) }
        runner = JobRunner(store: store, handlers: [AlertEvaluator(store: store)] + handlers, configuration: .init(owner: "test-runner"))
    }

    @discardableResult
    func rule(_ conditions: [AlertCondition], match: AlertMatch = .all, actions: AlertActions) async throws -> AlertRule {
        try await store.saveAlertRule(workspaceID: workspace.id, surveyID: nil, name: "Paid detractors", match: match, conditions: conditions,
                                      actions: actions, enabled: true)!
    }

    @discardableResult
    func answer(_ score: Int, contact: String = "u-1", comment: String? = "Too slow", properties: Properties = [:]) async throws -> IngestOutcome {
        try await store.record(workspaceID: workspace.id, [ResponseSubmission(
            surveyID: survey.id, contact: ContactInput(externalID: contact, email: "\(contact)@customer.test", name: "Ana", properties: properties),
            score: Score(score)!, comment: comment)], batch: false)[0]
    }

    func cases(_ filter: CaseFilter = CaseFilter()) async throws -> [FollowUpCase] {
        try await store.followUpCases(workspaceID: workspace.id, filter: filter, before: nil, limit: 1000).items
    }
}

@Suite("Alert rules fire once per response; cases are assigned fairly and fall overdue")
struct AlertRuleFiringTests {
    @Test("a rule fires exactly once per response, through retried jobs, updates and concurrent firings", arguments: TestBackend.available)
    func exactlyOnce(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let f = try await AlertFixture(store: store, clock: clock, members: [("owner@acme.test", .member)])
            let rule = try await f.rule([.category([.detractor])], actions: AlertActions(createCase: true, caseOwner: .user("owner@acme.test")))
            let other = try await f.rule([.comment(present: true)], actions: AlertActions(createCase: true, caseOwner: .user("owner@acme.test")))
            let webhook = try await store.createWebhook(workspaceID: f.workspace.id, url: "https://hooks.example.com/x",
                                                        events: [.caseCreated], secret: "whsec_x")
            let answered = try await f.answer(3)
            #expect(try await f.runner.runDue() >= 1)
            // The same answer again (a retry), a changed comment, a direct update: each queues an evaluation.
            try await f.answer(3, comment: "Still slow")
            _ = try await store.updateResponse(workspaceID: f.workspace.id, id: answered.id, score: Score(2)!, comment: nil, properties: nil)
            try await f.runner.runDue()
            let context = try #require(try await store.alertEvaluationContext(responseID: answered.id))
            #expect(context.rules.isEmpty, "both rules fired already")
            var again = context
            again.rules = [rule]
            #expect(try await store.fireAlert(rule, context: again) == nil, "fired already: nothing happens")
            let cases = try await f.cases()
            #expect(cases.count == 1, "one case per response, however many rules fire")
            #expect(cases.first?.ruleID == rule.id || cases.first?.ruleID == other.id)
            let deliveries = try await store.webhookDeliveries(workspaceID: f.workspace.id, webhookID: webhook.id, state: nil, before: nil, limit: 10).items
            #expect(deliveries.map(\.eventType) == [.caseCreated])

            // A response that does not match fires nothing until an update makes it match, then once.
            let promoter = try await f.answer(10, contact: "u-2", comment: nil)
            try await f.runner.runDue()
            #expect(try await f.cases().count == 1)
            _ = try await store.updateResponse(workspaceID: f.workspace.id, id: promoter.id, score: nil, comment: .some("Love it"), properties: nil)
            try await f.runner.runDue()
            _ = try await store.updateResponse(workspaceID: f.workspace.id, id: promoter.id, score: nil, comment: .some("Love it!"), properties: nil)
            try await f.runner.runDue()
            #expect(try await f.cases().filter { $0.responseID == promoter.id }.count == 1)

            // Eight concurrent firings of one rule for a new response: exactly one wins.
            let racing = try await f.answer(1, contact: "u-3")
            let fresh = try #require(try await store.alertEvaluationContext(responseID: racing.id))
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.fireAlert(rule, context: fresh) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            try await f.runner.runDue()
            #expect(try await f.cases().filter { $0.responseID == racing.id }.count == 1)
            #expect(try await store.webhookDeliveries(workspaceID: f.workspace.id, webhookID: webhook.id, state: nil, before: nil, limit: 10).items.count == 3)
        }
    }

    @Test("imported history alerts nobody; workspaces without rules queue no evaluation", arguments: TestBackend.available)
    func importsAndNoRules(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let f = try await AlertFixture(store: store, clock: clock)
            try await f.answer(1)
            #expect(try await store.jobs(workspaceID: f.workspace.id, state: nil, before: nil, limit: 10).items.isEmpty)
            try await f.rule([], actions: AlertActions(createCase: true))
            var imported = ResponseSubmission(surveyID: f.survey.id, contact: ContactInput(externalID: "old"), score: Score(0)!, channel: .import)
            imported.sourceID = "delighted:1"
            _ = try await store.record(workspaceID: f.workspace.id, [imported], batch: false)
            try await f.runner.runDue()
            #expect(try await f.cases().isEmpty)
        }
    }

    @Test("round-robin spreads cases evenly, also when they are opened concurrently; departed members are skipped", arguments: TestBackend.available)
    func roundRobin(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let group = ["a@acme.test", "b@acme.test", "c@acme.test"]
            let f = try await AlertFixture(store: store, clock: clock, members: group.map { ($0, .member) } + [("viewer@acme.test", .viewer)])
            let rule = try await f.rule([.category([.detractor])],
                                        actions: AlertActions(createCase: true, caseOwner: .roundRobin(group + ["viewer@acme.test"])))
            var contexts: [AlertEvaluationContext] = []
            for n in 0..<12 {
                let r = try await f.answer(n % 7, contact: "c\(n)")
                contexts.append(try #require(try await store.alertEvaluationContext(responseID: r.id)))
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for context in contexts { tasks.addTask { _ = try await store.fireAlert(rule, context: context) } }
                try await tasks.waitForAll()
            }
            let owners = Dictionary(grouping: try await f.cases(), by: { $0.ownerEmail ?? "" }).mapValues(\.count)
            #expect(owners == ["a@acme.test": 4, "b@acme.test": 4, "c@acme.test": 4], "viewers never own cases")
        }
    }

    @Test("cases fall overdue 48 hours after the answer unless contacted; SLA figures follow the clock", arguments: TestBackend.available)
    func overdue(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let f = try await AlertFixture(store: store, clock: clock, members: [("owner@acme.test", .member)])
            try await f.rule([.scoreRange(atLeast: nil, atMost: 6)], actions: AlertActions(createCase: true, caseOwner: .user("owner@acme.test")))
            try await f.answer(2, contact: "x")
            try await f.answer(4, contact: "y")
            try await f.runner.runDue()
            let cases = try await f.cases()
            #expect(cases.count == 2)
            #expect(cases.allSatisfy { $0.dueAt.milliseconds - $0.respondedAt.milliseconds == 48 * 3_600_000 })
            var overdue = CaseFilter()
            overdue.overdue = true
            clock.advance(milliseconds: 48 * 3_600_000)
            #expect(try await f.cases(overdue).isEmpty)
            clock.advance(milliseconds: 1)
            #expect(try await f.cases(overdue).count == 2)
            // Contacting one takes it off the overdue list; the figures say 1 of 2 was late.
            let first = try #require(cases.first)
            _ = try await store.updateCase(workspaceID: f.workspace.id, id: first.id, CaseChange(status: .contacted), author: "owner@acme.test")
            #expect(try await f.cases(overdue).map(\.id) == cases.dropFirst().map(\.id))
            let (all, owners) = try await store.caseSLA(workspaceID: f.workspace.id)
            #expect(all.contacted == 1 && all.overdue == 1 && all.shareContactedInTime == 0)
            #expect(all.medianMillisecondsToFirstContact == Int64(48 * 3_600_000 + 1))
            #expect(owners.map(\.owner) == ["owner@acme.test"])
        }
    }
}

@Suite("Closing the loop end to end")
struct ClosingTheLoopTests {
    @Test("a paid detractor answers → a case for the account owner due in 48 h, a Slack message, the owner's reply at the SMTP sink",
          arguments: TestBackend.available)
    func endToEnd(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with(["--announce"]) { smtp in
            try await WebhookReceiver.with(unsigned: true) { slack in
                try await withTestStore(backend) { store, clock in
                    let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(smtp.port)?starttls=off"))
                    let pool = SMTPPool(client: client, concurrency: 1, perMinute: nil, clock: clock)
                    let mail = MailSettings(from: try MailAddress(parsing: "Acme NPS <nps@acme.example.com>"), publicURL: "https://nps.acme.example.com", dkim: nil)
                    let poster = WebhookDeliverer(store: store, settings: WebhookSettings(allowPrivateNetworks: true, publicURL: "https://nps.acme.example.com"),
                                                  notice: WebhookDisabledNotice(store: store, pool: nil, settings: nil))
                    let f = try await AlertFixture(store: store, clock: clock, handlers: [poster, LoopMailer(store: store, pool: pool, settings: mail)],
                                                   members: [("kim@acme.test", .member), ("lee@acme.test", .member)])
                    let rule = try await f.rule([.category([.detractor]), .property(name: "mrr", .atLeast(5000))], actions: AlertActions(
                        createCase: true, caseOwner: .property("account_owner_email", fallback: ["lee@acme.test"]), emails: ["cs-leads@acme.test"],
                        slackURL: slack.url))

                    try await f.answer(9, contact: "fan", properties: ["mrr": .integer(9000), "account_owner_email": .string("kim@acme.test")])
                    try await f.answer(2, contact: "free", properties: ["mrr": .integer(0), "account_owner_email": .string("kim@acme.test")])
                    let paid = try await f.answer(2, contact: "paid", properties: ["mrr": .string("12000"), "account_owner_email": .string("Kim@acme.test")])
                    try await f.runner.runDue()

                    let cases = try await f.cases()
                    #expect(cases.count == 1)
                    let followUp = try #require(cases.first)
                    #expect(followUp.responseID == paid.id && followUp.ownerEmail == "kim@acme.test" && followUp.ruleID == rule.id)
                    #expect(followUp.dueAt == clock.now().adding(milliseconds: 48 * 3_600_000) && followUp.status == .open)

                    let posts = try slack.requests()
                    #expect(posts.count == 1)
                    guard case .string(let text)? = posts.first?["body"] else { Issue.record("no Slack message"); return }
                    let message = try JSONValue.parse(text)
                    guard case .string(let line)? = message["text"] else { Issue.record("no text: \(text)"); return }
                    #expect(line.contains("Paid detractors") && line.contains("2/10") && line.contains("Ana (paid@customer.test)"))
                    #expect(text.contains("https://nps.acme.example.com/app/responses/\(paid.id)"))
                    #expect(text.contains("https://nps.acme.example.com/app/cases/\(followUp.id)") && text.contains("kim@acme.test"))

                    // The team's alert e-mail links the response and the case.
                    #expect(await smtp.waitForMessages(1, timeoutSeconds: 10) == 1)
                    let alert = try #require(try smtp.messages().first)
                    let alertText = String(decoding: alert.bytes, as: UTF8.self)
                    #expect(alert.recipients == ["cs-leads@acme.test"] && alertText.contains("Paid detractors"))
                    #expect(alertText.contains("/app/cases/\(followUp.id)") && alertText.contains("kim@acme.test"))

                    // The owner replies from the case with the detractor template, edited.
                    let (c, _, contact, _) = try #require(try await store.caseReplyContext(workspaceID: f.workspace.id, id: followUp.id))
                    #expect(c.id == followUp.id)
                    let draft = CaseReply.draft(score: Score(2)!, comment: "Too slow", productName: "Acme Cloud", contactName: contact?.name, sender: "Kim")
                    let reply = CaseReply(subject: draft.subject, text: draft.text + "\n\nP.S. I have a fix for the slowness.")
                    let replied = try await store.queueCaseReply(workspaceID: f.workspace.id, id: followUp.id, to: "paid@customer.test", reply: reply,
                                                                 author: "kim@acme.test").get()
                    #expect(replied.status == .contacted && replied.firstContactAt == clock.now())
                    try await f.runner.runDue()
                    #expect(await smtp.waitForMessages(2, timeoutSeconds: 10) == 2)
                    let received = try smtp.messages().filter { $0.recipients == ["paid@customer.test"] }
                    #expect(received.count == 1)
                    let body = String(decoding: received.first?.bytes ?? [], as: UTF8.self)
                    #expect(body.contains("Sorry about your experience with Acme Cloud") && body.contains("I have a fix"))
                    #expect(body.contains("Reply-To: kim@acme.test"), "the respondent's answer reaches the case's owner")
                    let (_, history) = try #require(try await store.followUpCase(workspaceID: f.workspace.id, id: followUp.id))
                    #expect(history.map(\.kind) == [.created, .reply])
                    await poster.shutdown()
                    await pool.close()
                }
            }
        }
    }

    @Test("a suppressed respondent gets no reply: refused when queued, skipped when suppressed after", arguments: TestBackend.available)
    func suppressed(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let f = try await AlertFixture(store: store, clock: clock)
            try await f.rule([], actions: AlertActions(createCase: true))
            try await f.answer(1)
            try await f.runner.runDue()
            let c = try #require(try await f.cases().first)
            try await store.suppress(workspaceID: f.workspace.id, email: "u-1@customer.test", reason: .unsubscribed, detail: nil)
            let result = try await store.queueCaseReply(workspaceID: f.workspace.id, id: c.id, to: "u-1@customer.test",
                                                        reply: CaseReply(subject: "s", text: "t"), author: nil)
            guard case .failure(.invalid(let field, _)) = result else { Issue.record("queued: \(result)"); return }
            #expect(field == "to")
            #expect(try await f.cases().first?.status == .open)
        }
    }
}

@Suite("Slack posts of alert rules are webhook deliveries")
struct AlertSlackDeliveryTests {
    @Test("a Slack endpoint that fails twice then succeeds gets the message exactly once; three attempts are logged with status and timing; replay sends it again",
          arguments: TestBackend.available)
    func retriedAndLogged(_ backend: TestBackend) async throws {
        try await WebhookReceiver.with(fail: 2, unsigned: true) { slack in
            try await withTestStore(backend) { store, clock in
                let deliverer = WebhookDeliverer(store: store, settings: WebhookSettings(allowPrivateNetworks: true, publicURL: "https://nps.acme.example.com"),
                                                 notice: WebhookDisabledNotice(store: store, pool: nil, settings: nil))
                let f = try await AlertFixture(store: store, clock: clock, handlers: [deliverer])
                try await f.rule([.category([.detractor])], actions: AlertActions(slackURL: slack.url))
                let answered = try await f.answer(2)
                for _ in 0..<5 {
                    try await f.runner.runDue()
                    clock.advance(milliseconds: 75 * 60_000)
                }
                let webhook = try #require(try await store.slackWebhook(workspaceID: f.workspace.id, url: slack.url))
                #expect(webhook.format == .slack && webhook.events.isEmpty && webhook.enabled)
                let deliveries = try await store.webhookDeliveries(workspaceID: f.workspace.id, webhookID: webhook.id, state: nil, before: nil, limit: 10).items
                #expect(deliveries.count == 1)
                let requests = try slack.requests()
                #expect(requests.map { $0["status"] } == [.integer(500), .integer(500), .integer(200)], "exactly one message received")
                let first = try #require(deliveries.first)
                let (delivery, attempts) = try #require(try await store.webhookDelivery(workspaceID: f.workspace.id, webhookID: webhook.id, id: first.id))
                #expect(delivery.state == .delivered && delivery.eventType == .alertFired && delivery.attempts == 3)
                #expect(attempts.map(\.statusCode) == [500, 500, 200] && attempts.allSatisfy { $0.durationMilliseconds >= 0 })
                #expect(attempts[0].at < attempts[1].at && attempts[1].at < attempts[2].at, "retried later, with backoff")
                guard case .string(let text)? = requests.last?["body"] else { Issue.record("no Slack message"); return }
                #expect(text.contains("https://nps.acme.example.com/app/responses/\(answered.id)") && text.contains("2/10"))

                #expect(try await store.replayWebhookDelivery(workspaceID: f.workspace.id, webhookID: webhook.id, id: first.id).get().state == .pending)
                try await f.runner.runDue()
                #expect(try slack.requests().map { $0["status"] } == [.integer(500), .integer(500), .integer(200), .integer(200)])
                await deliverer.shutdown()
            }
        }
    }
}

