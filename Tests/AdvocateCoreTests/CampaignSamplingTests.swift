import AdvocateCore
import Testing

/// 100,000 contacts with database-like ids 1…100,000; every tenth on the paid plan, the rest free.
private let population: [Contact] = (1...100_000).map { id in
    campaignContact(Int64(id), properties: ["plan": .string(id % 10 == 0 ? "paid" : "free")])
}

private func plan(_ text: String) throws -> SamplingPlan {
    try SamplingPlan.decode(campaignJSON(text), path: "sampling")
}

private func planIssues(_ text: String) throws -> [String] {
    let json = try campaignJSON(text)
    return campaignIssues { () throws(ValidationError) in try SamplingPlan.decode(json, path: "sampling") }
}

private func included(_ plan: SamplingPlan, _ contacts: [Contact], seed: UInt64) -> Set<Int64> {
    Set(contacts.filter { if case .included = plan.outcome(for: $0, seed: seed) { true } else { false } }.map(\.id))
}

private func rateOnly(_ rate: Double) throws -> SamplingPlan {
    SamplingPlan([try #require(SamplingPlan.Group(rate: rate))])
}

@Suite("Campaign: SamplingPlan")
struct CampaignSamplingTests {
    @Test("a 10% rate over 100,000 contacts includes 10% ± 0.6%", arguments: [UInt64(1), 42, 0xDEAD_BEEF, .max])
    func tenPercent(seed: UInt64) throws {
        let count = included(try rateOnly(0.1), population, seed: seed).count
        #expect((9_400...10_600).contains(count), "included \(count)")
    }

    @Test("ids that are not consecutive (every 1,024th, or huge) are sampled at the rate too")
    func sparseIDs() throws {
        let strided = (1...100_000).map { campaignContact(Int64($0) * 1_024) }
        let huge = (1...100_000).map { campaignContact(Int64.max - Int64($0) * 7_919) }
        for contacts in [strided, huge] {
            let count = included(try rateOnly(0.1), contacts, seed: 7).count
            #expect((9_400...10_600).contains(count), "included \(count)")
        }
    }

    @Test("the same seed selects the same contacts")
    func sameSeed() throws {
        let p = try rateOnly(0.1)
        let first = included(p, population, seed: 2026)
        #expect(first == included(p, population, seed: 2026))
        #expect(!first.isEmpty)
    }

    @Test("another seed selects an unrelated sample: two 10% samples share about 1%, not 10% or 0%")
    func differentSeed() throws {
        let p = try rateOnly(0.1)
        let a = included(p, population, seed: 1)
        let b = included(p, population, seed: 2)
        #expect(a != b)
        let overlap = a.intersection(b).count
        // Independent draws overlap in 0.1 × 0.1 × 100,000 = 1,000 contacts (sd ≈ 31).
        #expect((800...1_200).contains(overlap), "overlap \(overlap)")
    }

    @Test("the outcome does not depend on the order contacts are read in")
    func orderIndependent() throws {
        let p = try plan(#"[{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 0.5}, {"rate": 0.1}]"#)
        var generator = SeededGenerator(seed: 99)
        let shuffled = population.shuffled(using: &generator)
        #expect(shuffled.map(\.id) != population.map(\.id))
        let inOrder = Dictionary(uniqueKeysWithValues: population.map { ($0.id, p.outcome(for: $0, seed: 5)) })
        let outOfOrder = Dictionary(uniqueKeysWithValues: shuffled.map { ($0.id, p.outcome(for: $0, seed: 5)) })
        #expect(inOrder == outOfOrder)
        // A page read on its own gives the same answers as the whole list.
        #expect(population[500..<600].allSatisfy { p.outcome(for: $0, seed: 5) == inOrder[$0.id] })
    }

    @Test("plan = paid: 100%, plan = free: 10%: every paid contact, a tenth of the free ones, nobody else")
    func strata() throws {
        let p = try plan("""
        [{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 1},
         {"filter": [{"property": "plan", "op": "eq", "value": "free"}], "rate": 0.1}]
        """)
        var paidIncluded = 0
        var freeIncluded = 0
        var freeNotSampled = 0
        for contact in population {
            let outcome = p.outcome(for: contact, seed: 11)
            switch outcome {
            case .included(group: 0): paidIncluded += 1
            case .included(group: 1): freeIncluded += 1
            case .notSampled(group: 1): freeNotSampled += 1
            default: Issue.record("unexpected \(outcome) for contact \(contact.id)")
            }
        }
        #expect(paidIncluded == 10_000)
        // 10% of 90,000 free contacts ± 0.6% of them.
        #expect((8_460...9_540).contains(freeIncluded), "free included \(freeIncluded) of 90,000")
        #expect(freeIncluded + freeNotSampled == 90_000)
        #expect(p.outcome(for: campaignContact(1), seed: 11) == .outsideAudience)
        #expect(p.outcome(for: campaignContact(2, properties: ["plan": .string("trial")]), seed: 11) == .outsideAudience)
    }

    @Test("a contact takes the rate of the first group it matches")
    func firstMatchWins() throws {
        let p = try plan("""
        [{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 0},
         {"filter": [], "rate": 1}]
        """)
        let paid = campaignContact(10, properties: ["plan": .string("paid")])
        let free = campaignContact(11, properties: ["plan": .string("free")])
        #expect(p.group(of: paid) == 0)
        #expect(p.outcome(for: paid, seed: 1) == .notSampled(group: 0))
        #expect(p.outcome(for: free, seed: 1) == .included(group: 1))
    }

    @Test("rate 0 includes nobody and rate 1 everybody")
    func extremes() throws {
        #expect(included(try rateOnly(0), population, seed: 3).isEmpty)
        #expect(included(try rateOnly(1), population, seed: 3).count == population.count)
    }

    @Test("raising the rate only adds contacts")
    func monotone() throws {
        let tenth = included(try rateOnly(0.1), population, seed: 8)
        let fifth = included(try rateOnly(0.2), population, seed: 8)
        #expect(tenth.isSubset(of: fifth))
        #expect(fifth.count > tenth.count)
    }

    @Test("the empty plan is everyone at 100%, as one group numbered 0")
    func emptyPlan() throws {
        let p = try plan("[]")
        #expect(p == .everyone)
        #expect(p.groups == [try #require(SamplingPlan.Group(filter: .everyone, rate: 1))])
        #expect(p.outcome(for: campaignContact(1), seed: 0) == .included(group: 0))
        #expect(p.json == .array([.object(["filter": .array([]), "rate": .integer(1)])]))
    }

    @Test("a group needs a rate from 0 to 1", arguments: [-0.01, 1.0001, Double.nan, .infinity])
    func groupRange(rate: Double) {
        #expect(SamplingPlan.Group(rate: rate) == nil)
    }

    @Test("decode reads groups; a missing filter means everyone")
    func decodes() throws {
        let p = try plan(#"[{"filter": [{"field": "locale", "op": "eq", "value": "tr"}], "rate": 0.25}, {"rate": 0}]"#)
        #expect(p.groups.count == 2)
        #expect(p.groups[0].rate == 0.25)
        #expect(p.groups[0].filter.conditions.count == 1)
        #expect(p.groups[1].filter == .everyone)
        #expect(p.groups[1].rate == 0)
        #expect(try SamplingPlan.decode(p.json) == p)
    }

    @Test("bad groups are reported with their paths", arguments: [
        (#"[{"filter": []}]"#, ["sampling[0].rate: is required"]),
        (#"[{"rate": 1.5}]"#, ["sampling[0].rate: must be a number from 0 to 1 (0.1 invites 10%), got 1.5"]),
        (#"[{"rate": 10}]"#, ["sampling[0].rate: must be a number from 0 to 1 (0.1 invites 10%), got 10"]),
        (#"[{"rate": "0.1"}]"#, ["sampling[0].rate: must be a number from 0 to 1 (0.1 invites 10%), got string"]),
        (#"[{"percent": 10, "rate": 0.1}]"#, ["sampling[0].percent: unknown field"]),
        (#"[{"rate": 1}, {"filter": [{"property": "plan", "op": "is", "value": "paid"}], "rate": 0.1}]"#,
         ["sampling[1].filter[0].op: must be one of eq, ne, in, not_in, gte, lte, exists, not_exists"]),
        (#"[{"filter": {"property": "plan"}, "rate": 0.1}]"#, ["sampling[0].filter: must be an array of conditions, got object"]),
        (#"[0.1]"#, ["sampling[0]: must be a JSON object, got number"]),
        (#"{"rate": 0.1}"#, [#"sampling: must be an array of groups such as {"filter": [...], "rate": 0.1}, got object"#]),
        (#"[{"rate": 2}, {"rate": -1}]"#, ["sampling[0].rate: must be a number from 0 to 1 (0.1 invites 10%), got 2",
                                            "sampling[1].rate: must be a number from 0 to 1 (0.1 invites 10%), got -1"]),
    ])
    func rejects(text: String, expected: [String]) throws {
        #expect(try planIssues(text) == expected)
    }

    @Test("a plan has at most 20 groups")
    func groupLimit() throws {
        let twenty = "[" + Array(repeating: #"{"rate": 1}"#, count: 20).joined(separator: ",") + "]"
        #expect(try plan(twenty).groups.count == 20)
        let more = "[" + Array(repeating: #"{"rate": 1}"#, count: 21).joined(separator: ",") + "]"
        #expect(try planIssues(more) == ["sampling: must have at most 20 groups, got 21"])
    }
}

@Suite("Campaign: VariantAssignment")
struct CampaignVariantTests {
    /// The share of each variant over the population.
    private func shares(_ a: VariantAssignment, seed: UInt64, contacts: [Contact] = population) -> [Double] {
        var counts = Array(repeating: 0, count: a.weights.count)
        for contact in contacts { counts[a.variant(for: contact.id, seed: seed)] += 1 }
        return counts.map { Double($0) / Double(contacts.count) }
    }

    @Test("over 100,000 contacts each variant's share is within ±1% of its weight", arguments: [
        [1, 1], [1, 2, 3, 4], [1, 1, 1, 1, 1], [9, 1], [1000, 1, 1],
    ])
    func split(weights: [Int]) throws {
        let a = try #require(VariantAssignment(weights: weights))
        let total = Double(weights.reduce(0, +))
        for (variant, share) in shares(a, seed: 4).enumerated() {
            let expected = Double(weights[variant]) / total
            #expect(abs(share - expected) <= 0.01, "variant \(variant): \(share) for weight \(expected)")
        }
    }

    @Test("equal variants get equal shares")
    func equal() throws {
        let a = try #require(VariantAssignment(equalVariants: 3))
        #expect(a.weights == [1, 1, 1])
        #expect(shares(a, seed: 1).allSatisfy { abs($0 - 1.0 / 3) <= 0.01 })
    }

    @Test("the same seed gives every contact the same variant; another seed reshuffles about half (two arms)")
    func reproducible() throws {
        let a = try #require(VariantAssignment(weights: [1, 1]))
        let first = population.map { a.variant(for: $0.id, seed: 77) }
        #expect(first == population.map { a.variant(for: $0.id, seed: 77) })
        let other = population.map { a.variant(for: $0.id, seed: 78) }
        let agreeing = zip(first, other).filter { $0 == $1 }.count
        #expect((48_000...52_000).contains(agreeing), "agreeing \(agreeing)")
    }

    @Test("the variant is independent of sampling with the same seed: the sampled 10% still split 50/50")
    func independentOfSampling() throws {
        let seed: UInt64 = 31
        let sampled = population.filter {
            SamplingPlan.everyoneAt(0.1).outcome(for: $0, seed: seed) == .included(group: 0)
        }
        let a = try #require(VariantAssignment(weights: [1, 1]))
        let share = shares(a, seed: seed, contacts: sampled)[0]
        // About 10,000 contacts: sd of the share is 0.5%.
        #expect(abs(share - 0.5) <= 0.02, "variant 0 got \(share) of the sampled contacts")
    }

    @Test("2 to 5 variants of weight 1 to 1000 are accepted, nothing else", arguments: [
        ([1], false), ([1, 1], true), ([1, 1, 1, 1, 1], true), ([1, 1, 1, 1, 1, 1], false), ([], false),
        ([0, 1], false), ([1, -1], false), ([1000, 1], true), ([1001, 1], false),
    ])
    func validation(weights: [Int], accepted: Bool) {
        #expect((VariantAssignment(weights: weights) != nil) == accepted)
    }

    @Test("equalVariants accepts 2 to 5", arguments: [(1, false), (2, true), (5, true), (6, false)])
    func equalValidation(count: Int, accepted: Bool) {
        #expect((VariantAssignment(equalVariants: count) != nil) == accepted)
    }
}

extension SamplingPlan {
    /// Everyone at one rate, for tests.
    fileprivate static func everyoneAt(_ rate: Double) -> SamplingPlan {
        SamplingPlan([Group(rate: rate)!])
    }
}
