/// A date on the proleptic Gregorian calendar, counted in days since 1970-01-01.
///
/// Reports group by day, ISO week and month in the survey's time zone. The local day of each
/// response is computed once in Swift when it arrives and stored as this integer, so every
/// report is a plain `GROUP BY` on both databases.
public struct CalendarDay: Sendable, Hashable, Comparable, Strideable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public let daysSinceEpoch: Int

    /// Creates a day from its offset to 1970-01-01.
    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// Creates a day from a valid calendar date; nil for dates such as 2026-02-30.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
              (1...9999).contains(year) else { return nil }
        self.daysSinceEpoch = Self.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso8601 text: some StringProtocol) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
    public func distance(to other: CalendarDay) -> Int { other.daysSinceEpoch - daysSinceEpoch }
    public func advanced(by n: Int) -> CalendarDay { CalendarDay(daysSinceEpoch: daysSinceEpoch + n) }

    /// Year, month and day of month.
    public var components: (year: Int, month: Int, day: Int) { Self.civilFromDays(daysSinceEpoch) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// The Monday that starts this day's ISO 8601 week.
    public var weekStart: CalendarDay {
        // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
        let offset = ((daysSinceEpoch + 3) % 7 + 7) % 7
        return CalendarDay(daysSinceEpoch: daysSinceEpoch - offset)
    }

    /// The first day of this day's month.
    public var monthStart: CalendarDay {
        let c = components
        return CalendarDay(daysSinceEpoch: Self.daysFromCivil(year: c.year, month: c.month, day: 1))
    }

    /// The first instant of this day in a time zone given by its offset function.
    public func start(in zone: SurveyTimeZone) -> Timestamp { zone.startOfDay(self) }

    // MARK: - Civil calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days)

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
