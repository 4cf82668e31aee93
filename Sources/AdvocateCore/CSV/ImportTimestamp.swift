import Foundation

/// The date-times other tools write in their CSV exports, read as instants.
///
/// Accepted, in this order: Unix seconds (or milliseconds, 13 digits); RFC 3339;
/// `YYYY-MM-DD HH:MM[:SS]` followed by `Z`, `UTC`, `±HHMM` or `±HH:MM` (UTC when nothing
/// follows); `YYYY-MM-DD` (midnight UTC); and `MM/DD/YYYY HH:MM[:SS] [AM|PM]`, the US order
/// SurveyMonkey writes (UTC). Anything else is refused rather than guessed.
public enum ImportTimestamp {
    public static let formats = "Unix seconds, RFC 3339, \"YYYY-MM-DD HH:MM:SS ±HHMM\", YYYY-MM-DD or MM/DD/YYYY HH:MM:SS AM"

    public static func parse(_ raw: String) -> Timestamp? {
        let text = raw.trimmingSpaces()
        if !text.isEmpty, text.allSatisfy(\.isASCIIDigit), text.count <= 13, let n = Int64(text) {
            return Timestamp(milliseconds: text.count == 13 ? n : n * 1_000)
        }
        if let t = Timestamp(rfc3339: text) { return t }
        if let t = spaced(text) { return t }
        if let day = CalendarDay(iso8601: text) { return day.start(in: .utc) }
        return american(text)
    }

    /// `YYYY-MM-DD HH:MM[:SS][.fff] [zone]` → RFC 3339.
    private static func spaced(_ text: String) -> Timestamp? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 10, CalendarDay(iso8601: parts[0]) != nil else { return nil }
        var clock = String(parts[1])
        var zone = parts.count == 3 ? String(parts[2]) : "Z"
        // "12:34:56Z" or "12:34:56+0300" glued to the time.
        if parts.count == 2, let i = clock.firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            zone = String(clock[i...])
            clock = String(clock[..<i])
        }
        if clock.count == 5 { clock += ":00" }
        switch zone.uppercased() {
        case "Z", "UTC", "GMT": zone = "Z"
        default:
            let sign = zone.first
            var digits = zone.dropFirst().filter { $0 != ":" }
            guard sign == "+" || sign == "-", digits.allSatisfy(\.isASCIIDigit), digits.count == 4 || digits.count == 2 else { return nil }
            if digits.count == 2 { digits += "00" }
            zone = "\(sign!)\(digits.prefix(2)):\(digits.suffix(2))"
        }
        return Timestamp(rfc3339: "\(parts[0])T\(clock)\(zone)")
    }

    /// `MM/DD/YYYY HH:MM[:SS] [AM|PM]` (UTC).
    private static func american(_ text: String) -> Timestamp? {
        let parts = text.split(separator: " ")
        guard (1...3).contains(parts.count) else { return nil }
        let date = parts[0].split(separator: "/")
        guard date.count == 3, let month = Int(date[0]), let day = Int(date[1]), let year = Int(date[2]), date[2].count == 4,
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0
        if parts.count >= 2 {
            let time = parts[1].split(separator: ":").map { Int($0) }
            guard time.count == 2 || time.count == 3, time.allSatisfy({ $0 != nil }) else { return nil }
            hour = time[0]!
            minute = time[1]!
            second = time.count == 3 ? time[2]! : 0
            if parts.count == 3 {
                switch parts[2].uppercased() {
                case "AM": guard (1...12).contains(hour) else { return nil }; if hour == 12 { hour = 0 }
                case "PM": guard (1...12).contains(hour) else { return nil }; if hour != 12 { hour += 12 }
                default: return nil
                }
            }
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return Timestamp(rfc3339: "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))Z")
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
