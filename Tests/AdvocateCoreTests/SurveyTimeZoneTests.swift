import AdvocateCore
import Testing

private func zone(_ identifier: String) throws -> SurveyTimeZone {
    try #require(SurveyTimeZone(validated: identifier), "\(identifier) should be a known zone")
}

private func instant(_ text: String) throws -> Timestamp {
    try #require(Timestamp(rfc3339: text), "\(text) should parse")
}

private func day(_ text: String) throws -> CalendarDay {
    try #require(CalendarDay(iso8601: text), "\(text) should be a valid day")
}

@Suite("SurveyTimeZone")
struct SurveyTimeZoneTests {
    @Test("IANA identifiers are accepted and kept", arguments: [
        "UTC", "Europe/Istanbul", "America/New_York", "Asia/Kathmandu", "Asia/Almaty", "Pacific/Chatham",
    ])
    func acceptsKnownZones(identifier: String) throws {
        #expect(try zone(identifier).identifier == identifier)
    }

    @Test("unknown or malformed identifiers are rejected", arguments: [
        "", "Mars/Olympus_Mons", "Europe/Istanbull", "europe/istanbul", "not a zone", "Europe/Istanbul ",
        "Europe/Istanbul/", "../etc/passwd", String(repeating: "A", count: 65),
    ])
    func rejectsUnknownZones(identifier: String) {
        #expect(SurveyTimeZone(validated: identifier) == nil)
    }

    @Test("zones are equal exactly when their identifiers are")
    func equality() throws {
        #expect(try zone("Europe/Istanbul") == zone("Europe/Istanbul"))
        #expect(try zone("Europe/Istanbul") != zone("Asia/Kathmandu"))
        #expect(SurveyTimeZone.utc.identifier == "UTC")
    }

    @Test("Europe/Istanbul (+03:00): the local day turns at 21:00 UTC")
    func istanbul() throws {
        let z = try zone("Europe/Istanbul")
        #expect(try z.offsetSeconds(at: instant("2026-11-22T12:00:00Z")) == 3 * 3600)
        #expect(try z.day(containing: instant("2026-11-22T20:59:59.999Z")) == day("2026-11-22"))
        #expect(try z.day(containing: instant("2026-11-22T21:00:00Z")) == day("2026-11-23"))
        #expect(try z.day(containing: instant("2026-11-22T00:30:00Z")) == day("2026-11-22"))
        #expect(try z.startOfDay(day("2026-11-23")) == instant("2026-11-22T21:00:00Z"))
    }

    @Test("UTC days are UTC days, also before 1970")
    func utc() throws {
        let z = SurveyTimeZone.utc
        #expect(z.day(containing: Timestamp(milliseconds: 0)) == CalendarDay(daysSinceEpoch: 0))
        #expect(z.day(containing: Timestamp(milliseconds: -1)) == CalendarDay(daysSinceEpoch: -1))
        #expect(z.startOfDay(CalendarDay(daysSinceEpoch: -1)) == Timestamp(milliseconds: -86_400_000))
        #expect(try day("2026-11-22").start(in: z) == instant("2026-11-22T00:00:00Z"))
    }

    @Test("America/New_York across the March 2026 change: midnight is 05:00 UTC before, 04:00 UTC after")
    func newYorkSpringForward() throws {
        let z = try zone("America/New_York")
        #expect(try z.offsetSeconds(at: instant("2026-03-08T06:59:59Z")) == -5 * 3600)
        #expect(try z.offsetSeconds(at: instant("2026-03-08T07:00:00Z")) == -4 * 3600)
        #expect(try z.day(containing: instant("2026-03-08T04:59:59.999Z")) == day("2026-03-07"))
        #expect(try z.day(containing: instant("2026-03-08T05:00:00Z")) == day("2026-03-08"))
        #expect(try z.day(containing: instant("2026-03-09T03:59:59.999Z")) == day("2026-03-08"))
        #expect(try z.day(containing: instant("2026-03-09T04:00:00Z")) == day("2026-03-09"))
        let start = try z.startOfDay(day("2026-03-08"))
        let next = try z.startOfDay(day("2026-03-09"))
        #expect(try start == instant("2026-03-08T05:00:00Z"))
        #expect(try next == instant("2026-03-09T04:00:00Z"))
        #expect(next.milliseconds - start.milliseconds == 23 * 3_600_000)
    }

    @Test("America/New_York across the November 2026 change: that local day lasts 25 hours")
    func newYorkFallBack() throws {
        let z = try zone("America/New_York")
        let start = try z.startOfDay(day("2026-11-01"))
        let next = try z.startOfDay(day("2026-11-02"))
        #expect(try start == instant("2026-11-01T04:00:00Z"))
        #expect(try next == instant("2026-11-02T05:00:00Z"))
        #expect(next.milliseconds - start.milliseconds == 25 * 3_600_000)
        #expect(try z.day(containing: instant("2026-11-02T04:59:59.999Z")) == day("2026-11-01"))
    }

    @Test("Asia/Kathmandu (+05:45): the local day turns at 18:15 UTC")
    func kathmandu() throws {
        let z = try zone("Asia/Kathmandu")
        #expect(try z.offsetSeconds(at: instant("2026-11-22T12:00:00Z")) == 5 * 3600 + 45 * 60)
        #expect(try z.day(containing: instant("2026-11-22T18:14:59.999Z")) == day("2026-11-22"))
        #expect(try z.day(containing: instant("2026-11-22T18:15:00Z")) == day("2026-11-23"))
        #expect(try z.startOfDay(day("2026-11-23")) == instant("2026-11-22T18:15:00Z"))
    }

    @Test("startOfDay is the first instant whose local day is that day (every day of 2024 to 2027)", arguments: [
        "UTC", "Europe/Istanbul", "America/New_York", "Asia/Kathmandu", "Europe/London", "Australia/Lord_Howe",
        "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago",
        // Clocks jump at local midnight in these, so that midnight does not exist on one day a year.
        "America/Santiago", "America/Havana", "Asia/Beirut", "Africa/Cairo",
    ])
    func startOfDayInvertsDayContaining(identifier: String) throws {
        let z = try zone(identifier)
        for d in try day("2024-01-01")...day("2027-12-31") {
            let start = z.startOfDay(d)
            #expect(z.day(containing: start) == d, "\(identifier): startOfDay(\(d)) = \(start) is on \(z.day(containing: start))")
            #expect(z.day(containing: start.adding(milliseconds: -1)) == d.advanced(by: -1),
                    "\(identifier): the instant before startOfDay(\(d)) = \(start) is not on the previous day")
        }
    }
}
