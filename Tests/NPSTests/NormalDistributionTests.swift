import NPS
import Testing

@Suite("NormalDistribution")
struct NormalDistributionTests {
    @Test("quantile(0.975) and criticalValue(level: 0.95) are 1.959963984540054, as in the vector meta")
    func knownCriticalValue() throws {
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-14)
        #expect(abs(NormalDistribution.criticalValue(level: 0.95) - 1.959963984540054) < 1e-14)
        #expect(abs(NormalDistribution.criticalValue(level: 0.95) - (try Vectors.file().meta.z95)) < 1e-14)
    }

    @Test("cdf(0) is 0.5 and quantile(0.5) is 0")
    func centre() {
        #expect(NormalDistribution.cdf(0) == 0.5)
        #expect(NormalDistribution.quantile(0.5) == 0)
    }

    @Test("quantile matches known values (scipy)", arguments: [
        (0.8, 0.8416212335729143), (0.025, -1.9599639845400545), (1e-10, -6.361340902404056),
        (0.02425, -1.972961051311885), (0.3, -0.5244005127080409), (0.999, 3.090232306167813),
    ])
    func knownQuantiles(_ p: Double, _ expected: Double) {
        #expect(abs(NormalDistribution.quantile(p) - expected) <= 1e-9 * max(1, abs(expected)))
    }

    @Test("cdf matches known values (scipy)", arguments: [
        (-1.0, 0.15865525393145707), (1.959963984540054, 0.975), (-3, 0.0013498980316300933),
        (-8, 6.22096057427174e-16), (2.5, 0.9937903346742238),
    ])
    func knownCDFValues(_ x: Double, _ expected: Double) {
        #expect(abs(NormalDistribution.cdf(x) - expected) <= 1e-12 * expected)
    }

    @Test("cdf(quantile(p)) round-trips to p", arguments: [
        1e-300, 1e-15, 1e-6, 0.001, 0.02424, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 0.999999,
    ])
    func roundTripFromProbability(_ p: Double) {
        let back = NormalDistribution.cdf(NormalDistribution.quantile(p))
        #expect(abs(back - p) <= 1e-12 * min(p, 1 - p) + 1e-16)
    }

    @Test("quantile(cdf(x)) round-trips to x", arguments: stride(from: -8.0, through: 5.0, by: 0.25).map { $0 })
    func roundTripFromValue(_ x: Double) {
        #expect(abs(NormalDistribution.quantile(NormalDistribution.cdf(x)) - x) < 1e-9)
    }

    @Test("quantile is antisymmetric about 0.5")
    func symmetry() {
        // Powers of two and their sums, so that 1 − p is exact and the two calls really mirror.
        for p in [0x1p-40, 0x1p-10, 0.0625, 0.25, 0.375] {
            #expect(NormalDistribution.quantile(p) == -NormalDistribution.quantile(1 - p))
        }
    }

    @Test("quantile is ±∞ at 0 and 1 and NaN outside [0, 1]")
    func quantileEdges() {
        #expect(NormalDistribution.quantile(0) == -.infinity)
        #expect(NormalDistribution.quantile(1) == .infinity)
        #expect(NormalDistribution.quantile(-0.1).isNaN)
        #expect(NormalDistribution.quantile(1.1).isNaN)
        #expect(NormalDistribution.quantile(.nan).isNaN)
    }

    @Test("criticalValue is two-sided, not the one-sided 1.645 at 95%")
    func criticalValueIsTwoSided() {
        #expect(abs(NormalDistribution.criticalValue(level: 0.90) - 1.6448536269514722) < 1e-12)
        #expect(abs(NormalDistribution.criticalValue(level: 0.99) - 2.5758293035489004) < 1e-12)
    }
}
