import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Logging
import Mail
import MailTestSupport
import NPS
import Testing

@Suite("Campaigns, sent to a real SMTP server")
struct CampaignSendingTests {
    static let day: Int64 = 86_400_000

    static func launch(_ store: AdvocateStore, _ workspaceID: Int64, _ id: Int64) async throws -> CampaignPlanSummary {
        switch try await store.launchCampaign(workspaceID: workspaceID, id: id, makeToken: InvitationToken.make) {
        case .success(let launched): return launched.1
        case .failure(let refusal): throw refusal
        }
    }

    /// Every paid customer and a quarter of the free ones, no reminder, opens tracked, two subjects.
    static func definition() throws -> CampaignDefinition {
        let body = try JSONValue.parse("""
            {"sampling": [{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 1},
                          {"filter": [{"property": "plan", "op": "eq", "value": "free"}], "rate": 0.25}],
             "reminders": {"count": 0}, "track_opens": true, "seed": 42,
             "variants": [{"name": "A", "subject": "Quick question about Acme"}, {"name": "B", "subject": "Would you recommend Acme Cloud?"}]}
            """)
        let r = InputReader(body)
        let definition = CampaignDefinition.read(r, over: CampaignDefinition())
        try r.finish()
        return definition
    }

    @Test("a launched A/B campaign reaches paid customers and a seeded sample of free ones, each message with its variant's subject, DKIM-signed, opens tracked",
          arguments: TestBackend.available)
    func abCampaign(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with { server in
            try await withTestStore(backend) { store, clock in
                let f = try await MailerFixture(store: store, clock: clock, port: server.port)
                for i in 0..<10 {
                    _ = try await store.upsertContact(workspaceID: f.workspace.id, ContactInput(
                        externalID: "paid-\(i)", email: "paid\(i)@example.com", properties: ["plan": .string("paid")]))
                }
                for i in 0..<40 {
                    _ = try await store.upsertContact(workspaceID: f.workspace.id, ContactInput(
                        externalID: "free-\(i)", email: "free\(i)@example.com", properties: ["plan": .string("free")]))
                }
                let definition = try Self.definition()
                let campaign = try #require(try await store.createCampaign(workspaceID: f.workspace.id, surveyID: f.survey.id, name: "Q4", definition: definition))
                let preview = try await store.previewCampaign(campaign)
                let launched = try await Self.launch(store, f.workspace.id, campaign.id)
                #expect(launched == preview)
                // Every paid customer, about a quarter of the free ones (the seed fixes which).
                #expect(preview.preview.count(.notSampled) + preview.preview.wouldSend == 50)
                #expect((15...25).contains(preview.preview.wouldSend))
                #expect(try await f.runner.runDue() == preview.preview.wouldSend)
                let messages = try server.messages()
                #expect(messages.count == preview.preview.wouldSend)
                #expect(Set(messages.flatMap(\.recipients)).isSuperset(of: (0..<10).map { "paid\($0)@example.com" }))
                let record = DKIMSigner.dnsRecord(publicKeyOf: dkimKey)
                var subjects: [String: Int] = [:]
                for message in messages {
                    let inspection = try Inspection(path: message.path, dkimRecord: record)
                    #expect(inspection.dkimVerified)
                    subjects[inspection.subject ?? "", default: 0] += 1
                    let html = try #require(inspection.parts["html"])
                    let text = try #require(inspection.parts["plain"])
                    let token = try #require(scoreToken(in: text))
                    #expect(html.contains("\(MailerFixture.publicURL)/o/\(token)\""))
                    let invitation = try #require(try await store.invitation(tokenHash: InvitationToken.hash(token)))
                    let expected = invitation.variant == "A" ? "Quick question about Acme" : "Would you recommend Acme Cloud?"
                    #expect(inspection.subject == expected)
                }
                #expect(Set(subjects.keys) == ["Quick question about Acme", "Would you recommend Acme Cloud?"])
                #expect(subjects.values.reduce(0, +) == preview.byVariant.values.reduce(0, +))
                let funnel = try await store.campaignFunnel(campaign)
                #expect(funnel.map(\.variant) == ["A", "B"] && funnel.map(\.sent).reduce(0, +) == messages.count)
                await f.pool.close()
            }
        }
    }

    @Test("the runner keeps a recurring campaign going: each day's run invites who is due and queues the next day's run",
          arguments: TestBackend.available)
    func cadenceThroughTheRunner(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.ensureWorkspace(slug: "acme").workspace
            let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "R", productName: "Acme"))
            for i in 0..<5 { _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "c\(i)", email: "c\(i)@example.com")) }
            var definition = CampaignDefinition()
            definition.recurringDays = 30
            definition.throttle = Throttle(days: 0)!
            let campaign = try #require(try await store.createCampaign(workspaceID: ws.id, surveyID: survey.id, name: "Rolling", definition: definition))
            _ = try await Self.launch(store, ws.id, campaign.id)
            let runner = JobRunner(store: store, handlers: [CampaignCadence(store: store, logger: Logger(label: "test"))],
                                   configuration: .init(owner: "cadence-test"))
            // The invitation jobs have no handler here; only the cadence runs.
            clock.advance(milliseconds: Self.day)
            _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "late", email: "late@example.com"))
            _ = try await runner.runDue()
            let invited = try await store.invitations(workspaceID: ws.id, surveyID: survey.id, before: nil, limit: 100).items
            #expect(invited.count == 6 && invited.contains { $0.email == "late@example.com" })
            let queuedCadence = try await store.jobs(workspaceID: ws.id, state: .queued, before: nil, limit: 100).items.filter { $0.kind == campaignCadenceJobKind }
            #expect(queuedCadence.count == 1 && queuedCadence[0].availableAt == clock.now().adding(days: 1))
        }
    }
}
