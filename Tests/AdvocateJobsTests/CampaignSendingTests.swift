import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
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
}
