import AdvocateCore
import NPS
import Testing

@Suite("Alert rules: conditions, all/any, and their JSON")
struct AlertRuleTests {
    static let at = Timestamp(rfc3339: "2026-11-22T09:00:00Z")!

    static func subject(_ score: Int, comment: String? = "slow", properties: Properties = [:], themes: Set<String> = [],
                        channel: Channel = .email, survey: Int64 = 1) -> AlertSubject {
        AlertSubject(surveyID: survey, score: Score(score)!, comment: comment, properties: properties, themes: themes, channel: channel)
    }

    static func rule(_ conditions: [AlertCondition], match: AlertMatch = .all, survey: Int64? = nil, enabled: Bool = true) -> AlertRule {
        AlertRule(id: 1, workspaceID: 1, surveyID: survey, name: "r", match: match, conditions: conditions, actions: AlertActions(createCase: true),
                  enabled: enabled, createdAt: at, updatedAt: at)
    }

    @Test("each kind of condition holds exactly when it should", arguments: [
        (AlertCondition.scoreIn([8, 6, 2, 1, 0]), 6, true), (.scoreIn([8, 6, 2, 1, 0]), 7, false),
        (.scoreRange(atLeast: nil, atMost: 6), 6, true), (.scoreRange(atLeast: 9, atMost: nil), 8, false),
        (.category([.detractor]), 3, true), (.category([.promoter, .passive]), 3, false),
        (.property(name: "mrr", .atLeast(5000)), 3, true), (.property(name: "mrr", .atMost(4999)), 3, false),
        (.property(name: "plan", .equals(.string("pro"))), 3, true), (.property(name: "plan", .oneOf([.string("free"), .string("team")])), 3, false),
        (.property(name: "seats", .equals(.integer(12))), 3, true), (.property(name: "missing", .atLeast(0)), 3, false),
        (.property(name: "plan", .atLeast(1)), 3, false),
        (.theme(["Pricing", "Support"]), 3, true), (.theme(["Onboarding"]), 3, false),
        (.comment(present: true), 3, true), (.comment(present: false), 3, false),
        (.channel([.email, .link]), 3, true), (.channel([.inApp]), 3, false),
    ])
    func conditions(_ condition: AlertCondition, _ score: Int, _ expected: Bool) {
        // mrr as a CRM sends it: a numeric string; seats as a string too, compared as a segment.
        let s = Self.subject(score, properties: ["mrr": .string("5000"), "plan": .string("pro"), "seats": .string("12")], themes: ["Support"])
        #expect(condition.holds(for: s) == expected)
    }

    @Test("all needs every condition, any needs one; a survey's rule ignores other surveys; a disabled rule never fires")
    func combining() {
        let paidDetractor: [AlertCondition] = [.category([.detractor]), .property(name: "mrr", .atLeast(5000))]
        let paid = Self.subject(2, properties: ["mrr": .integer(9000)])
        let free = Self.subject(2, properties: ["mrr": .integer(0)])
        #expect(Self.rule(paidDetractor).matches(paid))
        #expect(!Self.rule(paidDetractor).matches(free))
        #expect(Self.rule(paidDetractor, match: .any).matches(free))
        #expect(!Self.rule(paidDetractor, match: .any).matches(Self.subject(9, properties: ["mrr": .integer(0)])))
        #expect(!Self.rule(paidDetractor, survey: 2).matches(paid))
        #expect(Self.rule(paidDetractor, survey: 1).matches(paid))
        #expect(!Self.rule(paidDetractor, enabled: false).matches(paid))
        #expect(Self.rule([]).matches(free), "no conditions: every response")
        #expect(!Self.subject(3, comment: "  \n").hasCommentForTest)
    }

    @Test("conditions and actions survive their JSON form; bad input names the field")
    func json() throws {
        let conditions: [AlertCondition] = [.scoreIn([0, 1, 2, 6, 8]), .scoreRange(atLeast: 0, atMost: 6), .category([.detractor]),
                                            .property(name: "mrr", .atLeast(5000)), .property(name: "plan", .oneOf([.string("pro")])),
                                            .theme(["Pricing"]), .comment(present: true), .channel([.email])]
        for c in conditions {
            let r = InputReader(c.json)
            #expect(AlertCondition.read(r) == c && r.issues.isEmpty, "\(c.json.serialized())")
        }
        let actions = AlertActions(createCase: true, caseOwner: .property("account_owner_email", fallback: ["a@example.com"]), dueHours: 24,
                                   emails: ["ops@example.com"], slackURL: "https://hooks.example.com/x", webhooks: true)
        let r = InputReader(actions.json)
        #expect(AlertActions.read(r) == actions)

        let bad: [(String, String)] = [
            (#"{"field": "scroe"}"#, "field"), (#"{"field": "score", "in": [11]}"#, "in"), (#"{"field": "category", "in": ["fan"]}"#, "in[0]"),
            (#"{"field": "property", "name": "mrr"}"#, ""), (#"{"field": "property", "name": "mrr", "at_least": "lots"}"#, "at_least"),
            (#"{"field": "comment"}"#, "present"), (#"{"field": "score"}"#, ""),
        ]
        for (text, field) in bad {
            let r = InputReader(try JSONValue.parse(text))
            let read = AlertCondition.read(r)
            #expect(read == nil && r.issues.contains { $0.field == field }, "\(text): \(r.issues)")
        }
        let none = InputReader(try JSONValue.parse(#"{"emails": []}"#))
        #expect(AlertActions.read(none) == nil && none.issues.first?.message.contains("at least one action") == true)
        let badEmail = InputReader(try JSONValue.parse(#"{"emails": ["not an address"]}"#))
        #expect(AlertActions.read(badEmail) == nil && badEmail.issues.first?.field == "emails[0]")
    }
}

extension AlertSubject {
    var hasCommentForTest: Bool { AlertCondition.comment(present: true).holds(for: self) }
}

@Suite("Cases: owners in turn, overdue, SLA figures, status moves, reply templates")
struct FollowUpCaseTests {
    static let t0 = Timestamp(rfc3339: "2026-11-22T09:00:00Z")!
    static let hour: Int64 = 3_600_000

    static func followUp(id: Int64 = 1, owner: String? = "a@x.test", status: CaseStatus = .open, respondedAt: Timestamp = t0,
                         contactedAfterHours: Int64? = nil) -> FollowUpCase {
        FollowUpCase(id: id, workspaceID: 1, responseID: id, surveyID: 1, ruleID: 1, ownerEmail: owner, status: status, outcome: nil,
                     dueAt: respondedAt.adding(milliseconds: 48 * hour), firstContactAt: contactedAfterHours.map { respondedAt.adding(milliseconds: $0 * hour) },
                     resolvedAt: nil, createdAt: respondedAt, updatedAt: respondedAt, respondedAt: respondedAt)
    }

    @Test("round-robin is fair: over any run of turns nobody gets more than one case more than anybody else", arguments: [1, 2, 3, 7])
    func roundRobin(_ size: Int) {
        let group = (0..<size).map { "m\($0)@x.test" }
        for start in [0, 5, 1_000] as [Int64] {
            for length in [size, size * 10 + 1, size * 3 + size - 1] {
                var counts: [String: Int] = [:]
                for turn in start..<(start + Int64(length)) { counts[RoundRobin.pick(group, turn: turn)!, default: 0] += 1 }
                let values = group.map { counts[$0, default: 0] }
                #expect(values.max()! - values.min()! <= 1, "\(values)")
                #expect(values.reduce(0, +) == length)
            }
        }
        #expect(RoundRobin.pick([], turn: 3) == nil)
    }

    @Test("owners: a fixed member, the account owner from a property when a member, else the fallback group in turn")
    func assignment() {
        let members: Set = ["ana@x.test", "bo@x.test"]
        #expect(CaseAssignment.resolve(.user("ana@x.test"), properties: [:], members: members) == .fixed("ana@x.test"))
        #expect(CaseAssignment.resolve(.user("gone@x.test"), properties: [:], members: members) == .fixed(nil))
        #expect(CaseAssignment.resolve(.roundRobin(["bo@x.test", "gone@x.test", "ana@x.test"]), properties: [:], members: members)
                == .inTurn(["bo@x.test", "ana@x.test"]))
        let rule = CaseOwnerRule.property("account_owner_email", fallback: ["ana@x.test"])
        #expect(CaseAssignment.resolve(rule, properties: ["account_owner_email": .string(" Bo@X.test ")], members: members) == .fixed("bo@x.test"))
        #expect(CaseAssignment.resolve(rule, properties: ["account_owner_email": .string("stranger@x.test")], members: members) == .inTurn(["ana@x.test"]))
        #expect(CaseAssignment.resolve(nil, properties: [:], members: members) == .fixed(nil))
    }

    @Test("a case is overdue once its due date passes while nobody has reached the respondent")
    func overdue() {
        let c = Self.followUp()
        #expect(!c.isOverdue(at: Self.t0.adding(milliseconds: 48 * Self.hour)))
        #expect(c.isOverdue(at: Self.t0.adding(milliseconds: 48 * Self.hour + 1)))
        #expect(!Self.followUp(status: .contacted).isOverdue(at: Self.t0.adding(milliseconds: 100 * Self.hour)))
        #expect(!Self.followUp(status: .resolved).isOverdue(at: Self.t0.adding(milliseconds: 100 * Self.hour)))
    }

    @Test("SLA: median time to first contact and the share contacted within 48 hours, by owner")
    func sla() {
        let now = Self.t0.adding(milliseconds: 100 * Self.hour)
        let cases = [
            Self.followUp(id: 1, owner: "a@x.test", status: .contacted, contactedAfterHours: 2),
            Self.followUp(id: 2, owner: "a@x.test", status: .resolved, contactedAfterHours: 10),
            Self.followUp(id: 3, owner: "b@x.test", status: .contacted, contactedAfterHours: 60),
            Self.followUp(id: 4, owner: "b@x.test"), // open and overdue
            Self.followUp(id: 5, owner: nil, respondedAt: now.adding(milliseconds: -Self.hour)), // too young to judge
        ]
        let (all, owners) = CaseSLA.byOwner(cases, now: now)
        #expect(all.cases == 5 && all.contacted == 3 && all.overdue == 1)
        #expect(all.medianMillisecondsToFirstContact == 10 * Self.hour)
        #expect(all.shareContactedInTime == 0.5) // 2 of the 4 judged
        #expect(owners.map(\.owner) == ["", "a@x.test", "b@x.test"])
        #expect(owners[1].sla.shareContactedInTime == 1 && owners[1].sla.medianMillisecondsToFirstContact == 6 * Self.hour)
        #expect(owners[2].sla.shareContactedInTime == 0 && owners[2].sla.overdue == 1)
        #expect(owners[0].sla.shareContactedInTime == nil && owners[0].sla.medianMillisecondsToFirstContact == nil)
    }

    @Test("status moves forward, a resolved case reopens, a contacted one never goes back to open")
    func statusMoves() {
        #expect(CaseStatus.open.canMove(to: .contacted) && CaseStatus.open.canMove(to: .resolved) && CaseStatus.contacted.canMove(to: .resolved))
        #expect(CaseStatus.resolved.canMove(to: .open))
        #expect(!CaseStatus.contacted.canMove(to: .open) && !CaseStatus.resolved.canMove(to: .contacted))
    }

    @Test("reply templates: an apology and a question for detractors, review and referral links and a post for promoters, neutral for passives")
    func replies() {
        let links = CaseReply.PromoterLinks(reviewSites: [ReviewSite(name: "G2", url: "https://g2.example/acme")],
                                            referralURL: "https://acme.example/r/42", sharePost: "Acme Cloud saves me hours.")
        let detractor = CaseReply.draft(score: Score(2)!, comment: "Too slow", productName: "Acme Cloud", contactName: "Ana", sender: "Bo", links: links)
        #expect(detractor.subject.contains("Sorry") && detractor.text.contains("Hi Ana,") && detractor.text.contains("?"))
        #expect(detractor.text.contains("Too slow") && detractor.text.hasSuffix("Bo") && !detractor.text.contains("g2.example"))
        let promoter = CaseReply.draft(score: Score(10)!, comment: nil, productName: "Acme Cloud", contactName: nil, sender: nil, links: links)
        #expect(promoter.subject.contains("Thank you") && promoter.text.contains("https://g2.example/acme"))
        #expect(promoter.text.contains("https://acme.example/r/42") && promoter.text.contains("Acme Cloud saves me hours.") && promoter.text.hasPrefix("Hello,"))
        let passive = CaseReply.draft(score: Score(7)!, comment: nil, productName: "Acme Cloud", contactName: nil, sender: nil)
        #expect(passive.text.contains("7 out of 10") && !passive.text.contains("Sorry") && !passive.text.contains("review"))
    }
}
