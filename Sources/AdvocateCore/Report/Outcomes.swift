import Foundation
import NPS

/// One answer as the churn outcome reads it: the category, when it was given, and when (if ever)
/// the contact churned.
public struct AnsweredContact: Sendable, Hashable {
    public var category: NPS.Category
    public var answeredAt: Timestamp
    public var churnedAt: Timestamp?

    public init(category: NPS.Category, answeredAt: Timestamp, churnedAt: Timestamp?) {
        self.category = category
        self.answeredAt = answeredAt
        self.churnedAt = churnedAt
    }
}

/// A share with its 95% Wilson interval (the interval stays inside 0…1 and behaves with small n).
public struct RateWithInterval: Sendable, Hashable {
    public var events: Int
    public var n: Int
    public var rate: Double? { n == 0 ? nil : Double(events) / Double(n) }
    public var low: Double?
    public var high: Double?

    public init(events: Int, n: Int, z: Double = 1.959963984540054) {
        self.events = events
        self.n = n
        guard n > 0 else { return }
        let p = Double(events) / Double(n), nn = Double(n), z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / (1 + z2 / nn)
        low = max(0, centre - half)
        high = min(1, centre + half)
    }
}

/// Churn after an answer, by category: do detractors leave more often than promoters?
public enum ChurnOutcome {
    /// One horizon's churn per category.
    public struct Row: Sendable, Hashable {
        public var category: NPS.Category
        public var churn: RateWithInterval
    }

    /// Churn within `days` of the answer, per category (promoters, passives, detractors).
    ///
    /// Only answers given at least `days` before `now` count: a newer answer's contact has not
    /// had the whole window to churn, and counting them would make recent answers look loyal.
    /// A contact who had churned before answering is left out (they answered as a former customer).
    public static func byCategory(_ answers: [AnsweredContact], days: Int, now: Timestamp) -> [Row] {
        let window = Int64(days) * Timestamp.millisecondsPerDay
        var counts: [NPS.Category: (n: Int, churned: Int)] = [:]
        for a in answers where a.answeredAt.milliseconds + window <= now.milliseconds {
            if let c = a.churnedAt, c.milliseconds < a.answeredAt.milliseconds { continue }
            var entry = counts[a.category] ?? (0, 0)
            entry.n += 1
            if let c = a.churnedAt, c.milliseconds - a.answeredAt.milliseconds <= window { entry.churned += 1 }
            counts[a.category] = entry
        }
        return [NPS.Category.promoter, .passive, .detractor].map { category in
            let entry = counts[category] ?? (0, 0)
            return Row(category: category, churn: RateWithInterval(events: entry.churned, n: entry.n))
        }
    }

    /// Detractors' churn against promoters' in one horizon, tested as two proportions.
    public static func detractorsVersusPromoters(_ rows: [Row]) -> ProportionComparison? {
        guard let d = rows.first(where: { $0.category == .detractor })?.churn,
              let p = rows.first(where: { $0.category == .promoter })?.churn, d.n > 0, p.n > 0 else { return nil }
        return Proportion.compare(successesA: d.events, totalA: d.n, successesB: p.events, totalB: p.n)
    }
}

/// The three calculators of the outcomes page. Each returns nil when the inputs give no
/// meaningful number (nothing to divide by); the page says which input is missing.
public enum Calculators {
    /// Churn rate over a period: customers lost ÷ customers at its start.
    public static func churnRate(customersAtStart: Double, customersLost: Double) -> Double? {
        guard customersAtStart > 0, customersLost >= 0, customersLost <= customersAtStart else { return nil }
        return customersLost / customersAtStart
    }

    /// Customer acquisition cost: sales and marketing spend ÷ new customers won with it.
    public static func acquisitionCost(spend: Double, newCustomers: Double) -> Double? {
        guard spend >= 0, newCustomers > 0 else { return nil }
        return spend / newCustomers
    }

    /// Customer lifetime value: monthly revenue per customer × gross margin ÷ monthly churn rate
    /// (1 ÷ churn is the expected lifetime in months when churn is steady).
    public static func lifetimeValue(monthlyRevenuePerCustomer: Double, grossMargin: Double, monthlyChurnRate: Double) -> Double? {
        guard monthlyRevenuePerCustomer >= 0, (0...1).contains(grossMargin), monthlyChurnRate > 0, monthlyChurnRate <= 1 else { return nil }
        return monthlyRevenuePerCustomer * grossMargin / monthlyChurnRate
    }
}

/// A contact as the calculators read it: properties `mrr`, `signed_up_at` and `churned_at`.
public struct CustomerRecord: Sendable, Hashable {
    public var monthlyRevenue: Double?
    public var signedUpAt: Timestamp?
    public var churnedAt: Timestamp?

    public init(monthlyRevenue: Double?, signedUpAt: Timestamp?, churnedAt: Timestamp?) {
        self.monthlyRevenue = monthlyRevenue
        self.signedUpAt = signedUpAt
        self.churnedAt = churnedAt
    }

    /// A date property as contacts carry it: `2025-03-01` (its UTC midnight) or an RFC 3339 date-time.
    public static func instant(_ text: String) -> Timestamp? {
        if let t = Timestamp(rfc3339: text) { return t }
        return CalendarDay(iso8601: text).map { $0.start(in: .utc) }
    }
}

/// What the contacts say about a period: the calculators' defaults.
public struct CustomerBase: Sendable, Hashable {
    /// Customers at the start of the period: signed up before it (or with no sign-up date) and not churned before it.
    public var atStart = 0
    /// Of those, how many churned during the period.
    public var lost = 0
    /// Signed up during the period.
    public var won = 0
    /// Average monthly revenue of the customers active at the end with a revenue on record; nil without one.
    public var averageMonthlyRevenue: Double?
    /// Contacts with any of the three properties: zero means the workspace keeps no such data.
    public var withData = 0

    public init() {}

    public init(_ records: [CustomerRecord], from start: Timestamp, to end: Timestamp) {
        var revenue = 0.0, payers = 0
        for r in records {
            guard r.monthlyRevenue != nil || r.signedUpAt != nil || r.churnedAt != nil else { continue }
            withData += 1
            let joined = r.signedUpAt.map { $0.milliseconds < start.milliseconds } ?? true
            let goneBefore = r.churnedAt.map { $0.milliseconds < start.milliseconds } ?? false
            if joined && !goneBefore {
                atStart += 1
                if let c = r.churnedAt, c.milliseconds < end.milliseconds { lost += 1 }
            }
            if let s = r.signedUpAt, s.milliseconds >= start.milliseconds, s.milliseconds < end.milliseconds { won += 1 }
            let activeAtEnd = (r.churnedAt.map { $0.milliseconds >= end.milliseconds } ?? true) && (r.signedUpAt.map { $0.milliseconds < end.milliseconds } ?? true)
            if activeAtEnd, let m = r.monthlyRevenue, m > 0 { revenue += m; payers += 1 }
        }
        averageMonthlyRevenue = payers > 0 ? revenue / Double(payers) : nil
    }
}
