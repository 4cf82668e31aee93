import NPS
import Testing

/// Every vector in `sample_size`.
@Suite("Sample-size vectors")
struct SampleSizeVectorTests {
    static var oneSample: [SampleSizeVector] {
        get throws { try Vectors.file().sampleSize.filter { $0.kind == SampleSizeVector.oneSampleKind } }
    }

    static var twoSample: [SampleSizeVector] {
        get throws { try Vectors.file().sampleSize.filter { $0.kind == SampleSizeVector.twoSampleKind } }
    }

    @Test("Every sample-size vector is of a kind that is tested, and both kinds occur")
    func everyVectorHasKnownKind() throws {
        let all = try Vectors.file().sampleSize
        #expect(try Self.oneSample.count + Self.twoSample.count == all.count)
        #expect(try !Self.oneSample.isEmpty)
        #expect(try !Self.twoSample.isEmpty)
    }

    @Test("Margin-of-error size matches n_adjusted_wald", arguments: try oneSample)
    func adjustedMarginOfErrorMatches(_ vector: SampleSizeVector) throws {
        let n = SampleSize.forMarginOfError(
            points: try #require(vector.moePoints), promoterShare: try #require(vector.pP),
            detractorShare: try #require(vector.pD), level: try #require(vector.conf))
        #expect(n == vector.nAdjustedWald)
    }

    @Test("Margin-of-error size without adjustment matches n_wald", arguments: try oneSample)
    func waldMarginOfErrorMatches(_ vector: SampleSizeVector) throws {
        let n = SampleSize.forMarginOfError(
            points: try #require(vector.moePoints), promoterShare: try #require(vector.pP),
            detractorShare: try #require(vector.pD), level: try #require(vector.conf), adjusted: false)
        #expect(n == vector.nWald)
    }

    @Test("Per-group size matches n_per_group_adjusted", arguments: try twoSample)
    func perGroupMatches(_ vector: SampleSizeVector) throws {
        let n = SampleSize.perGroup(
            first: (promoterShare: try #require(vector.pP1), detractorShare: try #require(vector.pD1)),
            second: (promoterShare: try #require(vector.pP2), detractorShare: try #require(vector.pD2)),
            difference: try #require(vector.minDiffPoints),
            level: 1 - (try #require(vector.alphaTwoSided)),
            power: try #require(vector.power))
        #expect(n == vector.nPerGroupAdjusted)
    }
}
