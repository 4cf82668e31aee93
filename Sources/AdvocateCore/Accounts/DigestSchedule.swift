/// When digests are due and what they cover: at 08:00 in the user's zone, every day about the
/// day before (daily), or on Mondays about the week before, Monday to Sunday (weekly). Pure.
public enum DigestSchedule {
    /// The local hour a digest goes out.
    public static let hour = 8

    /// What one digest covers, and the period it is compared with.
    public struct Period: Sendable, Hashable {
        /// Unique per user, workspace and period: the store records it so the digest goes once.
        public var key: String
        public var from: CalendarDay
        public var to: CalendarDay
        public var previousFrom: CalendarDay
        public var previousTo: CalendarDay
    }

    /// The latest period due at `now` (the one whose 08:00 has passed most recently), or nil when off.
    public static func due(_ frequency: DigestFrequency, zone: SurveyTimeZone, now: Timestamp) -> Period? {
        var today = zone.day(containing: now)
        if now < sendTime(of: today, zone: zone) { today = today.advanced(by: -1) }
        switch frequency {
        case .off:
            return nil
        case .daily:
            let day = today.advanced(by: -1)
            return Period(key: "daily:\(day)", from: day, to: day, previousFrom: day.advanced(by: -1), previousTo: day.advanced(by: -1))
        case .weekly:
            // The latest Monday whose 08:00 has passed; the week before it.
            let monday = today.weekStart
            let from = monday.advanced(by: -7)
            return Period(key: "weekly:\(from)", from: from, to: monday.advanced(by: -1), previousFrom: from.advanced(by: -7), previousTo: from.advanced(by: -1))
        }
    }

    /// 08:00 of a local day, as an instant (where 08:00 does not exist that day, the hour after).
    public static func sendTime(of day: CalendarDay, zone: SurveyTimeZone) -> Timestamp {
        let midnight = zone.startOfDay(day)
        let guess = midnight.adding(milliseconds: Int64(hour) * 3_600_000)
        // A daylight-saving change between midnight and 08:00 moves the wall clock by its size.
        let drift = Int64(zone.offsetSeconds(at: midnight) - zone.offsetSeconds(at: guess)) * 1000
        return guess.adding(milliseconds: drift)
    }
}
