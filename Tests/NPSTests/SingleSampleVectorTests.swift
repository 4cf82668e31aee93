import NPS
import Testing

/// Every vector in `single_sample`, checked to the precision it is printed with.
@Suite("Single-sample vectors")
struct SingleSampleVectorTests {
    static let points = tolerance(decimals: 4)

    @Test("Vector file has single-sample vectors whose n is the sum of the counts")
    func vectorsArePresentAndConsistent() throws {
        let vectors = try Vectors.file().singleSample
        #expect(!vectors.isEmpty)
        for vector in vectors {
            #expect(vector.tally.n == vector.n, "\(vector.id)")
        }
    }

    @Test("NPS matches nps_exact", arguments: try Vectors.file().singleSample)
    func npsMatchesExactValue(_ vector: SingleSampleVector) {
        #expect(isClose(vector.tally.nps, vector.npsExact, tolerance(decimals: 6)))
        #expect(isClose(vector.tally.npsFraction.map { $0 * 100 }, vector.npsExact, tolerance(decimals: 6)))
    }

    @Test("Displayed NPS matches nps_reported_int", arguments: try Vectors.file().singleSample)
    func displayedNPSMatchesReportedInteger(_ vector: SingleSampleVector) throws {
        let nps = try #require(vector.tally.nps)
        #expect(Display.roundedPoints(nps) == vector.npsReportedInt)
    }

    @Test("Per-respondent variance matches", arguments: try Vectors.file().singleSample)
    func perRespondentVarianceMatches(_ vector: SingleSampleVector) {
        #expect(isClose(vector.tally.perRespondentVariance, vector.perRespondentVariance, tolerance(decimals: 8)))
    }

    @Test("Wald interval matches low, high and SE", arguments: try Vectors.file().singleSample)
    func waldIntervalMatches(_ vector: SingleSampleVector) throws {
        let interval = try #require(vector.tally.interval(method: .wald))
        #expect(interval.method == .wald)
        #expect(interval.level == 0.95)
        #expect(isClose(interval.unclippedLow, vector.wald.low, Self.points))
        #expect(isClose(interval.unclippedHigh, vector.wald.high, Self.points))
        #expect(isClose(interval.standardError, vector.wald.sePoints, Self.points))
        #expect(isClose(interval.center, vector.npsExact, tolerance(decimals: 6)))
    }

    @Test("Adjusted-Wald interval matches unclipped low, high, adjusted NPS and SE",
          arguments: try Vectors.file().singleSample)
    func adjustedWaldIntervalMatches(_ vector: SingleSampleVector) throws {
        let interval = try #require(vector.tally.interval())
        #expect(interval.method == .adjustedWald)
        #expect(vector.adjustedWald.nAdj == Double(vector.n + 3))
        #expect(isClose(interval.unclippedLow, vector.adjustedWald.low, Self.points))
        #expect(isClose(interval.unclippedHigh, vector.adjustedWald.high, Self.points))
        #expect(isClose(interval.center, vector.adjustedWald.npsAdj, Self.points))
        #expect(isClose(interval.standardError, vector.adjustedWald.sePoints, Self.points))
    }

    @Test("Clipped bounds are the vector bounds clipped to ±100", arguments: try Vectors.file().singleSample)
    func clippedBoundsStayOnScale(_ vector: SingleSampleVector) throws {
        for method in IntervalMethod.allCases {
            let interval = try #require(vector.tally.interval(method: method))
            #expect(interval.low >= -100 && interval.high <= 100)
            #expect(interval.low == min(max(interval.unclippedLow, -100), 100))
            #expect(interval.high == min(max(interval.unclippedHigh, -100), 100))
        }
        let adjusted = try #require(vector.tally.interval(method: .adjustedWald))
        #expect(isClose(adjusted.high, min(vector.adjustedWald.high, 100), Self.points))
        #expect(isClose(adjusted.low, max(vector.adjustedWald.low, -100), Self.points))
    }

    @Test("Score interval matches low and high", arguments: try Vectors.file().singleSample)
    func scoreIntervalMatches(_ vector: SingleSampleVector) throws {
        let interval = try #require(vector.tally.interval(method: .score))
        #expect(interval.method == .score)
        #expect(isClose(interval.low, vector.score.low, Self.points))
        #expect(isClose(interval.high, vector.score.high, Self.points))
        #expect(isClose(interval.standardError, vector.wald.sePoints, Self.points))
    }

    @Test("Wald z against zero matches, and is absent exactly when the Wald SE is 0",
          arguments: try Vectors.file().singleSample)
    func waldZAgainstZeroMatches(_ vector: SingleSampleVector) throws {
        let interval = try #require(vector.tally.interval(method: .wald))
        if let expected = vector.zVsZeroWald {
            #expect(isClose(interval.center / interval.standardError, expected, tolerance(decimals: 6)))
        } else {
            #expect(interval.standardError == 0)
        }
    }
}
