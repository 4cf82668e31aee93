/// An instant, in whole milliseconds since 1970-01-01T00:00:00Z.
///
/// Stored as a plain integer in both databases so that ordering, ranges and arithmetic behave the
/// same on SQLite and PostgreSQL without dialect-specific date types.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch (UTC).
    public var milliseconds: Int64

    /// Creates an instant from milliseconds since the Unix epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates an instant from seconds since the Unix epoch.
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// This instant moved by a number of milliseconds.
    public func adding(milliseconds delta: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + delta) }

    /// This instant moved by whole days (exactly 86,400 s each; time zones do not apply).
    public func adding(days: Int) -> Timestamp { adding(milliseconds: Int64(days) * Self.millisecondsPerDay) }

    /// Milliseconds in one day of 86,400 seconds.
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-22T08:30:00.123Z`.
    public var description: String { rfc3339 }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-22T08:30:00.123Z`.
    public var rfc3339: String {
        let (days, msOfDay) = milliseconds.floorDivided(by: Self.millisecondsPerDay)
        let date = CalendarDay(daysSinceEpoch: Int(days))
        let seconds = msOfDay / 1000
        let ms = msOfDay % 1000
        return "\(date)T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(ms, 3))Z"
    }
}

// MARK: - Parsing

extension Timestamp {
    /// Parses an RFC 3339 date-time (`2026-11-22T08:30:00Z`, `2026-11-22T11:30:00.5+03:00`).
    ///
    /// Strict on purpose: a date that is only almost right (missing zone, 24:00, 31 February)
    /// is more likely a client bug than an intention, and guessing would store the wrong day.
    /// Fractions beyond milliseconds are truncated.
    public init?(rfc3339 text: some StringProtocol) {
        let b = Array(text.utf8)
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let day = CalendarDay(iso8601: String(decoding: b[0..<10], as: UTF8.self)),
              let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"),
              let minute = digits(b, 14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(b, 17, 2),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var fractionMs = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 3 { fractionMs = fractionMs * 10 + Int(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            if count < 3 { for _ in count..<3 { fractionMs *= 10 } }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.count == i + 6, let oh = digits(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                  let om = digits(b, i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = Int64(day.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        self.init(milliseconds: seconds * 1000 + Int64(fractionMs))
    }
}

// MARK: - Helpers

func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
    guard start + count <= b.count else { return nil }
    var value = 0
    for i in start..<(start + count) {
        let c = b[i]
        guard c >= 48, c <= 57 else { return nil }
        value = value * 10 + Int(c - 48)
    }
    return value
}

func pad(_ value: some BinaryInteger, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension Int64 {
    /// Floor division and the non-negative remainder, so instants before 1970 land on the right day.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = self / divisor
        var r = self % divisor
        if r < 0 { q -= 1; r += divisor }
        return (q, r)
    }
}
