/// Who of an audience is invited, group by group: "plan = paid: 100%, plan = free: 10%".
///
/// A contact takes the rate of the first group it matches, so the order of the groups is the
/// order of precedence (a catch-all last group with an empty filter sets the rate for everyone
/// else). A contact matching no group is outside the audience.
///
/// The draw is `CampaignDraw.unit(seed, contact id) < rate`: the same seed gives the same sample
/// whatever the order in which contacts are read, and raising a rate only adds contacts. The
/// caller stores the seed with the campaign (as a BIGINT, by bit pattern) so a dry run, the real
/// run and a re-run agree.
public struct SamplingPlan: Sendable, Hashable {
    /// One group: contacts matching `filter` are sampled at `rate`.
    public struct Group: Sendable, Hashable {
        /// Which contacts the group covers (after the earlier groups took theirs).
        public let filter: ContactFilter
        /// The share of them invited, 0…1.
        public let rate: Double

        /// A group; nil unless `rate` is a number from 0 to 1.
        public init?(filter: ContactFilter = .everyone, rate: Double) {
            guard rate >= 0, rate <= 1 else { return nil }  // also refuses NaN
            self.filter = filter
            self.rate = rate
        }
    }

    /// What the plan decides for one contact.
    public enum Outcome: Sendable, Hashable {
        /// In group `group` and drawn: invite.
        case included(group: Int)
        /// In group `group` but not drawn.
        case notSampled(group: Int)
        /// In no group.
        case outsideAudience
    }

    /// The groups in order of precedence; never empty.
    public let groups: [Group]

    /// A plan of `groups`. The empty plan is stored as one group, everyone at rate 1, so that
    /// every outcome names a real group.
    public init(_ groups: [Group]) {
        self.groups = groups.isEmpty ? [Self.everyoneGroup] : groups
    }

    /// Everyone, at 100%.
    public static let everyone = SamplingPlan([])

    private static let everyoneGroup = Group(filter: .everyone, rate: 1)!

    /// The index of the first group the contact matches, or nil when it matches none.
    public func group(of contact: Contact) -> Int? {
        groups.firstIndex { $0.filter.matches(contact) }
    }

    /// Whether the contact is in the audience and, if so, drawn; reproducible for a given `seed`.
    public func outcome(for contact: Contact, seed: UInt64) -> Outcome {
        guard let index = group(of: contact) else { return .outsideAudience }
        let draw = CampaignDraw.unit(seed: seed, stream: .sampling, contactID: contact.id)
        return draw < groups[index].rate ? .included(group: index) : .notSampled(group: index)
    }

    // MARK: - JSON

    /// Reads `[{"filter": [...conditions...], "rate": 0.1}, …]`. `filter` may be left out (everyone);
    /// `rate` is required. Every problem is reported with its path (`sampling[1].filter[0].op`).
    public static func decode(_ json: JSONValue, path: String = "") throws(ValidationError) -> SamplingPlan {
        guard case .array(let items) = json else {
            throw ValidationError(field: path, "must be an array of groups such as {\"filter\": [...], \"rate\": 0.1}, got \(json.typeName)")
        }
        if items.count > Limits.samplingGroups {
            throw ValidationError(field: path, "must have at most \(Limits.samplingGroups) groups, got \(items.count)")
        }
        var issues: [ValidationIssue] = []
        var groups: [Group] = []
        for (i, item) in items.enumerated() {
            let r = InputReader(item, path: "\(path)[\(i)]")
            guard case .object = item else { issues.append(contentsOf: r.issues); continue }
            var filter = ContactFilter.everyone
            if let raw = r.value("filter") {
                var nested: [ValidationIssue] = []
                if let f = ContactFilter.read(raw, path: r.name("filter"), issues: &nested) { filter = f }
                r.absorb(nested)
            }
            let rate = readRate(r)
            r.rejectUnknownFields()
            issues.append(contentsOf: r.issues)
            if r.issues.isEmpty, let rate, let group = Group(filter: filter, rate: rate) { groups.append(group) }
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        return SamplingPlan(groups)
    }

    private static func readRate(_ r: InputReader) -> Double? {
        let message = "must be a number from 0 to 1 (0.1 invites 10%)"
        switch r.value("rate") {
        case nil: r.fail("rate", "is required"); return nil
        case .integer(let i)? where i == 0 || i == 1: return Double(i)
        case .double(let d)? where d >= 0 && d <= 1: return d
        case .integer(let i)?: r.fail("rate", "\(message), got \(i)"); return nil
        case .double(let d)?: r.fail("rate", "\(message), got \(d)"); return nil
        case let other?: r.fail("rate", "\(message), got \(other.typeName)"); return nil
        }
    }

    /// The plan as JSON, in the shape `decode` reads (the empty plan comes out as its one group).
    public var json: JSONValue {
        .array(groups.map { group in
            let rate: JSONValue = group.rate == 0 ? .integer(0) : group.rate == 1 ? .integer(1) : .double(group.rate)
            return .object(["filter": group.filter.json, "rate": rate])
        })
    }
}
