import NPS

/// How a breakdown groups the values of its dimension.
public enum BreakdownKind: Sendable, Hashable {
    /// One row per value (plan, country, channel…).
    case values
    /// Numeric values in four groups of about equal size, the bounds read from the data.
    case quartiles
    /// Time from the contact's sign-up date (the dimension's values) to the day of the answer.
    case tenure
}

/// Quartile bounds of a numeric property, weighted by how many answers carry each value.
public struct QuartileBounds: Sendable, Hashable {
    /// The 25th, 50th and 75th percentiles (nearest rank, so each is a value that occurs).
    public var q1: Double, q2: Double, q3: Double
    public var minimum: Double, maximum: Double

    /// Bounds of `values` (value, answers with it); nil without any answer.
    public init?(_ values: [(value: Double, count: Int64)]) {
        let sorted = values.filter { $0.count > 0 && $0.value.isFinite }.sorted { $0.value < $1.value }
        let total = sorted.reduce(Int64(0)) { $0 + $1.count }
        guard total > 0, let first = sorted.first, let last = sorted.last else { return nil }
        func percentile(_ p: Double) -> Double {
            // Nearest rank: the smallest value with at least p of the answers at or below it.
            let rank = max(1, Int64((p * Double(total)).rounded(.up)))
            var seen: Int64 = 0
            for entry in sorted {
                seen += entry.count
                if seen >= rank { return entry.value }
            }
            return last.value
        }
        q1 = percentile(0.25); q2 = percentile(0.5); q3 = percentile(0.75)
        minimum = first.value; maximum = last.value
    }

    /// The quartile (0…3) of a value: at or below q1, at or below q2, at or below q3, above.
    /// Ties stay together, so a quartile may hold more or fewer than a quarter of the answers
    /// (and be empty when many answers share one value).
    public func quartile(of value: Double) -> Int {
        if value <= q1 { return 0 }
        if value <= q2 { return 1 }
        if value <= q3 { return 2 }
        return 3
    }

    /// A row label for each quartile, with its bounds: "Q1 (0 to 49)", "Q2 (over 49 to 120)".
    public var labels: [String] {
        [ "Q1 (\(Self.format(minimum)) to \(Self.format(q1)))",
          "Q2 (over \(Self.format(q1)) to \(Self.format(q2)))",
          "Q3 (over \(Self.format(q2)) to \(Self.format(q3)))",
          "Q4 (over \(Self.format(q3)) to \(Self.format(maximum)))" ]
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// A property value read as a number (`49`, `49.5`, `-3`); nil for text.
    public static func number(_ text: String) -> Double? {
        guard !text.isEmpty, text.count <= 40, let v = Double(text), v.isFinite else { return nil }
        return v
    }
}

/// How long a contact had been a customer when they answered.
public enum TenureBucket: Int, Sendable, Hashable, CaseIterable, Comparable {
    case underThreeMonths, threeToTwelveMonths, oneToTwoYears, twoYearsOrMore

    public var label: String {
        switch self {
        case .underThreeMonths: "under 3 months"
        case .threeToTwelveMonths: "3 to 12 months"
        case .oneToTwoYears: "1 to 2 years"
        case .twoYearsOrMore: "2 years or more"
        }
    }

    public static func < (a: TenureBucket, b: TenureBucket) -> Bool { a.rawValue < b.rawValue }

    /// The bucket of an answer on `answered` by a contact who signed up on `signedUp`; nil when
    /// the sign-up is after the answer (a data error, not a tenure). Months are calendar months
    /// so that "3 months" means the same day three months later.
    public init?(signedUp: CalendarDay, answered: CalendarDay) {
        guard signedUp <= answered else { return nil }
        let s = signedUp.components, a = answered.components
        var months = (a.year - s.year) * 12 + (a.month - s.month)
        if a.day < s.day { months -= 1 }
        switch months {
        case ..<3: self = .underThreeMonths
        case 3..<12: self = .threeToTwelveMonths
        case 12..<24: self = .oneToTwoYears
        default: self = .twoYearsOrMore
        }
    }

    /// A sign-up date as contacts carry it: `2024-05-01` or an RFC 3339 date-time (its UTC day).
    public static func signUpDay(_ text: String) -> CalendarDay? {
        if let day = CalendarDay(iso8601: text) { return day }
        if let t = Timestamp(rfc3339: text) { return SurveyTimeZone.utc.day(containing: t) }
        return nil
    }
}

extension ReportBuilder {
    /// The property whose sign-up dates a tenure breakdown reads.
    public static let signedUpProperty = "signed_up_at"
    /// Fewest distinct numeric values for a breakdown to be shown by quartile rather than by value.
    public static let quartileMinimumValues = 8

    /// Regroups a breakdown's rows (segment = the dimension's value, day = the answer's day) by
    /// `kind`. Values that do not fit (text among numbers, a sign-up date that is not a date or
    /// falls after the answer) go to the row "unknown". Returns the rows and the order to show
    /// the groups in (nil: largest first).
    public static func regroup(_ rows: [DailyScoreCounts], kind: BreakdownKind) -> (rows: [DailyScoreCounts], order: [String]?) {
        switch kind {
        case .values:
            return (rows, nil)
        case .quartiles:
            var weights: [Double: Int64] = [:]
            for row in rows { if let v = row.segment.flatMap(QuartileBounds.number) { weights[v, default: 0] += row.counts.total } }
            guard let bounds = QuartileBounds(weights.map { (value: $0.key, count: $0.value) }) else { return (rows, nil) }
            let labels = bounds.labels
            return (rows.map { row in
                var r = row
                r.segment = row.segment.flatMap(QuartileBounds.number).map { labels[bounds.quartile(of: $0)] } ?? unknown
                return r
            }, labels + [unknown])
        case .tenure:
            return (rows.map { row in
                var r = row
                let bucket = row.segment.flatMap(TenureBucket.signUpDay).flatMap { TenureBucket(signedUp: $0, answered: row.day) }
                r.segment = bucket?.label ?? unknown
                return r
            }, tenureOrder)
        }
    }

    /// The tenure groups in the order a breakdown shows them.
    public static let tenureOrder = TenureBucket.allCases.map(\.label) + [unknown]

    /// The group for values a breakdown cannot place.
    public static let unknown = "unknown"

    /// Whether a breakdown's values are numbers enough to be shown by quartile.
    public static func isNumeric(_ values: some Collection<String>) -> Bool {
        var distinct = Set<Double>()
        for v in values {
            guard let n = QuartileBounds.number(v) else { return false }
            distinct.insert(n)
        }
        return distinct.count >= quartileMinimumValues
    }
}
