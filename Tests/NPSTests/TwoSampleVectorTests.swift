import NPS
import Testing

/// Every vector in `two_sample`, checked to the precision it is printed with.
@Suite("Two-sample vectors")
struct TwoSampleVectorTests {
    @Test("Vector file has two-sample vectors")
    func vectorsArePresent() throws {
        #expect(try !Vectors.file().twoSample.isEmpty)
    }

    @Test("NPS of each group matches", arguments: try Vectors.file().twoSample)
    func groupNPSMatches(_ vector: TwoSampleVector) {
        #expect(isClose(vector.a.tally.nps, vector.npsA, tolerance(decimals: 4)))
        #expect(isClose(vector.b.tally.nps, vector.npsB, tolerance(decimals: 4)))
    }

    @Test("Wald test matches difference, SE, z, p and interval", arguments: try Vectors.file().twoSample)
    func waldComparisonMatches(_ vector: TwoSampleVector) throws {
        let comparison = try #require(Tally.compare(vector.a.tally, vector.b.tally, method: .wald))
        #expect(comparison.method == .wald)
        expect(comparison, matches: vector.wald)
    }

    @Test("Adjusted-Wald test matches difference, SE, z, p and interval", arguments: try Vectors.file().twoSample)
    func adjustedWaldComparisonMatches(_ vector: TwoSampleVector) throws {
        let comparison = try #require(Tally.compare(vector.a.tally, vector.b.tally))
        #expect(comparison.method == .adjustedWald)
        expect(comparison, matches: vector.adjustedWald)
    }

    @Test("Score method falls back to adjusted Wald", arguments: try Vectors.file().twoSample)
    func scoreFallsBackToAdjustedWald(_ vector: TwoSampleVector) {
        let score = Tally.compare(vector.a.tally, vector.b.tally, method: .score)
        #expect(score != nil)
        #expect(score == Tally.compare(vector.a.tally, vector.b.tally, method: .adjustedWald))
    }

    @Test("Significance at 0.05 agrees with the vector p-value", arguments: try Vectors.file().twoSample)
    func significanceAgreesWithPValue(_ vector: TwoSampleVector) throws {
        let wald = try #require(Tally.compare(vector.a.tally, vector.b.tally, method: .wald))
        let adjusted = try #require(Tally.compare(vector.a.tally, vector.b.tally))
        #expect(wald.isSignificant() == (vector.wald.pTwoSided < 0.05))
        #expect(adjusted.isSignificant() == (vector.adjustedWald.pTwoSided < 0.05))
    }

    private func expect(
        _ comparison: Comparison, matches expected: TwoSampleVector.Test,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let points = tolerance(decimals: 4)
        #expect(comparison.level == 0.95, sourceLocation: sourceLocation)
        #expect(isClose(comparison.difference, expected.diffPoints, points), sourceLocation: sourceLocation)
        #expect(isClose(comparison.standardError, expected.sePoints, points), sourceLocation: sourceLocation)
        #expect(isClose(comparison.z, expected.z, tolerance(decimals: 6)), sourceLocation: sourceLocation)
        #expect(isClose(comparison.pValue, expected.pTwoSided, tolerance(decimals: 8)), sourceLocation: sourceLocation)
        #expect(isClose(comparison.differenceLow, expected.ci95Low, points), sourceLocation: sourceLocation)
        #expect(isClose(comparison.differenceHigh, expected.ci95High, points), sourceLocation: sourceLocation)
    }
}
