import NPS
import Testing

@Suite("Tally")
struct TallyTests {
    static let a = Tally(promoters: 5, passives: 3, detractors: 2)
    static let b = Tally(promoters: 1, passives: 4, detractors: 7)

    @Test("merge equals the sum of counts, and + matches merge")
    func mergeEqualsSum() {
        var merged = Self.a
        merged.merge(Self.b)
        #expect(merged == Tally(promoters: 6, passives: 7, detractors: 9))
        #expect(Self.a + Self.b == merged)
        #expect(Self.a + .empty == Self.a)
        #expect(merged.n == Self.a.n + Self.b.n)
    }

    @Test("add counts a score in its category, and a negative count removes it")
    func addCountsByCategory() throws {
        var tally = Tally.empty
        tally.add(try #require(Score(10)))
        tally.add(try #require(Score(8)), count: 3)
        tally.add(try #require(Score(0)), count: 2)
        #expect(tally == Tally(promoters: 1, passives: 3, detractors: 2))
        tally.add(try #require(Score(0)), count: -2)
        #expect(tally.detractors == 0)
    }

    @Test("init(scoreCounts:) groups the eleven counts by category")
    func scoreCountsGroupByCategory() {
        let tally = Tally(scoreCounts: [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5])
        #expect(tally == Tally(promoters: 9, passives: 5, detractors: 7))
    }

    @Test("An empty tally has no NPS, variance, interval or comparison")
    func emptyTallyGivesNil() {
        let empty = Tally.empty
        #expect(empty.n == 0)
        #expect(empty.nps == nil)
        #expect(empty.npsFraction == nil)
        #expect(empty.perRespondentVariance == nil)
        for method in IntervalMethod.allCases {
            #expect(empty.interval(method: method) == nil)
            #expect(Tally.compare(empty, Self.a, method: method) == nil)
            #expect(Tally.compare(Self.a, empty, method: method) == nil)
        }
    }

    @Test("A tally with a negative count gives nil instead of NaN")
    func negativeCountGivesNil() {
        let broken = Tally(promoters: 5, passives: 0, detractors: -1)
        #expect(broken.nps == nil)
        #expect(broken.interval() == nil)
    }

    @Test("isSmallSample is true below 30 answers and false from 30")
    func smallSampleThreshold() {
        #expect(Tally(promoters: 29, passives: 0, detractors: 0).isSmallSample)
        #expect(!Tally(promoters: 10, passives: 10, detractors: 10).isSmallSample)
        #expect(Tally.smallSampleThreshold == 30)
    }

    @Test("The default interval is adjusted Wald at 95%")
    func defaultIntervalIsAdjustedWald() throws {
        let interval = try #require(Self.a.interval())
        #expect(interval.method == .adjustedWald)
        #expect(interval.level == 0.95)
    }

    @Test("An interval or comparison at a level outside (0, 1) is nil", arguments: [0, 1, -0.5, 1.5, Double.nan])
    func invalidLevelGivesNil(_ level: Double) {
        #expect(Self.a.interval(level: level) == nil)
        #expect(Tally.compare(Self.a, Self.b, level: level) == nil)
    }

    @Test("A 99% interval is wider than a 95% one")
    func higherLevelIsWider() throws {
        for method in IntervalMethod.allCases {
            let narrow = try #require(Self.a.interval(method: method, level: 0.95))
            let wide = try #require(Self.a.interval(method: method, level: 0.99))
            #expect(wide.unclippedLow < narrow.unclippedLow && wide.unclippedHigh > narrow.unclippedHigh)
        }
    }

    @Test("All-detractor score interval reaches −100, mirroring the all-promoter vector")
    func allDetractorsScoreIntervalReachesMinusHundred() throws {
        let promoters = try #require(Tally(promoters: 10, passives: 0, detractors: 0).interval(method: .score))
        let detractors = try #require(Tally(promoters: 0, passives: 0, detractors: 10).interval(method: .score))
        #expect(detractors.low == -100)
        #expect(abs(detractors.high + promoters.low) < 1e-9)
    }

    @Test("Comparing two all-promoter samples by Wald is nil (SE 0), by adjusted Wald is not")
    func zeroStandardErrorComparisonIsNil() {
        let all = Tally(promoters: 10, passives: 0, detractors: 0)
        #expect(Tally.compare(all, all, method: .wald) == nil)
        let adjusted = Tally.compare(all, all)
        #expect(adjusted?.difference == 0)
        #expect(adjusted?.pValue == 1)
        #expect(adjusted?.isSignificant() == false)
    }
}
