/// The survey-fatigue rule: a contact who was invited, or who answered, within the last `days`
/// days is not invited again.
///
/// It spans every survey and channel of the workspace: the caller passes the contact's latest
/// invitation and latest response wherever they happened. Reminders of an invitation already sent
/// are not new invitations and are not throttled (`ReminderPlan` bounds them).
///
/// Days are whole 24-hour days (86,400,000 ms), as for survey rounds, so the rule does not move
/// with daylight saving time; exactly `days` days after the last contact the contact is eligible.
public struct Throttle: Sendable, Hashable {
    /// Accepted values of `days`; 0 turns the rule off.
    public static let allowedDays = 0...Limits.throttleDays
    /// The default: once a quarter, the usual cadence of relationship NPS.
    public static let defaultDays = 90

    /// The length of the quiet period; 0 when off.
    public let days: Int

    /// A rule of `days` days; nil outside `allowedDays`.
    public init?(days: Int) {
        guard Self.allowedDays.contains(days) else { return nil }
        self.days = days
    }

    /// 90 days.
    public static let `default` = Throttle(days: defaultDays)!
    /// No throttling.
    public static let off = Throttle(days: 0)!

    /// What the rule says about one contact.
    public enum Decision: Sendable, Hashable {
        /// May be invited now.
        case eligible
        /// Not before `until`.
        case throttled(until: Timestamp)
    }

    /// Whether a contact last invited at `lastInvitedAt` and last answering at `lastRespondedAt`
    /// (nil when never) may be invited at `now`.
    public func decision(lastInvitedAt: Timestamp?, lastRespondedAt: Timestamp?, now: Timestamp) -> Decision {
        guard days > 0 else { return .eligible }
        let latest = [lastInvitedAt, lastRespondedAt].compactMap { $0 }.max()
        guard let latest else { return .eligible }
        let until = latest.adding(days: days)
        return now >= until ? .eligible : .throttled(until: until)
    }
}
