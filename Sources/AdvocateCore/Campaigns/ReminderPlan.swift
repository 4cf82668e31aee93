/// Reminders to contacts who have not answered: how many, and how long after the previous message.
///
/// Capped at two, so a contact gets at most three e-mails per campaign: beyond that response
/// rates barely move while complaints and unsubscribes do. A reminder is timed from the previous
/// message as actually sent (`nextReminder`), so a late first send does not squeeze the gap.
/// Days are whole 24-hour days, so a reminder arrives at the local time of the message before it
/// except across a daylight-saving change, where it moves by that hour.
public struct ReminderPlan: Sendable, Hashable {
    /// Accepted reminder counts.
    public static let allowedCounts = 0...2
    /// Accepted gaps in days between messages.
    public static let allowedAfterDays = 1...30
    /// One reminder by default: it recovers people who missed the first e-mail; a second is a choice.
    public static let defaultCount = 1
    /// Three days by default: long enough that the first e-mail has been seen.
    public static let defaultAfterDays = 3
    /// The first e-mail plus every reminder a plan can hold.
    public static let maxMessagesPerContact = 1 + allowedCounts.upperBound

    /// Reminders per contact, 0…2.
    public let count: Int
    /// Days after the previous message, 1…30.
    public let afterDays: Int

    /// A plan; nil when a value is outside its range.
    public init?(count: Int = defaultCount, afterDays: Int = defaultAfterDays) {
        guard Self.allowedCounts.contains(count), Self.allowedAfterDays.contains(afterDays) else { return nil }
        self.count = count
        self.afterDays = afterDays
    }

    /// One reminder after three days.
    public static let `default` = ReminderPlan()!
    /// No reminders.
    public static let none = ReminderPlan(count: 0)!

    /// The planned reminder times for a first e-mail sent at `initialSendAt`, for previews.
    public func reminderTimes(initialSendAt: Timestamp) -> [Timestamp] {
        (0..<count).map { initialSendAt.adding(days: afterDays * ($0 + 1)) }
    }

    /// When to send the next reminder, given how many messages (first e-mail included) went out,
    /// the last at `lastSentAt`; nil when the contact has answered or the plan is used up.
    public func nextReminder(messagesSent: Int, lastSentAt: Timestamp, hasResponded: Bool) -> Timestamp? {
        guard !hasResponded, messagesSent >= 1,
              messagesSent < min(1 + count, Self.maxMessagesPerContact) else { return nil }
        return lastSentAt.adding(days: afterDays)
    }

    // MARK: - JSON

    /// Reads `{"count": 1, "after_days": 3}`; either may be left out for its default.
    public static func decode(_ json: JSONValue, path: String = "") throws(ValidationError) -> ReminderPlan {
        let r = InputReader(json, path: path)
        let count = r.integer("count", in: Int64(allowedCounts.lowerBound)...Int64(allowedCounts.upperBound))
        let after = r.integer("after_days", in: Int64(allowedAfterDays.lowerBound)...Int64(allowedAfterDays.upperBound))
        try r.finish()
        // Both are in range here, so the plan exists.
        return ReminderPlan(count: count.map { Int($0) } ?? defaultCount,
                            afterDays: after.map { Int($0) } ?? defaultAfterDays) ?? .default
    }

    /// The plan as JSON, in the shape `decode` reads.
    public var json: JSONValue {
        .object(["count": .integer(Int64(count)), "after_days": .integer(Int64(afterDays))])
    }
}
