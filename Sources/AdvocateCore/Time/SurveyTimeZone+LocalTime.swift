/// A time of day on a wall clock, to the minute: when a campaign's e-mails should arrive locally.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0…23.
    public let hour: Int
    /// 0…59.
    public let minute: Int

    /// A time of day; nil unless `hour` is 0…23 and `minute` 0…59.
    public init?(hour: Int, minute: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:MM` (two digits each, 24-hour clock), the form the API uses.
    public init?(_ text: some StringProtocol) {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), let h = digits(b, 0, 2), let m = digits(b, 3, 2) else { return nil }
        self.init(hour: h, minute: m)
    }

    /// `HH:MM`.
    public var description: String { "\(pad(hour, 2)):\(pad(minute, 2))" }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool {
        (lhs.hour, lhs.minute) < (rhs.hour, rhs.minute)
    }

    /// Milliseconds after local midnight on a day without clock changes.
    var millisecondsIntoDay: Int64 { Int64(hour * 3600 + minute * 60) * 1000 }
}

extension SurveyTimeZone {
    /// Every instant at which clocks in this zone show `time` on `day`, earliest first.
    ///
    /// Usually one. Two where clocks are set back and the hour repeats (01:30 on the first Sunday
    /// of November in New York). None where clocks jump forward over it (02:30 on the second
    /// Sunday of March in New York).
    public func instants(of time: LocalTime, on day: CalendarDay) -> [Timestamp] {
        let wall = wallMilliseconds(of: time, on: day)
        return candidateOffsets(around: wall).compactMap { offset in
            let t = wall - offset
            return offsetMilliseconds(at: t) == offset ? Timestamp(milliseconds: t) : nil
        }.sorted()
    }

    /// The instant at which to act on `time` on `day`: the first occurrence when the hour repeats,
    /// and, when clocks jump over it, the instant of the jump (the first that exists after it),
    /// so a send planned inside the gap goes out as soon as the local time is real, on the same day.
    public func instant(of time: LocalTime, on day: CalendarDay) -> Timestamp {
        let wall = wallMilliseconds(of: time, on: day)
        if let first = instants(of: time, on: day).first { return first }
        // In a gap the local reading t + offset(t) steps from below `wall` to above it at the jump.
        // Bounds: every offset in force nearby puts the jump between wall − max and wall − min.
        let offsets = candidateOffsets(around: wall)
        var low = wall - (offsets.max() ?? 0)   // reads earlier than `wall`
        var high = wall - (offsets.min() ?? 0)  // reads later than `wall`
        guard high + offsetMilliseconds(at: high) > wall else { return Timestamp(milliseconds: high) }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + offsetMilliseconds(at: middle) > wall { high = middle } else { low = middle }
        }
        return Timestamp(milliseconds: high)
    }

    /// The local date and time read as if it were UTC.
    private func wallMilliseconds(of time: LocalTime, on day: CalendarDay) -> Int64 {
        Int64(day.daysSinceEpoch) * Timestamp.millisecondsPerDay + time.millisecondsIntoDay
    }

    private func offsetMilliseconds(at instant: Int64) -> Int64 {
        Int64(offsetSeconds(at: Timestamp(milliseconds: instant))) * 1000
    }

    /// The offsets that can be in force when clocks read `wall`: those a day either side and at
    /// the naive guesses. A day either side covers any single transition, however large (Samoa
    /// skipped a whole day in 2011); zones do not change offset twice in two days.
    private func candidateOffsets(around wall: Int64) -> [Int64] {
        var offsets: [Int64] = []
        for probe in [wall - Timestamp.millisecondsPerDay, wall, wall + Timestamp.millisecondsPerDay] {
            let o = offsetMilliseconds(at: probe)
            if !offsets.contains(o) { offsets.append(o) }
            let corrected = offsetMilliseconds(at: wall - o)
            if !offsets.contains(corrected) { offsets.append(corrected) }
        }
        return offsets
    }
}
