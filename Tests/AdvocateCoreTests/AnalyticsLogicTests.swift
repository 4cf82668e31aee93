import AdvocateCore
import NPS
import Testing

@Suite("Breakdown groups: quartiles and tenure")
struct BreakdownGroupTests {
    @Test("quartile bounds are nearest-rank percentiles weighted by answers")
    func quartileBounds() throws {
        // 1…100 once each: the 25th, 50th and 75th values.
        let b = try #require(QuartileBounds((1...100).map { (value: Double($0), count: Int64(1)) }))
        #expect((b.q1, b.q2, b.q3, b.minimum, b.maximum) == (25, 50, 75, 1, 100))
        #expect([1, 25, 26, 50, 51, 75, 76, 100].map { b.quartile(of: $0) } == [0, 0, 1, 1, 2, 2, 3, 3])
        // Weights count: 10 answers at 0 and one each at 1…10 put the median at 0.
        let weighted = try #require(QuartileBounds([(value: 0, count: 10)] + (1...10).map { (value: Double($0), count: Int64(1)) }))
        #expect(weighted.q1 == 0 && weighted.q2 == 0 && weighted.q3 == 5)
        #expect(weighted.labels == ["Q1 (0 to 0)", "Q2 (over 0 to 0)", "Q3 (over 0 to 5)", "Q4 (over 5 to 10)"])
        #expect(QuartileBounds([]) == nil && QuartileBounds([(value: 3, count: 0)]) == nil)
    }

    @Test("numbers are read strictly; a breakdown is numeric only with enough distinct numbers")
    func numeric() {
        #expect(QuartileBounds.number("49.5") == 49.5 && QuartileBounds.number("-3") == -3)
        #expect(QuartileBounds.number("pro") == nil && QuartileBounds.number("") == nil && QuartileBounds.number("inf") == nil)
        #expect(ReportBuilder.isNumeric((1...8).map(String.init)))
        #expect(!ReportBuilder.isNumeric((1...7).map(String.init)), "seven values are better shown one by one")
        #expect(!ReportBuilder.isNumeric((1...20).map(String.init) + ["n/a"]))
    }

    @Test("tenure counts calendar months from the sign-up to the answer")
    func tenure() throws {
        func bucket(_ signedUp: String, _ answered: String) -> TenureBucket? {
            TenureBucket(signedUp: CalendarDay(iso8601: signedUp)!, answered: CalendarDay(iso8601: answered)!)
        }
        #expect(bucket("2026-01-31", "2026-04-30") == .underThreeMonths, "the 30th is before the 31st: 2 months")
        #expect(bucket("2026-01-30", "2026-04-30") == .threeToTwelveMonths)
        #expect(bucket("2025-05-01", "2026-04-30") == .threeToTwelveMonths)
        #expect(bucket("2025-04-30", "2026-04-30") == .oneToTwoYears)
        #expect(bucket("2024-04-30", "2026-04-30") == .twoYearsOrMore)
        #expect(bucket("2026-04-30", "2026-04-30") == .underThreeMonths)
        #expect(bucket("2026-05-01", "2026-04-30") == nil, "signed up after answering")
        #expect(TenureBucket.signUpDay("2026-04-30T23:30:00-02:00") == CalendarDay(iso8601: "2026-05-01"))
        #expect(TenureBucket.signUpDay("last spring") == nil)
    }

    @Test("regrouping keeps every answer, in the groups' own order, unplaceable ones as unknown")
    func regroup() {
        let day = CalendarDay(iso8601: "2026-06-01")!
        func row(_ segment: String, _ score: Int, _ count: Int64, day d: CalendarDay = day) -> DailyScoreCounts {
            var c = ScoreCounts(); c.add(Score(score)!, count: count)
            return DailyScoreCounts(day: d, segment: segment, counts: c)
        }
        let mrr = (1...8).map { row(String($0 * 10), $0 > 4 ? 10 : 0, 1) } + [row("n/a", 8, 2)]
        let (grouped, order) = ReportBuilder.regroup(mrr, kind: .quartiles)
        let report = ReportBuilder.build(overall: mrr, segments: grouped, interval: .month, range: nil, breakdownOrder: order)
        #expect(report.breakdownGrouped)
        #expect(report.breakdown?.map(\.value) == ["Q1 (10 to 20)", "Q2 (over 20 to 40)", "Q3 (over 40 to 60)", "Q4 (over 60 to 80)", "unknown"])
        #expect(report.breakdown?.map(\.summary.tally.n) == [2, 2, 2, 2, 2])
        #expect(report.breakdown?.first?.summary.nps == -100 && report.breakdown?[3].summary.nps == 100)

        let tenure = [row("2026-05-01", 10, 3), row("2020-01-01", 0, 4), row("2026-07-01", 9, 1), row("soon", 9, 1)]
        let (byTenure, tenureOrder) = ReportBuilder.regroup(tenure, kind: .tenure)
        let t = ReportBuilder.build(overall: tenure, segments: byTenure, interval: .month, range: nil, breakdownOrder: tenureOrder)
        #expect(t.breakdown?.map(\.value) == ["under 3 months", "2 years or more", "unknown"])
        #expect(t.breakdown?.map(\.summary.tally.n) == [3, 4, 2])
    }
}

@Suite("Outcomes: churn by category and the calculators")
struct OutcomeTests {
    let now = Timestamp(rfc3339: "2026-11-30T00:00:00Z")!

    func at(_ daysAgo: Int) -> Timestamp { now.adding(days: -daysAgo) }

    @Test("churn within the window, only answers old enough, former customers left out")
    func churn() {
        let answers = [
            AnsweredContact(category: .detractor, answeredAt: at(200), churnedAt: at(150)), // 50 days after: in 90 and 180
            AnsweredContact(category: .detractor, answeredAt: at(200), churnedAt: at(60)),  // 140 days after: in 180 only
            AnsweredContact(category: .detractor, answeredAt: at(200), churnedAt: nil),
            AnsweredContact(category: .detractor, answeredAt: at(200), churnedAt: at(300)), // churned before answering: out
            AnsweredContact(category: .promoter, answeredAt: at(200), churnedAt: nil),
            AnsweredContact(category: .promoter, answeredAt: at(100), churnedAt: at(20)),   // 80 days: in 90; too new for 180
            AnsweredContact(category: .promoter, answeredAt: at(30), churnedAt: at(10)),    // too new for both
        ]
        let in90 = ChurnOutcome.byCategory(answers, days: 90, now: now)
        #expect(in90.map(\.category) == [.promoter, .passive, .detractor])
        #expect(in90.map(\.churn.events) == [1, 0, 1] && in90.map(\.churn.n) == [2, 0, 3])
        let in180 = ChurnOutcome.byCategory(answers, days: 180, now: now)
        #expect(in180.map(\.churn.events) == [0, 0, 2] && in180.map(\.churn.n) == [1, 0, 3])
        #expect(in180[1].churn.rate == nil && in180[1].churn.low == nil)
    }

    @Test("the Wilson interval matches a published value and stays within 0 and 1")
    func wilson() throws {
        // 81 of 263 (Newcombe 1998, method 3): 0.2553 to 0.3662.
        let r = RateWithInterval(events: 81, n: 263)
        let low = try #require(r.low), high = try #require(r.high)
        #expect(abs(low - 0.2553) < 0.0001 && abs(high - 0.3662) < 0.0001)
        let none = RateWithInterval(events: 0, n: 10)
        #expect(none.low == 0 && (none.high ?? 0) > 0.2)
    }

    @Test("calculators: the formulas, and nothing to divide by gives no number")
    func calculators() {
        #expect(Calculators.churnRate(customersAtStart: 200, customersLost: 10) == 0.05)
        #expect(Calculators.churnRate(customersAtStart: 0, customersLost: 0) == nil)
        #expect(Calculators.churnRate(customersAtStart: 10, customersLost: 11) == nil)
        #expect(Calculators.acquisitionCost(spend: 50_000, newCustomers: 40) == 1_250)
        #expect(Calculators.acquisitionCost(spend: 50_000, newCustomers: 0) == nil)
        #expect(Calculators.lifetimeValue(monthlyRevenuePerCustomer: 100, grossMargin: 0.8, monthlyChurnRate: 0.02) == 4_000)
        #expect(Calculators.lifetimeValue(monthlyRevenuePerCustomer: 100, grossMargin: 1.5, monthlyChurnRate: 0.02) == nil)
        #expect(Calculators.lifetimeValue(monthlyRevenuePerCustomer: 100, grossMargin: 0.8, monthlyChurnRate: 0) == nil)
    }

    @Test("the customer base of a period from contacts' mrr, signed_up_at and churned_at")
    func customerBase() {
        let start = at(30)
        let records = [
            CustomerRecord(monthlyRevenue: 100, signedUpAt: at(400), churnedAt: nil),
            CustomerRecord(monthlyRevenue: 50, signedUpAt: at(400), churnedAt: at(10)),  // lost in the period
            CustomerRecord(monthlyRevenue: 70, signedUpAt: at(400), churnedAt: at(100)), // gone before
            CustomerRecord(monthlyRevenue: 300, signedUpAt: at(5), churnedAt: nil),      // won in the period
            CustomerRecord(monthlyRevenue: nil, signedUpAt: nil, churnedAt: nil),        // no data
        ]
        let base = CustomerBase(records, from: start, to: now)
        #expect(base.withData == 4 && base.atStart == 2 && base.lost == 1 && base.won == 1)
        #expect(base.averageMonthlyRevenue == 200, "the two active at the end: 100 and 300")
        #expect(CustomerRecord.instant("2026-11-29") == Timestamp(rfc3339: "2026-11-29T00:00:00Z"))
    }
}
