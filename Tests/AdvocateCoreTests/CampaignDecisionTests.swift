import AdvocateCore
import Testing

@Suite("Campaign: decisions and the dry-run tally")
struct CampaignDecisionTests {
    private let until = Timestamp(milliseconds: 1_800_000_000_000)

    @Test("skip reasons have the API's names")
    func rawValues() {
        #expect(CampaignSkipReason.allCases.map(\.rawValue)
                == ["suppressed", "bounced", "throttled", "no_email", "not_sampled", "outside_audience", "duplicate"])
    }

    @Test("a sampled, reachable, eligible contact is sent to")
    func send() {
        #expect(CampaignDecision.decide(sampling: .included(group: 0), isDuplicate: false, hasEmail: true,
                                        isSuppressed: false, hasBounced: false, throttle: .eligible) == .send)
    }

    @Test("each check alone gives its own reason")
    func eachReason() {
        func decide(sampling: SamplingPlan.Outcome = .included(group: 0), duplicate: Bool = false, email: Bool = true,
                    suppressed: Bool = false, bounced: Bool = false, throttle: Throttle.Decision = .eligible) -> CampaignDecision {
            CampaignDecision.decide(sampling: sampling, isDuplicate: duplicate, hasEmail: email, isSuppressed: suppressed,
                                    hasBounced: bounced, throttle: throttle)
        }
        #expect(decide(sampling: .outsideAudience) == .skip(.outsideAudience))
        #expect(decide(sampling: .notSampled(group: 2)) == .skip(.notSampled))
        #expect(decide(duplicate: true) == .skip(.duplicate))
        #expect(decide(email: false) == .skip(.noEmail))
        #expect(decide(suppressed: true) == .skip(.suppressed))
        #expect(decide(bounced: true) == .skip(.bounced))
        #expect(decide(throttle: .throttled(until: until)) == .skip(.throttled))
    }

    @Test("with several reasons, audience comes first, then duplicate, address, suppression, bounce, throttle")
    func precedence() {
        let throttled = Throttle.Decision.throttled(until: until)
        #expect(CampaignDecision.decide(sampling: .outsideAudience, isDuplicate: true, hasEmail: false, isSuppressed: true,
                                        hasBounced: true, throttle: throttled) == .skip(.outsideAudience))
        #expect(CampaignDecision.decide(sampling: .notSampled(group: 0), isDuplicate: true, hasEmail: false, isSuppressed: true,
                                        hasBounced: true, throttle: throttled) == .skip(.notSampled))
        #expect(CampaignDecision.decide(sampling: .included(group: 0), isDuplicate: true, hasEmail: false, isSuppressed: true,
                                        hasBounced: true, throttle: throttled) == .skip(.duplicate))
        #expect(CampaignDecision.decide(sampling: .included(group: 0), isDuplicate: false, hasEmail: false, isSuppressed: true,
                                        hasBounced: true, throttle: throttled) == .skip(.noEmail))
        #expect(CampaignDecision.decide(sampling: .included(group: 0), isDuplicate: false, hasEmail: true, isSuppressed: true,
                                        hasBounced: true, throttle: throttled) == .skip(.suppressed))
        #expect(CampaignDecision.decide(sampling: .included(group: 0), isDuplicate: false, hasEmail: true, isSuppressed: false,
                                        hasBounced: true, throttle: throttled) == .skip(.bounced))
    }

    @Test("the preview counts each decision once, by reason")
    func tally() {
        let decisions: [CampaignDecision] = [.send, .send, .skip(.throttled), .skip(.notSampled), .skip(.notSampled),
                                             .skip(.notSampled), .send, .skip(.noEmail)]
        let preview = CampaignAudiencePreview(decisions)
        #expect(preview.wouldSend == 3)
        #expect(preview.count(.notSampled) == 3)
        #expect(preview.count(.throttled) == 1)
        #expect(preview.count(.noEmail) == 1)
        #expect(preview.count(.bounced) == 0)
        #expect(preview.skipped[.bounced] == nil)
        #expect(preview.total == decisions.count)

        var incremental = CampaignAudiencePreview()
        for decision in decisions { incremental.add(decision) }
        #expect(incremental == preview)
        #expect(CampaignAudiencePreview().total == 0)
    }

    @Test("a dry run over a sampled audience adds up to the audience")
    func dryRun() throws {
        let plan = try SamplingPlan.decode(campaignJSON(#"[{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 0.5}]"#))
        let contacts: [Contact] = (1...1_000).map { (id: Int) -> Contact in
            let email: String? = id % 7 == 0 ? nil : "c\(id)@example.com"
            let plan: JSONValue = .string(id % 2 == 0 ? "paid" : "free")
            return campaignContact(Int64(id), email: email, properties: ["plan": plan])
        }
        let decisions: [CampaignDecision] = contacts.map { (c: Contact) -> CampaignDecision in
            CampaignDecision.decide(sampling: plan.outcome(for: c, seed: 1), isDuplicate: false, hasEmail: c.email != nil,
                                    isSuppressed: false, hasBounced: false, throttle: .eligible)
        }
        let preview = CampaignAudiencePreview(decisions)
        #expect(preview.total == 1_000)
        #expect(preview.count(.outsideAudience) == 500)
        #expect(preview.wouldSend + preview.count(.noEmail) + preview.count(.notSampled) == 500)
        #expect(preview.wouldSend > 0 && preview.count(.notSampled) > 0 && preview.count(.noEmail) > 0)
    }
}
