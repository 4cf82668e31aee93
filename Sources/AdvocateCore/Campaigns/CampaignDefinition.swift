/// One A/B variant of a campaign's message: its own subject and intro (nil keeps the catalog's).
public struct CampaignVariant: Sendable, Hashable {
    /// Short name shown in the funnel ("A", "short-subject").
    public var name: String
    public var subject: String?
    public var intro: String?
    /// Relative share of the audience, 1…1,000.
    public var weight: Int

    public init(name: String, subject: String? = nil, intro: String? = nil, weight: Int = 1) {
        self.name = name
        self.subject = subject
        self.intro = intro
        self.weight = weight
    }
}

/// What a campaign is: who (audience, sampling), how often (throttle, reminders, cadence), when
/// (schedule) and what (variants). Stored as JSON with the campaign; every part is pure and
/// tested on its own (ContactFilter, SamplingPlan, Throttle, ReminderPlan, SendSchedule,
/// VariantAssignment).
public struct CampaignDefinition: Sendable, Hashable {
    public var audience: ContactFilter = .everyone
    public var sampling: SamplingPlan = .everyone
    public var throttle: Throttle = .default
    public var reminders: ReminderPlan = .default
    /// First send; nil means "when launched".
    public var start: Timestamp?
    /// Spread the first sends over this many days (0: all at the start).
    public var spreadDays: Int = 0
    /// Deliver at this local time in each contact's zone (the survey's zone when theirs is unknown).
    public var localTime: LocalTime?
    /// Empty: one message for everyone; otherwise 2…5 variants.
    public var variants: [CampaignVariant] = []
    /// Add a 1×1 open-tracking image (off by default: docs/mail.md says why).
    public var trackOpens: Bool = false
    /// Relationship cadence: keep asking every contact of the audience every N days, rolling.
    public var recurringDays: Int?
    /// Seeds sampling, spreading and variant assignment, so a campaign's draws are reproducible.
    public var seed: UInt64 = 1

    public init() {}

    public static let allowedRecurringDays: ClosedRange<Int64> = 30...730
    public static let variantNameCharacters = 40
    public static let subjectCharacters = 200
    public static let introCharacters = 2_000

    /// The variant assignment, when the campaign is an A/B test.
    public var assignment: VariantAssignment? {
        variants.count >= 2 ? VariantAssignment(weights: variants.map(\.weight)) : nil
    }

    /// The variant of `contactID` (nil without variants).
    public func variant(for contactID: Int64) -> CampaignVariant? {
        if variants.count == 1 { return variants[0] }
        guard let assignment else { return nil }
        return variants[assignment.variant(for: contactID, seed: seed)]
    }

    // MARK: - JSON

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "audience": audience.json,
            "sampling": sampling.json,
            "throttle_days": .integer(Int64(throttle.days)),
            "reminders": reminders.json,
            "spread_days": .integer(Int64(spreadDays)),
            "track_opens": .bool(trackOpens),
            "seed": .integer(Int64(bitPattern: seed)),
            "variants": .array(variants.map { v in
                .object(["name": .string(v.name), "subject": v.subject.map(JSONValue.string) ?? .null,
                         "intro": v.intro.map(JSONValue.string) ?? .null, "weight": .integer(Int64(v.weight))])
            }),
        ]
        o["start_at"] = start.map { .string($0.rfc3339) } ?? .null
        o["local_time"] = localTime.map { .string($0.description) } ?? .null
        o["recurring_days"] = recurringDays.map { .integer(Int64($0)) } ?? .null
        return .object(o)
    }

    /// Reads a campaign body's definition fields (the reader's other fields are the caller's).
    /// Fields left out keep `base`'s values.
    public static func read(_ r: InputReader, over base: CampaignDefinition) -> CampaignDefinition {
        var d = base
        if r.has("audience") { d.audience = r.contactFilter("audience") ?? .everyone }
        if r.has("sampling") { d.sampling = r.samplingPlan("sampling") ?? .everyone }
        if let v = r.throttle("throttle_days") { d.throttle = v }
        if r.has("reminders") { d.reminders = r.reminderPlan("reminders") ?? .none }
        if r.has("start_at") { d.start = r.timestamp("start_at") }
        let spread = SendSchedule.allowedSpreadDays
        if let v = r.integer("spread_days", in: Int64(spread.lowerBound)...Int64(spread.upperBound)) { d.spreadDays = Int(v) }
        if r.has("local_time") { d.localTime = r.localTime("local_time") }
        if let v = r.value("track_opens") {
            if case .bool(let b) = v { d.trackOpens = b } else { r.fail("track_opens", "must be true or false") }
        }
        if r.has("recurring_days") { d.recurringDays = r.integer("recurring_days", in: allowedRecurringDays).map(Int.init) }
        if let v = r.integer("seed", in: 0...Int64.max) { d.seed = UInt64(v) }
        if let v = r.value("variants") { d.variants = readVariants(v, path: r.name("variants"), reader: r) }
        return d
    }

    /// Reads stored JSON (validated when stored).
    public init(stored text: String) {
        self.init()
        guard let json = try? JSONValue.parse(text) else { return }
        let r = InputReader(json)
        self = Self.read(r, over: CampaignDefinition())
    }

    private static func readVariants(_ value: JSONValue, path: String, reader r: InputReader) -> [CampaignVariant] {
        if case .null = value { return [] }
        guard case .array(let items) = value else { r.fail("variants", "must be an array of 2 to 5 variants"); return [] }
        let counts = VariantAssignment.allowedVariantCounts
        guard items.isEmpty || counts.contains(items.count) else {
            r.fail("variants", "must have \(counts.lowerBound) to \(counts.upperBound) variants (or none), got \(items.count)")
            return []
        }
        var names: Set<String> = []
        return items.enumerated().compactMap { i, item in
            let v = InputReader(item, path: "\(path)[\(i)]")
            let name = v.string("name", required: true, maxCharacters: variantNameCharacters, nullable: false)
            if let name, !names.insert(name).inserted { v.fail("name", "is used by an earlier variant") }
            let subject = v.string("subject", maxCharacters: subjectCharacters, allowEmpty: false)
            let intro = v.string("intro", maxCharacters: introCharacters, allowEmpty: false)
            if subject?.contains(where: \.isNewline) == true { v.fail("subject", "must be one line") }
            let weight = v.integer("weight", in: Int64(VariantAssignment.allowedWeights.lowerBound)...Int64(VariantAssignment.allowedWeights.upperBound))
            v.rejectUnknownFields()
            r.absorb(v.issues)
            guard v.issues.isEmpty, let name else { return nil }
            return CampaignVariant(name: name, subject: subject, intro: intro, weight: weight.map(Int.init) ?? 1)
        }
    }
}
