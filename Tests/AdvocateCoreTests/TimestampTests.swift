import AdvocateCore
import Testing

/// 2026-11-22T08:30:00Z, the reference instant of these tests.
private let reference: Int64 = 1_795_336_200_000

@Suite("Timestamp: RFC 3339 parsing")
struct TimestampParsingTests {
    @Test("UTC, positive and negative offsets and lowercase t/z all give the same instant", arguments: [
        "2026-11-22T08:30:00Z",
        "2026-11-22T11:30:00+03:00",
        "2026-11-22T03:00:00-05:30",
        "2026-11-22T14:15:00+05:45",
        "2026-11-22T08:30:00+00:00",
        "2026-11-22T08:30:00-00:00",
        "2026-11-22t08:30:00z",
        "2026-11-22t11:30:00+03:00",
    ])
    func parsesZones(text: String) throws {
        let t = try #require(Timestamp(rfc3339: text))
        #expect(t.milliseconds == reference)
    }

    @Test("an offset moves the instant by exactly that many minutes", arguments: [
        ("2026-11-22T08:30:00+03:00", Int64(-3 * 3_600_000)),
        ("2026-11-22T08:30:00-05:30", Int64(5 * 3_600_000 + 30 * 60_000)),
        ("2026-11-22T08:30:00+23:59", Int64(-(23 * 3_600_000 + 59 * 60_000))),
    ])
    func offsetShiftsInstant(text: String, delta: Int64) throws {
        let t = try #require(Timestamp(rfc3339: text))
        #expect(t.milliseconds - reference == delta)
    }

    @Test("fractions of 1 to 9 digits are read as milliseconds, extra digits truncated not rounded", arguments: [
        ("2026-11-22T08:30:00.5Z", Int64(500)),
        ("2026-11-22T08:30:00.05Z", Int64(50)),
        ("2026-11-22T08:30:00.123Z", Int64(123)),
        ("2026-11-22T08:30:00.123456Z", Int64(123)),
        ("2026-11-22T08:30:00.999999Z", Int64(999)),
        ("2026-11-22T08:30:00.000000001Z", Int64(0)),
        ("2026-11-22T11:30:00.250+03:00", Int64(250)),
    ])
    func parsesFractions(text: String, extraMilliseconds: Int64) throws {
        let t = try #require(Timestamp(rfc3339: text))
        #expect(t.milliseconds == reference + extraMilliseconds)
    }

    @Test("a space instead of T is accepted (RFC 3339 section 5.6 allows it)")
    func acceptsSpaceSeparator() throws {
        let t = try #require(Timestamp(rfc3339: "2026-11-22 08:30:00Z"))
        #expect(t.milliseconds == reference)
    }

    @Test("instants before 1970 are negative")
    func parsesBeforeEpoch() throws {
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59.999Z")?.milliseconds == -1)
        #expect(Timestamp(rfc3339: "1900-01-01T00:00:00Z")?.milliseconds == -2_208_988_800_000)
        #expect(Timestamp(rfc3339: "1970-01-01T02:00:00+03:00")?.milliseconds == -3_600_000)
    }

    @Test("an offset can carry the instant into the previous or next UTC day")
    func offsetCrossesDay() throws {
        let late = try #require(Timestamp(rfc3339: "2026-11-22T23:30:00-05:00"))
        #expect(late.rfc3339 == "2026-11-23T04:30:00.000Z")
        let early = try #require(Timestamp(rfc3339: "2026-11-22T01:00:00+03:00"))
        #expect(early.rfc3339 == "2026-11-21T22:00:00.000Z")
    }

    @Test("leap day parses in a leap year", arguments: ["2024-02-29T12:00:00Z", "2000-02-29T12:00:00Z"])
    func parsesLeapDay(text: String) {
        #expect(Timestamp(rfc3339: text) != nil)
    }

    @Test("almost-right and malformed date-times are rejected", arguments: [
        "2026-11-22T08:30:00",            // missing zone
        "2026-11-22T08:30:00.123",        // missing zone after a fraction
        "2026-11-22T24:00:00Z",           // hour 24
        "2026-11-22T08:60:00Z",           // minute 60
        "2026-11-22T08:30:60Z",           // leap second
        "2026-02-30T00:00:00Z",           // no 30 February
        "2023-02-29T00:00:00Z",           // not a leap year
        "1900-02-29T00:00:00Z",           // century, not a leap year
        "2026-13-01T00:00:00Z",           // month 13
        "2026-00-10T00:00:00Z",           // month 0
        "2026-11-00T00:00:00Z",           // day 0
        "0000-01-01T00:00:00Z",           // year 0
        "garbage",
        "",
        "2026-11-22",                     // date only
        "2026-11-22T08:30Z",              // no seconds
        "2026-11-22T8:30:00Z",            // one-digit hour
        "2026-11-22X08:30:00Z",           // wrong separator
        "2026-11-22T08:30:00Zjunk",       // trailing text after Z
        "2026-11-22T08:30:00+03:00 ",     // trailing space after offset
        "2026-11-22T08:30:00+03:00Z",     // trailing text after offset
        " 2026-11-22T08:30:00Z",          // leading space
        "2026-11-22T08:30:00.Z",          // fraction without digits
        "2026-11-22T08:30:00,5Z",         // comma fraction
        "2026-11-22T08:30:00+0300",       // offset without colon
        "2026-11-22T08:30:00+3:00",       // one-digit offset hour
        "2026-11-22T08:30:00+24:00",      // offset hour 24
        "2026-11-22T08:30:00+03:60",      // offset minute 60
        "2026-11-22T08:30:00UTC",         // zone name
        "+2026-11-22T08:30:00Z",          // signed year
    ])
    func rejects(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }
}

@Suite("Timestamp: formatting")
struct TimestampFormattingTests {
    @Test("rfc3339 is UTC with exactly three fraction digits", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1), "1970-01-01T00:00:00.001Z"),
        (reference, "2026-11-22T08:30:00.000Z"),
        (reference + 123, "2026-11-22T08:30:00.123Z"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
        (Int64(253_402_300_799_999), "9999-12-31T23:59:59.999Z"),
    ])
    func formats(milliseconds: Int64, expected: String) {
        #expect(Timestamp(milliseconds: milliseconds).rfc3339 == expected)
    }

    @Test("negative instants land on the right day before 1970", arguments: [
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(-1_000), "1969-12-31T23:59:59.000Z"),
        (Int64(-86_400_000), "1969-12-31T00:00:00.000Z"),
        (Int64(-86_400_001), "1969-12-30T23:59:59.999Z"),
        (Int64(-2_208_988_800_000), "1900-01-01T00:00:00.000Z"),
        (Int64(-2_208_988_799_999), "1900-01-01T00:00:00.001Z"),
    ])
    func formatsBeforeEpoch(milliseconds: Int64, expected: String) {
        #expect(Timestamp(milliseconds: milliseconds).rfc3339 == expected)
    }

    @Test("description is the RFC 3339 form")
    func descriptionIsRFC3339() {
        let t = Timestamp(milliseconds: reference + 7)
        #expect(t.description == "2026-11-22T08:30:00.007Z")
        #expect("\(t)" == t.rfc3339)
    }

    @Test("parsing an offset form and formatting gives the normalised UTC form")
    func normalises() throws {
        let t = try #require(Timestamp(rfc3339: "2026-11-22T11:30:00.5+03:00"))
        #expect(t.rfc3339 == "2026-11-22T08:30:00.500Z")
    }

    @Test("format then parse gives back every instant (seeded sample, 1900 to 2200)")
    func roundTrip() throws {
        var rng = SeededGenerator(seed: 0x7173_3339)
        let low = Int64(-2_208_988_800_000)  // 1900-01-01
        let high = Int64(7_258_118_400_000)  // 2200-01-01
        var edges: [Int64] = [0, -1, 1, low, high, -86_400_000, 86_399_999, reference]
        for _ in 0..<2_000 { edges.append(Int64.random(in: low...high, using: &rng)) }
        for ms in edges {
            let t = Timestamp(milliseconds: ms)
            #expect(Timestamp(rfc3339: t.rfc3339) == t, "\(ms) → \(t.rfc3339)")
        }
    }
}

@Suite("Timestamp: arithmetic and clocks")
struct TimestampArithmeticTests {
    @Test("seconds initialiser, adding milliseconds and adding days")
    func arithmetic() {
        let t = Timestamp(seconds: 1_795_336_200)
        #expect(t.milliseconds == reference)
        #expect(t.adding(milliseconds: -1).milliseconds == reference - 1)
        #expect(t.adding(days: 2).rfc3339 == "2026-11-24T08:30:00.000Z")
        #expect(t.adding(days: -1).rfc3339 == "2026-11-21T08:30:00.000Z")
    }

    @Test("timestamps order by instant")
    func ordering() {
        let a = Timestamp(milliseconds: -5)
        let b = Timestamp(milliseconds: 0)
        let c = Timestamp(milliseconds: 3)
        #expect(a < b && b < c)
        #expect([c, a, b].sorted() == [a, b, c])
    }

    @Test("ManualClock shows its start, moves only when advanced or set")
    func manualClock() {
        let clock = ManualClock(Timestamp(milliseconds: reference))
        #expect(clock.now() == Timestamp(milliseconds: reference))
        #expect(clock.now() == Timestamp(milliseconds: reference))
        clock.advance(milliseconds: 1_500)
        #expect(clock.now() == Timestamp(milliseconds: reference + 1_500))
        clock.advance(milliseconds: -2_000)
        #expect(clock.now() == Timestamp(milliseconds: reference - 500))
        clock.set(Timestamp(milliseconds: 0))
        #expect(clock.now().rfc3339 == "1970-01-01T00:00:00.000Z")
    }
}
