import AdvocateCore
import Testing

// Expected instants were computed independently with Python's zoneinfo (tzdata), not with Foundation.

private func zone(_ identifier: String) throws -> SurveyTimeZone {
    try #require(SurveyTimeZone(validated: identifier), "\(identifier) should be a known zone")
}

private func time(_ text: String) throws -> LocalTime {
    try #require(LocalTime(text), "\(text) should be a time of day")
}

private func day(_ text: String) throws -> CalendarDay {
    try #require(CalendarDay(iso8601: text), "\(text) should be a day")
}

/// A schedule that must be valid.
private func schedule(start: String, spreadDays: Int = 0, at localTime: String? = nil, surveyZone: String = "UTC",
                      seed: UInt64 = 1) throws -> SendSchedule {
    try #require(SendSchedule(start: campaignInstant(start), spreadDays: spreadDays,
                              localTime: localTime.map(time), surveyTimeZone: zone(surveyZone), seed: seed))
}

/// The send time of one contact in `timeZone` on day 0.
private func firstSend(start: String, at localTime: String, contactZone: String?, surveyZone: String = "UTC") throws -> Timestamp {
    let sends = try schedule(start: start, at: localTime, surveyZone: surveyZone).sends(for: [campaignContact(1, timeZone: contactZone)])
    return try #require(sends.first).sendAt
}

@Suite("Campaign: LocalTime and SurveyTimeZone local instants")
struct CampaignLocalTimeTests {
    @Test("HH:MM times parse and print", arguments: ["00:00", "09:30", "23:59", "12:05"])
    func parses(text: String) throws {
        #expect(try time(text).description == text)
    }

    @Test("anything else is refused", arguments: ["24:00", "9:30", "09:60", "0930", "09:30:00", "ab:cd", "", "-1:00", "09.30"])
    func refuses(text: String) {
        #expect(LocalTime(text) == nil)
    }

    @Test("hour and minute are checked")
    func components() {
        #expect(LocalTime(hour: 23, minute: 59)?.description == "23:59")
        #expect(LocalTime(hour: 24) == nil)
        #expect(LocalTime(hour: 9, minute: -1) == nil)
        #expect(LocalTime(hour: 9)! < LocalTime(hour: 9, minute: 1)!)
    }

    @Test("ordinary local times have exactly one instant", arguments: [
        ("Europe/Istanbul", "2026-11-23", "09:00", "2026-11-23T06:00:00Z"),
        ("Asia/Kathmandu", "2026-11-23", "09:00", "2026-11-23T03:15:00Z"),
        ("Pacific/Auckland", "2026-11-23", "09:00", "2026-11-22T20:00:00Z"),
        ("UTC", "2026-11-23", "09:00", "2026-11-23T09:00:00Z"),
        ("America/New_York", "2026-03-08", "09:00", "2026-03-08T13:00:00Z"),
        ("America/New_York", "2026-03-07", "09:00", "2026-03-07T14:00:00Z"),
        ("America/New_York", "2026-11-01", "09:00", "2026-11-01T14:00:00Z"),
        ("Pacific/Apia", "2011-12-31", "12:00", "2011-12-30T22:00:00Z"),
    ])
    func single(identifier: String, date: String, clock: String, expected: String) throws {
        let z = try zone(identifier)
        #expect(try z.instants(of: time(clock), on: day(date)) == [campaignInstant(expected)])
        #expect(try z.instant(of: time(clock), on: day(date)) == campaignInstant(expected))
    }

    @Test("a repeated hour has two instants, and instant(of:on:) is the first", arguments: [
        ("America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"),
        ("Pacific/Auckland", "2026-04-05", "02:30", "2026-04-04T13:30:00Z", "2026-04-04T14:30:00Z"),
    ])
    func overlap(identifier: String, date: String, clock: String, first: String, second: String) throws {
        let z = try zone(identifier)
        #expect(try z.instants(of: time(clock), on: day(date)) == [campaignInstant(first), campaignInstant(second)])
        #expect(try z.instant(of: time(clock), on: day(date)) == campaignInstant(first))
    }

    @Test("a skipped time has no instant, and instant(of:on:) is the jump", arguments: [
        ("America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00:00Z"),
        ("America/New_York", "2026-03-08", "02:00", "2026-03-08T07:00:00Z"),
        ("Pacific/Auckland", "2026-09-27", "02:30", "2026-09-26T14:00:00Z"),
        // Samoa skipped 30 December 2011 entirely.
        ("Pacific/Apia", "2011-12-30", "12:00", "2011-12-30T10:00:00Z"),
    ])
    func gap(identifier: String, date: String, clock: String, jump: String) throws {
        let z = try zone(identifier)
        #expect(try z.instants(of: time(clock), on: day(date)).isEmpty)
        #expect(try z.instant(of: time(clock), on: day(date)) == campaignInstant(jump))
    }
}

@Suite("Campaign: SendSchedule")
struct CampaignScheduleTests {
    @Test("without a local time and without a spread, everyone is sent to at the start")
    func allAtStart() throws {
        let s = try schedule(start: "2026-11-22T09:17:00Z")
        let sends = s.sends(for: (1...50).map { campaignContact(Int64($0), timeZone: "Asia/Kathmandu") })
        #expect(sends.count == 50)
        #expect(sends.allSatisfy { $0.day == 0 && $0.sendAt == (try? campaignInstant("2026-11-22T09:17:00Z")) })
        #expect(sends.map(\.contactID) == (1...50).map { Int64($0) })
    }

    @Test("without a local time, day d sends at start + d days")
    func dayOffsets() throws {
        let s = try schedule(start: "2026-11-22T09:17:00Z", spreadDays: 5)
        let start = try campaignInstant("2026-11-22T09:17:00Z")
        for send in s.sends(for: (1...100).map { campaignContact(Int64($0)) }) {
            #expect(send.sendAt == start.adding(days: send.day))
        }
        #expect(s.sendTime(day: 3, timeZone: "Asia/Kathmandu") == start.adding(days: 3))
    }

    @Test("a spread gives the days equal shares, within one contact", arguments: [(700, 7), (1_000, 7), (10, 3), (5, 7), (99_999, 30)])
    func equalShares(contacts: Int, spreadDays: Int) throws {
        let s = try schedule(start: "2026-11-22T00:00:00Z", spreadDays: spreadDays)
        let days = s.days(for: (1...contacts).map { Int64($0) })
        var perDay = Array(repeating: 0, count: spreadDays)
        for d in days.values { perDay[d] += 1 }
        #expect(perDay.reduce(0, +) == contacts)
        let lower = contacts / spreadDays
        #expect(perDay.allSatisfy { $0 == lower || $0 == lower + 1 }, "\(perDay)")
    }

    @Test("spreads of 0 and 1 day put everyone on day 0")
    func noSpread() throws {
        for spreadDays in [0, 1] {
            let days = try schedule(start: "2026-11-22T00:00:00Z", spreadDays: spreadDays).days(for: (1...100).map { Int64($0) })
            #expect(Set(days.values) == [0])
        }
    }

    @Test("the deal is reproducible, independent of input order, and not the order of ids")
    func reproducibleDeal() throws {
        let ids = (1...7_000).map { Int64($0) }
        let s = try schedule(start: "2026-11-22T00:00:00Z", spreadDays: 7, seed: 42)
        let days = s.days(for: ids)
        var generator = SeededGenerator(seed: 3)
        #expect(s.days(for: ids.shuffled(using: &generator)) == days)
        #expect(try schedule(start: "2026-11-22T00:00:00Z", spreadDays: 7, seed: 42).days(for: ids) == days)
        #expect(try schedule(start: "2026-11-22T00:00:00Z", spreadDays: 7, seed: 43).days(for: ids) != days)
        // Day 0 is not simply the lowest ids: its ids come from the whole range.
        let dayZero = days.filter { $0.value == 0 }.map(\.key)
        #expect(try #require(dayZero.min()) < 100)
        #expect(try #require(dayZero.max()) > 6_900)
        let sends = s.sends(for: ids.map { campaignContact($0) })
        #expect(sends == s.sends(for: ids.reversed().map { campaignContact($0) }))
    }

    @Test("a contact listed twice is scheduled once")
    func duplicates() throws {
        let s = try schedule(start: "2026-11-22T00:00:00Z", spreadDays: 3)
        let sends = s.sends(for: [campaignContact(1), campaignContact(2), campaignContact(1)])
        #expect(sends.map(\.contactID).sorted() == [1, 2])
    }

    @Test("Europe/Istanbul (+03:00) at 09:00: the same day when the start is earlier, the next day when later", arguments: [
        ("2026-11-22T05:00:00Z", "2026-11-22T06:00:00Z"),
        ("2026-11-22T06:00:00Z", "2026-11-22T06:00:00Z"),
        ("2026-11-22T06:00:00.001Z", "2026-11-23T06:00:00Z"),
        ("2026-11-22T12:00:00Z", "2026-11-23T06:00:00Z"),
        ("2026-11-22T21:30:00Z", "2026-11-23T06:00:00Z"),
    ])
    func istanbul(start: String, expected: String) throws {
        #expect(try firstSend(start: start, at: "09:00", contactZone: "Europe/Istanbul") == campaignInstant(expected))
    }

    @Test("Asia/Kathmandu (+05:45) and UTC at 09:00")
    func kathmanduAndUTC() throws {
        #expect(try firstSend(start: "2026-11-22T00:00:00Z", at: "09:00", contactZone: "Asia/Kathmandu") == campaignInstant("2026-11-22T03:15:00Z"))
        #expect(try firstSend(start: "2026-11-22T03:16:00Z", at: "09:00", contactZone: "Asia/Kathmandu") == campaignInstant("2026-11-23T03:15:00Z"))
        #expect(try firstSend(start: "2026-11-22T00:00:00Z", at: "09:00", contactZone: "UTC") == campaignInstant("2026-11-22T09:00:00Z"))
    }

    @Test("America/New_York over the March change: 09:00 is 14:00 UTC before and 13:00 UTC after")
    func newYorkMarch() throws {
        let s = try schedule(start: "2026-03-06T12:00:00Z", spreadDays: 3, at: "09:00")
        #expect(s.sendTime(day: 0, timeZone: "America/New_York") == (try campaignInstant("2026-03-06T14:00:00Z")))
        #expect(s.sendTime(day: 1, timeZone: "America/New_York") == (try campaignInstant("2026-03-07T14:00:00Z")))
        #expect(s.sendTime(day: 2, timeZone: "America/New_York") == (try campaignInstant("2026-03-08T13:00:00Z")))
    }

    @Test("America/New_York on the March change: 02:30 does not exist and is sent at the jump, 07:00 UTC", arguments: [
        ("2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z"),
        ("2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z"),
        ("2026-03-08T07:00:00Z", "2026-03-08T07:00:00Z"),
        // Once the jump has passed, the next 02:30 is the next day's (EDT, 06:30 UTC).
        ("2026-03-08T07:00:01Z", "2026-03-09T06:30:00Z"),
    ])
    func newYorkGap(start: String, expected: String) throws {
        #expect(try firstSend(start: start, at: "02:30", contactZone: "America/New_York") == campaignInstant(expected))
    }

    @Test("America/New_York on the November change: 01:30 happens twice; the first is used unless the window opens between", arguments: [
        ("2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z"),
        ("2026-11-01T05:30:00Z", "2026-11-01T05:30:00Z"),
        ("2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z"),
        ("2026-11-01T06:30:01Z", "2026-11-02T06:30:00Z"),
    ])
    func newYorkOverlap(start: String, expected: String) throws {
        #expect(try firstSend(start: start, at: "01:30", contactZone: "America/New_York") == campaignInstant(expected))
    }

    @Test("America/New_York over the November change: 09:00 is 13:00 UTC before and 14:00 UTC after")
    func newYorkNovember() throws {
        let s = try schedule(start: "2026-10-31T12:00:00Z", spreadDays: 2, at: "09:00")
        #expect(s.sendTime(day: 0, timeZone: "America/New_York") == (try campaignInstant("2026-10-31T13:00:00Z")))
        #expect(s.sendTime(day: 1, timeZone: "America/New_York") == (try campaignInstant("2026-11-01T14:00:00Z")))
    }

    @Test("Pacific/Auckland: the September gap and the April overlap")
    func auckland() throws {
        #expect(try firstSend(start: "2026-09-26T12:00:00Z", at: "02:30", contactZone: "Pacific/Auckland") == campaignInstant("2026-09-26T14:00:00Z"))
        #expect(try firstSend(start: "2026-04-04T11:00:00Z", at: "02:30", contactZone: "Pacific/Auckland") == campaignInstant("2026-04-04T13:30:00Z"))
        // 09:00 in Auckland is the previous UTC day.
        #expect(try firstSend(start: "2026-11-22T00:00:00Z", at: "09:00", contactZone: "Pacific/Auckland") == campaignInstant("2026-11-22T20:00:00Z"))
    }

    @Test("a contact without a valid zone gets the survey's zone", arguments: [nil, "Mars/Olympus_Mons", "europe/istanbul", ""] as [String?])
    func fallback(contactZone: String?) throws {
        let viaSurvey = try firstSend(start: "2026-11-22T00:00:00Z", at: "09:00", contactZone: contactZone, surveyZone: "Europe/Istanbul")
        #expect(try viaSurvey == campaignInstant("2026-11-22T06:00:00Z"))
        let s = try schedule(start: "2026-11-22T00:00:00Z", at: "09:00", surveyZone: "Europe/Istanbul")
        #expect(s.sendTime(day: 0, timeZone: contactZone) == viaSurvey)
    }

    @Test("contacts in different zones each get their own 09:00")
    func mixedZones() throws {
        let s = try schedule(start: "2026-11-22T00:00:00Z", at: "09:00", surveyZone: "Europe/Istanbul")
        let sends = s.sends(for: [campaignContact(1, timeZone: "Asia/Kathmandu"), campaignContact(2, timeZone: "UTC"),
                                  campaignContact(3), campaignContact(4, timeZone: "Pacific/Auckland")])
        // Ordered by send time.
        #expect(try sends == [
            SendSchedule.Send(contactID: 1, day: 0, sendAt: campaignInstant("2026-11-22T03:15:00Z")),
            SendSchedule.Send(contactID: 3, day: 0, sendAt: campaignInstant("2026-11-22T06:00:00Z")),
            SendSchedule.Send(contactID: 2, day: 0, sendAt: campaignInstant("2026-11-22T09:00:00Z")),
            SendSchedule.Send(contactID: 4, day: 0, sendAt: campaignInstant("2026-11-22T20:00:00Z")),
        ])
    }

    @Test("never before the window: every send is the first instant at or after start + d days showing the local time", arguments: [
        "America/New_York", "Pacific/Auckland", "Asia/Kathmandu", "Europe/Istanbul", "UTC", "Australia/Lord_Howe", "America/Santiago",
    ])
    func firstInstantAfterWindow(identifier: String) throws {
        let z = try zone(identifier)
        var generator = SeededGenerator(seed: 2026)
        for _ in 0..<40 {
            // Starts across 2026 (both changes of every zone here), at any minute.
            let start = Timestamp(milliseconds: 1_767_225_600_000 + Int64.random(in: 0..<365 * 1_440, using: &generator) * 60_000)
            let localTime = try #require(LocalTime(hour: Int.random(in: 0...23, using: &generator),
                                                   minute: [0, 15, 30, 45][Int.random(in: 0...3, using: &generator)]))
            let s = try #require(SendSchedule(start: start, spreadDays: 3, localTime: localTime, surveyTimeZone: .utc, seed: 1))
            let d = Int.random(in: 0...2, using: &generator)
            let window = start.adding(days: d)
            let t = s.sendTime(day: d, timeZone: identifier)
            #expect(t >= window && t >= start)
            let target = Int64(localTime.hour * 60 + localTime.minute)
            func localMinute(_ instant: Timestamp) -> Int64 {
                let local = instant.milliseconds + Int64(z.offsetSeconds(at: instant)) * 1000
                return ((local % 86_400_000 + 86_400_000) % 86_400_000) / 60_000
            }
            // t shows the time, or the clock jumped over it at t.
            let before = t.adding(milliseconds: -60_000)
            let shows = localMinute(t) == target && (t.milliseconds + Int64(z.offsetSeconds(at: t)) * 1000) % 60_000 == 0
            let jumpedOver = z.offsetSeconds(at: before) < z.offsetSeconds(at: t)
            #expect(shows || jumpedOver, "\(identifier) \(localTime) from \(window): \(t)")
            // No earlier whole minute in the window shows it.
            let firstMinute = (window.milliseconds + 59_999) / 60_000 * 60_000
            let earlier = stride(from: firstMinute, to: t.milliseconds, by: 60_000)
                .first { localMinute(Timestamp(milliseconds: $0)) == target }
            #expect(earlier == nil, "\(identifier) \(localTime) from \(window): \(earlier.map { Timestamp(milliseconds: $0) }?.rfc3339 ?? "") came before \(t)")
            #expect(t.milliseconds - window.milliseconds <= 26 * 3_600_000)
        }
    }

    @Test("spread days are checked: 0 to 365")
    func spreadRange() throws {
        let start = try campaignInstant("2026-11-22T00:00:00Z")
        for (days, accepted) in [(-1, false), (0, true), (365, true), (366, false)] {
            #expect((SendSchedule(start: start, spreadDays: days, surveyTimeZone: .utc, seed: 0) != nil) == accepted)
        }
    }
}
