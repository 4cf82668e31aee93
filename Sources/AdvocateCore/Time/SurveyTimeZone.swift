import Foundation

/// An IANA time zone, validated, that turns instants into local calendar days.
///
/// Wraps Foundation's `TimeZone` so that the rest of the domain never touches Foundation dates.
public struct SurveyTimeZone: Sendable, Hashable {
    /// The IANA identifier, e.g. `Europe/Istanbul`.
    public let identifier: String
    private let zone: TimeZone

    /// UTC.
    public static let utc = SurveyTimeZone(validated: "UTC")!

    /// Creates a zone from an IANA identifier; nil when the identifier is unknown.
    public init?(validated identifier: String) {
        guard !identifier.isEmpty, identifier.utf8.count <= 64,
              let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    public static func == (lhs: SurveyTimeZone, rhs: SurveyTimeZone) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    /// Offset from UTC in seconds at an instant (daylight saving time included).
    public func offsetSeconds(at instant: Timestamp) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.milliseconds) / 1000))
    }

    /// The local calendar day that contains an instant.
    public func day(containing instant: Timestamp) -> CalendarDay {
        let local = instant.milliseconds + Int64(offsetSeconds(at: instant)) * 1000
        return CalendarDay(daysSinceEpoch: Int(local.floorDivided(by: Timestamp.millisecondsPerDay).quotient))
    }

    /// The first instant of a local day.
    public func startOfDay(_ day: CalendarDay) -> Timestamp {
        let utcMidnight = Int64(day.daysSinceEpoch) * Timestamp.millisecondsPerDay
        // The offset at local midnight can differ from the offset at UTC midnight; one correction
        // step settles it wherever local midnight exists.
        var guess = utcMidnight - Int64(offsetSeconds(at: Timestamp(milliseconds: utcMidnight))) * 1000
        guess = utcMidnight - Int64(offsetSeconds(at: Timestamp(milliseconds: guess))) * 1000
        // Where clocks jump forward at local midnight (America/Santiago, America/Havana), that
        // midnight does not exist and the guess above lands in the previous local day. The day
        // then begins at the jump, which is midnight reckoned with the offset in force before it.
        if self.day(containing: Timestamp(milliseconds: guess)) < day {
            guess = utcMidnight - Int64(offsetSeconds(at: Timestamp(milliseconds: guess))) * 1000
        }
        return Timestamp(milliseconds: guess)
    }
}
