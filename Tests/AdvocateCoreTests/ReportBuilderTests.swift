import AdvocateCore
import NPS
import Testing

// MARK: - Helpers

private func day(_ text: String) throws -> CalendarDay {
    try #require(CalendarDay(iso8601: text), "\(text) should be a valid day")
}

/// Counts with `promoters` tens, `passives` sevens and `detractors` zeros.
private func counts(promoters: Int64 = 0, passives: Int64 = 0, detractors: Int64 = 0) -> ScoreCounts {
    var c = [Int64](repeating: 0, count: 11)
    c[10] = promoters
    c[7] = passives
    c[0] = detractors
    return ScoreCounts(c)
}

private func row(_ text: String, _ c: ScoreCounts, segment: String? = nil) throws -> DailyScoreCounts {
    DailyScoreCounts(day: try day(text), segment: segment, counts: c)
}

/// The first day of `d`'s bucket, worked out independently of `TrendInterval`.
private func expectedBucket(_ d: CalendarDay, _ interval: TrendInterval) -> CalendarDay {
    switch interval {
    case .day:
        return d
    case .week:
        let monday = 20_773  // 2026-11-16 was a Monday
        let back = ((d.daysSinceEpoch - monday) % 7 + 7) % 7
        return CalendarDay(daysSinceEpoch: d.daysSinceEpoch - back)
    case .month:
        let c = d.components
        return CalendarDay(year: c.year, month: c.month, day: 1)!
    }
}

private func tally(of scores: [Int]) -> Tally {
    var t = Tally.empty
    for s in scores { t.add(Score(s)!) }
    return t
}

// MARK: - Tests

@Suite("ReportBuilder")
struct ReportBuilderTests {
    @Test("the overall tally and distribution are the sums of the daily counts")
    func overallIsSum() throws {
        let a = ScoreCounts([1, 0, 2, 0, 0, 3, 1, 4, 2, 5, 6])
        let b = ScoreCounts([0, 1, 0, 0, 2, 0, 0, 1, 3, 0, 2])
        let c = ScoreCounts([4, 0, 0, 1, 0, 0, 0, 0, 0, 7, 1])
        let report = ReportBuilder.build(
            overall: [try row("2026-11-02", a), try row("2026-11-03", b), try row("2026-11-10", c)],
            segments: nil, interval: .day, range: nil)
        #expect(report.distribution.counts == [5, 1, 2, 1, 2, 3, 1, 5, 5, 12, 9])
        #expect(report.distribution.total == 46)
        // Promoters 9–10: 12 + 9; passives 7–8: 5 + 5; detractors 0–6: the rest.
        #expect(report.summary.tally == Tally(promoters: 21, passives: 10, detractors: 15))
        #expect(report.summary.nps == 100.0 * 6 / 46)
        #expect(report.summary.interval == report.summary.tally.interval(method: .adjustedWald))
        #expect(report.breakdown == nil)
    }

    @Test("a report without data has no trend and no NPS")
    func empty() {
        let report = ReportBuilder.build(overall: [], segments: [], interval: .week, range: nil)
        #expect(report.trend.isEmpty)
        #expect(report.summary.tally.n == 0)
        #expect(report.summary.nps == nil && report.summary.interval == nil && report.summary.band == nil)
        #expect(report.breakdown == [])
    }

    @Test("daily trend has a bucket for every day, empty ones with no NPS")
    func dailyBucketsWithGaps() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-11-05", counts(promoters: 3)), try row("2026-11-02", counts(detractors: 2))],
            segments: nil, interval: .day, range: nil)
        #expect(report.trend.map(\.start.description) == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"])
        #expect(report.trend.map(\.summary.tally.n) == [2, 0, 0, 3])
        for empty in report.trend[1...2] {
            #expect(empty.summary.nps == nil)
            #expect(empty.summary.interval == nil)
            #expect(empty.comparison == nil)
            #expect(empty.changeSignificant == nil)
        }
        #expect(report.trend[0].summary.nps == -100)
        #expect(report.trend[3].summary.nps == 100)
    }

    @Test("weekly trend buckets start on Mondays and include empty weeks")
    func weeklyBuckets() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-11-04", counts(promoters: 1)), try row("2026-11-08", counts(passives: 1)),
                      try row("2026-11-29", counts(detractors: 1))],
            segments: nil, interval: .week, range: nil)
        #expect(report.trend.map(\.start.description) == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"])
        #expect(report.trend.map(\.summary.tally.n) == [2, 0, 0, 1])
    }

    @Test("monthly trend buckets start on the 1st and include empty months, across a year end")
    func monthlyBuckets() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-10-15", counts(promoters: 2)), try row("2026-10-31", counts(promoters: 1)),
                      try row("2027-01-03", counts(detractors: 1))],
            segments: nil, interval: .month, range: nil)
        #expect(report.trend.map(\.start.description) == ["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01"])
        #expect(report.trend.map(\.summary.tally.n) == [3, 0, 0, 1])
    }

    @Test("monthly buckets step correctly through February of a leap year")
    func monthlyThroughFebruary() throws {
        let report = ReportBuilder.build(overall: [], segments: nil, interval: .month,
                                         range: try day("2024-01-31")...day("2024-04-01"))
        #expect(report.trend.map(\.start.description) == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
    }

    @Test("the first non-empty bucket has no comparison; later ones compare with the previous non-empty bucket")
    func comparisonSkipsEmptyBuckets() throws {
        let first = counts(promoters: 20, passives: 5, detractors: 5)
        let second = counts(promoters: 5, passives: 5, detractors: 20)
        let third = counts(promoters: 6, passives: 5, detractors: 20)
        let report = ReportBuilder.build(
            overall: [try row("2026-11-03", first), try row("2026-11-06", second), try row("2026-11-07", third)],
            segments: nil, interval: .day, range: try day("2026-11-01")...day("2026-11-07"))
        #expect(report.trend.map(\.summary.tally.n) == [0, 0, 30, 0, 0, 30, 31])
        #expect(report.trend[0].changeSignificant == nil && report.trend[1].changeSignificant == nil)
        #expect(report.trend[2].comparison == nil)
        #expect(report.trend[2].changeSignificant == nil)
        // 11-06 is compared with 11-03 across the two empty days, never with an empty bucket.
        #expect(report.trend[5].comparison == Tally.compare(second.tally, first.tally))
        #expect(report.trend[6].comparison == Tally.compare(third.tally, second.tally))
        #expect(report.trend[5].changeSignificant != nil)
    }

    @Test("a jump from 90/5/5 to 5/5/90 with n = 100 each is significant")
    func significantJump() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-11-02", counts(promoters: 90, passives: 5, detractors: 5)),
                      try row("2026-11-03", counts(promoters: 5, passives: 5, detractors: 90))],
            segments: nil, interval: .day, range: nil)
        let comparison = try #require(report.trend[1].comparison)
        #expect(report.trend[1].changeSignificant == true)
        #expect(comparison.pValue < 0.05)
        #expect(comparison.difference < 0)
        #expect(report.trend[0].changeSignificant == nil)
    }

    @Test("a one-answer change from 50/25/25 to 51/24/25 is not significant")
    func tinyChange() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-11-02", counts(promoters: 50, passives: 25, detractors: 25)),
                      try row("2026-11-03", counts(promoters: 51, passives: 24, detractors: 25))],
            segments: nil, interval: .day, range: nil)
        #expect(report.trend[1].changeSignificant == false)
        #expect(try #require(report.trend[1].comparison).pValue > 0.05)
    }

    @Test("the interval method is passed through to summaries and comparisons")
    func methodPassedThrough() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-11-02", counts(promoters: 8, passives: 1, detractors: 3)),
                      try row("2026-11-03", counts(promoters: 2, passives: 4, detractors: 6))],
            segments: nil, interval: .day, range: nil, method: .wald)
        #expect(report.summary.interval?.method == .wald)
        #expect(report.trend[1].comparison?.method == .wald)
        #expect(report.trend[1].comparison == Tally.compare(counts(promoters: 2, passives: 4, detractors: 6).tally,
                                                            counts(promoters: 8, passives: 1, detractors: 3).tally,
                                                            method: .wald))
    }

    @Test("breakdown: largest segments first, ties by value, empty segments dropped, days merged")
    func breakdownOrder() throws {
        let segments = [
            try row("2026-11-02", counts(promoters: 3), segment: "pro"),
            try row("2026-11-03", counts(detractors: 2), segment: "pro"),
            try row("2026-11-02", counts(promoters: 4, detractors: 6), segment: "free"),
            try row("2026-11-02", counts(passives: 5), segment: "team"),
            try row("2026-11-02", ScoreCounts(), segment: "zero"),
            try row("2026-11-02", counts(promoters: 1), segment: "enterprise"),
            try row("2026-11-04", counts(promoters: 1), segment: "Agency"),
        ]
        let report = ReportBuilder.build(overall: [], segments: segments, interval: .day, range: nil)
        let rows = try #require(report.breakdown)
        #expect(rows.map(\.value) == ["free", "pro", "team", "Agency", "enterprise"])
        #expect(rows.map(\.summary.tally.n) == [10, 5, 5, 1, 1])
        #expect(rows[1].summary.tally == Tally(promoters: 3, passives: 0, detractors: 2))
        #expect(rows[0].summary.nps == -20)
    }

    @Test("a row without a segment value counts as the empty value")
    func nilSegment() throws {
        let report = ReportBuilder.build(
            overall: [], segments: [try row("2026-11-02", counts(promoters: 2)),
                                    try row("2026-11-03", counts(detractors: 1), segment: "")],
            interval: .day, range: nil)
        #expect(report.breakdown?.map(\.value) == [""])
        #expect(report.breakdown?.first?.summary.tally == Tally(promoters: 2, passives: 0, detractors: 1))
    }

    @Test("a requested range wider than the data gives empty buckets at both ends")
    func rangeWiderThanData() throws {
        let report = ReportBuilder.build(
            overall: [try row("2026-11-03", counts(promoters: 1))],
            segments: nil, interval: .day, range: try day("2026-11-01")...day("2026-11-05"))
        #expect(report.trend.map(\.start.description) == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"])
        #expect(report.trend.map(\.summary.tally.n) == [0, 0, 1, 0, 0])
    }

    @Test("the trend covers exactly the requested days, not the days of the data")
    func rangeClampsTrend() throws {
        var overall: [DailyScoreCounts] = []
        for d in try day("2026-11-01")...day("2026-11-30") {
            overall.append(DailyScoreCounts(day: d, counts: counts(promoters: Int64(d.components.day))))
        }
        let report = ReportBuilder.build(overall: overall, segments: nil, interval: .day,
                                         range: try day("2026-11-10")...day("2026-11-12"))
        #expect(report.trend.map(\.start.description) == ["2026-11-10", "2026-11-11", "2026-11-12"])
        #expect(report.trend.map(\.summary.tally.promoters) == [10, 11, 12])
    }

    @Test("a weekly trend over a range starts at the Monday of the first requested day")
    func weeklyRangeStartsOnMonday() throws {
        let report = ReportBuilder.build(overall: [], segments: nil, interval: .week,
                                         range: try day("2026-11-19")...day("2026-12-01"))
        #expect(report.trend.map(\.start.description) == ["2026-11-16", "2026-11-23", "2026-11-30"])
    }

    @Test("a one-day range gives the one bucket that contains it")
    func oneDayRange() throws {
        let report = ReportBuilder.build(overall: [], segments: nil, interval: .month,
                                         range: try day("2026-11-19")...day("2026-11-19"))
        #expect(report.trend.map(\.start.description) == ["2026-11-01"])
    }

    @Test("the trend never has more than maxTrendBuckets buckets")
    func maxBuckets() throws {
        let range = try day("2000-01-01")...day("2025-12-31")  // about 9,500 days
        let report = ReportBuilder.build(overall: [], segments: nil, interval: .day, range: range)
        #expect(report.trend.count == ReportBuilder.maxTrendBuckets)
        #expect(report.trend.first?.start == range.lowerBound)
        #expect(report.trend.last?.start == range.lowerBound.advanced(by: ReportBuilder.maxTrendBuckets - 1))
        // A range that fits is not cut.
        let fits = ReportBuilder.build(overall: [], segments: nil, interval: .week, range: range)
        #expect(fits.trend.count < ReportBuilder.maxTrendBuckets)
        #expect(fits.trend.last?.start == range.upperBound.weekStart)
    }

    @Test("brute force: every bucket and segment equals a direct recount of random responses",
          arguments: TrendInterval.allCases)
    func bruteForce(interval: TrendInterval) throws {
        struct Answer { var day: CalendarDay; var segment: String; var score: Int }
        let segmentValues = ["free", "pro", "team", "enterprise", "Ağ"]
        let firstDay = try day("2026-01-20")
        for seed in UInt64(1)...5 {
            var rng = SeededGenerator(seed: seed &* 0x5DEE_CE66D)
            // Some days get no answers at all, so empty buckets occur in the day trend.
            let answers = (0..<Int.random(in: 50...1_500, using: &rng)).map { _ in
                Answer(day: firstDay.advanced(by: Int.random(in: 0...200, using: &rng) / 2 * 2),
                       segment: segmentValues.randomElement(using: &rng)!,
                       score: Int.random(in: 0...10, using: &rng))
            }
            // Aggregate as the store does: one row per (day) and one per (day, segment).
            var overallMap: [CalendarDay: ScoreCounts] = [:]
            var segmentMap: [String: [CalendarDay: ScoreCounts]] = [:]
            for a in answers {
                overallMap[a.day, default: ScoreCounts()].add(Score(a.score)!)
                segmentMap[a.segment, default: [:]][a.day, default: ScoreCounts()].add(Score(a.score)!)
            }
            let overall = overallMap.map { DailyScoreCounts(day: $0.key, counts: $0.value) }.shuffled(using: &rng)
            let segments = segmentMap.flatMap { value, days in
                days.map { DailyScoreCounts(day: $0.key, segment: value, counts: $0.value) }
            }.shuffled(using: &rng)

            let report = ReportBuilder.build(overall: overall, segments: segments, interval: interval, range: nil)

            #expect(report.summary.tally == tally(of: answers.map(\.score)))
            for s in 0...10 {
                #expect(report.distribution.counts[s] == Int64(answers.filter { $0.score == s }.count))
            }
            // Buckets are contiguous from the first answer's bucket to the last answer's bucket.
            let minDay = answers.map(\.day).min()!
            let maxDay = answers.map(\.day).max()!
            #expect(report.trend.first?.start == expectedBucket(minDay, interval))
            #expect(report.trend.last?.start == expectedBucket(maxDay, interval))
            var previous: Tally?
            for (i, point) in report.trend.enumerated() {
                if i > 0 {
                    let gap = report.trend[i - 1].start.distance(to: point.start)
                    #expect(expectedBucket(point.start.advanced(by: -1), interval) == report.trend[i - 1].start,
                            "bucket \(point.start) does not follow \(report.trend[i - 1].start) (gap \(gap))")
                }
                let expected = tally(of: answers.filter { expectedBucket($0.day, interval) == point.start }.map(\.score))
                #expect(point.summary.tally == expected, "\(interval) bucket \(point.start)")
                if expected.n > 0 {
                    #expect(point.comparison == previous.flatMap { Tally.compare(expected, $0) })
                    previous = expected
                } else {
                    #expect(point.comparison == nil)
                }
            }
            #expect(report.trend.map(\.summary.tally.n).reduce(0, +) == answers.count)

            let rows = try #require(report.breakdown)
            #expect(Set(rows.map(\.value)) == Set(answers.map(\.segment)))
            for r in rows {
                #expect(r.summary.tally == tally(of: answers.filter { $0.segment == r.value }.map(\.score)), "segment \(r.value)")
            }
            for (a, b) in zip(rows, rows.dropFirst()) {
                #expect(a.summary.tally.n > b.summary.tally.n
                    || (a.summary.tally.n == b.summary.tally.n && a.value < b.value))
            }
        }
    }
}
