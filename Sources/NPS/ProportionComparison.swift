// MARK: - Proportion comparison

/// A two-sided two-proportion z test: is the share of successes in A different from that in B?
///
/// Campaigns use it for "does variant A get a different response rate than variant B". The test
/// statistic uses the pooled standard error, the SE under the null hypothesis that both shares
/// are equal; the confidence interval of the difference uses the unpooled SE, because it
/// describes the difference as observed rather than under that hypothesis. This is the textbook
/// pairing (and R's `prop.test` without continuity correction gives the same p-value).
///
/// All values are on the fraction scale (0.12, not 12%).
public struct ProportionComparison: Sendable, Hashable, Codable {
    /// Share of successes in A.
    public let proportionA: Double
    /// Share of successes in B.
    public let proportionB: Double
    /// `proportionA − proportionB`.
    public let difference: Double
    /// Successes of both over trials of both: the common share if A and B do not differ.
    public let pooledProportion: Double
    /// Pooled SE, √(p̂(1 − p̂)(1/n_A + 1/n_B)); the denominator of `z`.
    public let standardError: Double
    /// `difference / standardError`.
    public let z: Double
    /// Two-sided p-value, 2·Φ(−|z|).
    public let pValue: Double
    /// Unpooled SE, √(p_A(1 − p_A)/n_A + p_B(1 − p_B)/n_B); the width of the interval. It is 0 when
    /// both shares are 0 or 1 (say 0 of 10 against 10 of 10), and the interval is then a point.
    public let unpooledStandardError: Double
    /// Lower bound of the `level` confidence interval of the difference (not clipped).
    public let differenceLow: Double
    /// Upper bound of the `level` confidence interval of the difference (not clipped).
    public let differenceHigh: Double
    /// Confidence level of the interval, for example 0.95.
    public let level: Double

    /// Whether the difference is significant at `alpha`, tested as p < alpha, as `Comparison` does.
    public func isSignificant(alpha: Double = 0.05) -> Bool {
        pValue < alpha
    }
}

/// Statistics of shares of successes (response rates, click rates).
public enum Proportion {
    /// Tests whether `successesA` of `totalA` differs from `successesB` of `totalB`.
    ///
    /// Returns nil when there is nothing to test: a total of 0 or less, a count outside
    /// 0…total, a pooled share of 0 or 1 (no successes or no failures at all, so the SE is 0),
    /// or a `level` not strictly between 0 and 1.
    ///
    /// The normal approximation wants roughly five successes and five failures in each arm;
    /// below that the p-value is rough, and callers should show the counts beside it.
    public static func compare(
        successesA: Int, totalA: Int, successesB: Int, totalB: Int, level: Double = 0.95
    ) -> ProportionComparison? {
        guard level > 0, level < 1, totalA > 0, totalB > 0,
              (0...totalA).contains(successesA), (0...totalB).contains(successesB) else { return nil }
        let nA = Double(totalA), nB = Double(totalB)
        let pA = Double(successesA) / nA
        let pB = Double(successesB) / nB
        let pooled = Double(successesA + successesB) / (nA + nB)
        guard pooled > 0, pooled < 1 else { return nil }
        let standardError = (pooled * (1 - pooled) * (1 / nA + 1 / nB)).squareRoot()
        let difference = pA - pB
        let z = difference / standardError
        let unpooled = (pA * (1 - pA) / nA + pB * (1 - pB) / nB).squareRoot()
        let margin = NormalDistribution.criticalValue(level: level) * unpooled
        return ProportionComparison(
            proportionA: pA, proportionB: pB, difference: difference, pooledProportion: pooled,
            standardError: standardError, z: z, pValue: 2 * NormalDistribution.cdf(-abs(z)),
            unpooledStandardError: unpooled,
            differenceLow: difference - margin, differenceHigh: difference + margin, level: level)
    }
}
