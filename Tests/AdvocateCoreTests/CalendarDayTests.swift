import AdvocateCore
import Testing

/// Parses a day the test knows to be valid.
private func day(_ text: String) throws -> CalendarDay {
    try #require(CalendarDay(iso8601: text), "\(text) should be a valid day")
}

/// 2026-11-16, a Monday, as an independent anchor for weekday arithmetic.
private let knownMonday = 20_773

@Suite("CalendarDay: parsing and formatting")
struct CalendarDayParsingTests {
    @Test("ISO dates parse to their offset from 1970-01-01", arguments: [
        ("1970-01-01", 0),
        ("1970-01-02", 1),
        ("1969-12-31", -1),
        ("2000-02-29", 11_016),
        ("2024-02-29", 19_782),
        ("2026-11-22", 20_779),
        ("1900-03-01", -25_508),
        ("0001-01-01", -719_162),
        ("9999-12-31", 2_932_896),
    ])
    func parses(text: String, days: Int) throws {
        #expect(try day(text).daysSinceEpoch == days)
        #expect(CalendarDay(daysSinceEpoch: days).description == text)
    }

    @Test("components give year, month and day of month")
    func components() throws {
        let c = try day("2026-11-22").components
        #expect(c.year == 2026 && c.month == 11 && c.day == 22)
        let before = CalendarDay(daysSinceEpoch: -1).components
        #expect(before.year == 1969 && before.month == 12 && before.day == 31)
    }

    @Test("year/month/day initialiser agrees with ISO parsing")
    func componentInitialiser() throws {
        let expected = try day("2026-11-22")
        #expect(CalendarDay(year: 2026, month: 11, day: 22) == expected)
        #expect(CalendarDay(year: 2026, month: 2, day: 30) == nil)
        #expect(CalendarDay(year: 2026, month: 4, day: 31) == nil)
        #expect(CalendarDay(year: 2026, month: 0, day: 1) == nil)
        #expect(CalendarDay(year: 0, month: 1, day: 1) == nil)
        #expect(CalendarDay(year: 10_000, month: 1, day: 1) == nil)
    }

    @Test("malformed and impossible dates are rejected", arguments: [
        "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-01", "2026-01-00", "2026-01-32",
        "0000-01-01", "2026-1-01", "2026-01-1", "20261122", "2026/11/22", "2026-11-22 ",
        " 2026-11-22", "2026-11-22T00:00:00Z", "+026-11-22", "-026-11-22", "2026-1a-22", "", "garbage!!",
    ])
    func rejects(text: String) {
        #expect(CalendarDay(iso8601: text) == nil)
    }

    @Test("leap years: every 4th, not every 100th, but every 400th", arguments: [
        ("2024-02-29", true),
        ("2023-02-29", false),
        ("2000-02-29", true),
        ("1900-02-29", false),
        ("2100-02-29", false),
        ("2400-02-29", true),
        ("1996-02-29", true),
        ("2024-02-30", false),
    ])
    func leapYears(text: String, valid: Bool) {
        #expect((CalendarDay(iso8601: text) != nil) == valid)
    }

    @Test("every day from 1800 to 2200 formats, parses back, and follows the previous day")
    func everyDayRoundTrips() throws {
        let first = try day("1800-01-01")
        let last = try day("2200-12-31")
        var previous = first.advanced(by: -1).components
        for d in first...last {
            let c = d.components
            #expect(CalendarDay(iso8601: d.description) == d)
            #expect(CalendarDay(year: c.year, month: c.month, day: c.day) == d)
            // The next day is the next day of the month, or the first of the next month/year.
            let sameMonth = c.year == previous.year && c.month == previous.month && c.day == previous.day + 1
            let nextMonth = c.day == 1 && ((c.year == previous.year && c.month == previous.month + 1)
                || (c.year == previous.year + 1 && c.month == 1 && previous.month == 12 && previous.day == 31))
            #expect(sameMonth || nextMonth, "\(d) does not follow \(previous)")
            previous = c
        }
    }
}

@Suite("CalendarDay: weeks, months and striding")
struct CalendarDayArithmeticTests {
    @Test("weekStart is the Monday of the ISO week", arguments: [
        ("2026-11-22", "2026-11-16"),  // Sunday belongs to the week that began on Monday
        ("2026-11-16", "2026-11-16"),  // Monday is its own week start
        ("2026-11-17", "2026-11-16"),
        ("2026-11-21", "2026-11-16"),
        ("2026-11-23", "2026-11-23"),
        ("1970-01-01", "1969-12-29"),  // Thursday
        ("1969-12-28", "1969-12-22"),  // Sunday before 1970
        ("1969-12-29", "1969-12-29"),
        ("2027-01-01", "2026-12-28"),  // across a year end
        ("2024-03-01", "2024-02-26"),  // across a leap day
    ])
    func weekStart(of text: String, expected: String) throws {
        #expect(try day(text).weekStart.description == expected)
    }

    @Test("weekStart is always a Monday at most six days earlier")
    func weekStartProperties() {
        for n in -800...800 {
            let d = CalendarDay(daysSinceEpoch: n)
            let w = d.weekStart
            #expect(((w.daysSinceEpoch - knownMonday) % 7 + 7) % 7 == 0, "\(w) is not a Monday")
            #expect(w <= d && w.distance(to: d) < 7)
        }
    }

    @Test("monthStart is the first of the month", arguments: [
        ("2026-11-22", "2026-11-01"),
        ("2026-11-01", "2026-11-01"),
        ("2024-02-29", "2024-02-01"),
        ("2026-12-31", "2026-12-01"),
        ("1969-12-31", "1969-12-01"),
        ("1970-01-01", "1970-01-01"),
    ])
    func monthStart(of text: String, expected: String) throws {
        #expect(try day(text).monthStart.description == expected)
    }

    @Test("striding walks day by day across month and leap-day boundaries")
    func stride() throws {
        let days = Swift.stride(from: try day("2024-02-27"), through: try day("2024-03-01"), by: 1).map(\.description)
        #expect(days == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"])
        let weekly = Swift.stride(from: try day("2026-11-02"), to: try day("2026-11-30"), by: 7).map(\.description)
        #expect(weekly == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"])
    }

    @Test("distance and advanced(by:) are inverse and ordering follows the calendar")
    func distanceAndOrder() throws {
        let a = try day("2023-12-31")
        let b = try day("2024-03-01")
        #expect(a.distance(to: b) == 61)
        #expect(b.distance(to: a) == -61)
        #expect(a.advanced(by: 61) == b)
        #expect(a < b)
        #expect(!(b < a))
        #expect((a...b).count == 62)
    }
}
