// MARK: - Comparison

/// A two-sided z test of the NPS difference between two independent samples.
///
/// "Independent" means A/B arms or disjoint sets of respondents. When the same people answer
/// in both periods, a paired test is needed, and this one would overstate the standard error.
public struct Comparison: Sendable, Hashable, Codable {
    /// NPS of A minus NPS of B, in points. For `.wald` it is the raw difference. For
    /// `.adjustedWald` it is the difference of the adjusted NPS values, because the test's
    /// numerator and SE must both come from the adjusted counts (MeasuringU, Rocks). Report the
    /// raw difference of the two tallies' `nps` next to it.
    public let difference: Double
    /// Unpooled SE of the difference in points, √(V_A/n_A + V_B/n_B).
    public let standardError: Double
    /// `difference / standardError`.
    public let z: Double
    /// Two-sided p-value, 2·Φ(−|z|).
    public let pValue: Double
    /// Lower bound of the `level` confidence interval for the difference, in points (not clipped).
    public let differenceLow: Double
    /// Upper bound of the `level` confidence interval for the difference, in points (not clipped).
    public let differenceHigh: Double
    /// Confidence level of the difference interval, for example 0.95.
    public let level: Double
    /// The method actually used. A request for `.score` is recorded here as `.adjustedWald`.
    public let method: IntervalMethod

    /// Whether the difference is significant at `alpha`, tested as p < alpha. The threshold is
    /// a parameter, so that `level` (which only sets the interval) is not mistaken for it.
    public func isSignificant(alpha: Double = 0.05) -> Bool {
        pValue < alpha
    }
}

extension Tally {
    /// Tests whether the NPS of `a` differs from that of `b`.
    ///
    /// `.score` falls back to `.adjustedWald`. No closed-form two-sample score test is pinned
    /// by the sources, and adjusted Wald is the recommended test anyway.
    ///
    /// Returns nil when either tally has no answers, when the SE is 0 (only possible with
    /// `.wald`, when both samples fall in one category), or when `level` is not strictly
    /// between 0 and 1.
    public static func compare(
        _ a: Tally, _ b: Tally, method: IntervalMethod = .adjustedWald, level: Double = 0.95
    ) -> Comparison? {
        guard level > 0, level < 1,
            let estimateA = a.waldEstimate(adjusted: method != .wald),
            let estimateB = b.waldEstimate(adjusted: method != .wald)
        else { return nil }
        let standardError = (estimateA.standardError * estimateA.standardError
            + estimateB.standardError * estimateB.standardError).squareRoot()
        guard standardError > 0 else { return nil }
        let difference = estimateA.fraction - estimateB.fraction
        let z = difference / standardError
        let margin = NormalDistribution.criticalValue(level: level) * standardError
        return Comparison(
            difference: 100 * difference, standardError: 100 * standardError, z: z,
            pValue: 2 * NormalDistribution.cdf(-abs(z)),
            differenceLow: 100 * (difference - margin), differenceHigh: 100 * (difference + margin),
            level: level, method: method == .wald ? .wald : .adjustedWald)
    }
}
