import NPS
import Testing

// Expected values computed with Python (math and scipy.stats.norm); the p-values agree with
// scipy's chi-square test of the 2×2 table without continuity correction, which is the same test.

/// |actual − expected| within `relative` of the expected value's size (or absolutely near 0).
private func close(_ actual: Double, _ expected: Double, relative: Double = 1e-12) -> Bool {
    abs(actual - expected) <= relative * max(abs(expected), 1e-300) || abs(actual - expected) <= 1e-15
}

@Suite("Proportion.compare")
struct ProportionComparisonTests {
    @Test("120/1000 against 90/1000: pooled p 0.105, SE 0.0137095, z 2.18827, p 0.028650")
    func handComputed() throws {
        let c = try #require(Proportion.compare(successesA: 120, totalA: 1000, successesB: 90, totalB: 1000))
        #expect(c.proportionA == 0.12)
        #expect(c.proportionB == 0.09)
        #expect(close(c.difference, 0.03))
        #expect(close(c.pooledProportion, 0.105))
        // √(0.105 · 0.895 · 2/1000)
        #expect(close(c.standardError, 0.013709485767161364))
        #expect(close(c.z, 2.1882658846227234))
        #expect(close(c.pValue, 0.028650240398448486, relative: 1e-10))
        // √(0.12 · 0.88/1000 + 0.09 · 0.91/1000), for the interval only
        #expect(close(c.unpooledStandardError, 0.013693063937629153))
        #expect(close(c.differenceLow, 0.003162087844242649, relative: 1e-10))
        #expect(close(c.differenceHigh, 0.05683791215575735, relative: 1e-10))
        #expect(c.level == 0.95)
        #expect(c.isSignificant())
        #expect(!c.isSignificant(alpha: 0.01))
    }

    @Test("the level widens the interval but leaves z and p alone")
    func level() throws {
        let c = try #require(Proportion.compare(successesA: 120, totalA: 1000, successesB: 90, totalB: 1000, level: 0.99))
        #expect(close(c.z, 2.1882658846227234))
        #expect(close(c.pValue, 0.028650240398448486, relative: 1e-10))
        #expect(close(c.differenceLow, -0.0052709953459138675, relative: 1e-9))
        #expect(close(c.differenceHigh, 0.06527099534591387, relative: 1e-10))
        #expect(c.level == 0.99)
    }

    @Test("unequal sizes: 30/200 against 45/250")
    func unequalSizes() throws {
        let c = try #require(Proportion.compare(successesA: 30, totalA: 200, successesB: 45, totalB: 250))
        #expect(close(c.pooledProportion, 0.16666666666666666))
        #expect(close(c.standardError, 0.03535533905932738))
        #expect(close(c.z, -0.8485281374238568))
        #expect(close(c.pValue, 0.3961439091520741, relative: 1e-10))
        #expect(close(c.differenceLow, -0.09867988996737193, relative: 1e-10))
        #expect(close(c.differenceHigh, 0.03867988996737193, relative: 1e-10))
        #expect(!c.isSignificant())
    }

    @Test("swapping A and B negates z, the difference and the interval, and keeps p")
    func symmetry() throws {
        let ab = try #require(Proportion.compare(successesA: 30, totalA: 200, successesB: 45, totalB: 250))
        let ba = try #require(Proportion.compare(successesA: 45, totalA: 250, successesB: 30, totalB: 200))
        #expect(ab.z == -ba.z)
        #expect(ab.difference == -ba.difference)
        #expect(ab.pValue == ba.pValue)
        #expect(close(ab.differenceLow, -ba.differenceHigh))
        #expect(close(ab.differenceHigh, -ba.differenceLow))
    }

    @Test("equal shares give z 0 and p 1")
    func noDifference() throws {
        let c = try #require(Proportion.compare(successesA: 500, totalA: 1000, successesB: 500, totalB: 1000))
        #expect(c.z == 0)
        #expect(c.pValue == 1)
        #expect(close(c.differenceHigh, 0.04382612702882907, relative: 1e-10))
        #expect(close(c.differenceLow, -0.04382612702882907, relative: 1e-10))
    }

    @Test("one arm with no successes is still tested while the pooled share is above 0")
    func zeroInOneArm() throws {
        let c = try #require(Proportion.compare(successesA: 0, totalA: 50, successesB: 3, totalB: 50))
        #expect(close(c.z, -1.7586311452816477))
        #expect(close(c.pValue, 0.07864017934882842, relative: 1e-10))
    }

    @Test("all against nothing: a large z, and an interval that is a single point (unpooled SE 0)")
    func degenerateInterval() throws {
        let c = try #require(Proportion.compare(successesA: 0, totalA: 10, successesB: 10, totalB: 10))
        #expect(close(c.z, -4.47213595499958))
        #expect(close(c.pValue, 7.74421643104407e-06, relative: 1e-9))
        #expect(c.unpooledStandardError == 0)
        #expect(c.differenceLow == -1 && c.differenceHigh == -1)
    }

    @Test("nothing to test gives nil", arguments: [
        (0, 0, 5, 10, 0.95), (5, 10, 0, 0, 0.95),       // a total of 0
        (0, 10, 0, 20, 0.95), (10, 10, 20, 20, 0.95),   // pooled share 0 or 1
        (11, 10, 5, 10, 0.95), (-1, 10, 5, 10, 0.95),   // counts outside 0…total
        (5, -10, 5, 10, 0.95),                          // a negative total
        (5, 10, 6, 10, 0), (5, 10, 6, 10, 1), (5, 10, 6, 10, .nan),
    ])
    func nothingToTest(successesA: Int, totalA: Int, successesB: Int, totalB: Int, level: Double) {
        #expect(Proportion.compare(successesA: successesA, totalA: totalA, successesB: successesB, totalB: totalB, level: level) == nil)
    }
}
