/// "Survey X, N minutes after event Y, only if its properties match": a transactional survey
/// scheduled by an event of the customer's product (a support ticket closed, a course completed).
public struct TriggerRule: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var surveyID: Int64
    /// The event that fires it (`ticket.closed`).
    public var eventName: String
    /// Minutes between the event and the invitation (0: at once).
    public var delayMinutes: Int
    /// Conditions on the event's properties, falling back to the contact's (event values win).
    public var conditions: ContactFilter
    /// The per-contact throttle across all surveys and channels (0: off).
    public var throttleDays: Int
    /// Reminders to non-respondents (0…2).
    public var reminders: Int
    public var enabled: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: Int64 = 0, workspaceID: Int64 = 0, surveyID: Int64 = 0, eventName: String = "", delayMinutes: Int = 0,
                conditions: ContactFilter = .everyone, throttleDays: Int = Throttle.defaultDays, reminders: Int = 0,
                enabled: Bool = true, createdAt: Timestamp = Timestamp(milliseconds: 0), updatedAt: Timestamp = Timestamp(milliseconds: 0)) {
        self.id = id
        self.workspaceID = workspaceID
        self.surveyID = surveyID
        self.eventName = eventName
        self.delayMinutes = delayMinutes
        self.conditions = conditions
        self.throttleDays = throttleDays
        self.reminders = reminders
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Up to 90 days between an event and its survey.
    public static let allowedDelayMinutes: ClosedRange<Int64> = 0...(90 * 24 * 60)

    /// Whether an event with `properties` of `contact` fires this rule.
    public func matches(contact: Contact, eventProperties: Properties) -> Bool {
        var seen = contact
        seen.properties = contact.properties.merging(eventProperties) { _, event in event }
        return conditions.matches(seen)
    }

    /// When the invitation of an event that happened at `occurredAt` is due (never in the past).
    public func sendAt(occurredAt: Timestamp, now: Timestamp) -> Timestamp {
        max(occurredAt.adding(milliseconds: Int64(delayMinutes) * 60_000), now)
    }

    /// Reads a create or patch body's fields over `base` (`survey_id` is the caller's).
    public static func read(_ r: InputReader, over base: TriggerRule, creating: Bool) -> TriggerRule {
        var rule = base
        if let name = r.string("event", required: creating, maxCharacters: 100, nullable: false) {
            if WidgetSettings.isEventName(name) { rule.eventName = name } else {
                r.fail("event", "must be 1 to 100 letters, digits, '.', '_', '-' or ':'")
            }
        }
        if let v = r.integer("delay_minutes", in: allowedDelayMinutes) { rule.delayMinutes = Int(v) }
        if r.has("conditions") { rule.conditions = r.contactFilter("conditions") ?? .everyone }
        if let v = r.throttle("throttle_days") { rule.throttleDays = v.days }
        let counts = ReminderPlan.allowedCounts
        if let v = r.integer("reminders", in: Int64(counts.lowerBound)...Int64(counts.upperBound)) { rule.reminders = Int(v) }
        if let v = r.value("enabled") {
            if case .bool(let b) = v { rule.enabled = b } else { r.fail("enabled", "must be true or false") }
        }
        return rule
    }
}
