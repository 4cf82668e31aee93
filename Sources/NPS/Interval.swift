// MARK: - Method

/// How an interval (or a two-sample test) is computed.
public enum IntervalMethod: String, Sendable, Codable, CaseIterable {
    /// Wald on counts with pseudo-observations added: +0.75 promoters, +1.5 passives,
    /// +0.75 detractors. This is the default, because Rocks (2016) and MeasuringU found it the
    /// narrowest method that keeps its coverage at small n, and it stays informative when
    /// every answer falls in one category.
    case adjustedWald = "adjusted_wald"
    /// The textbook NPS ± z·SE. It under-covers at small n and has zero width when every
    /// answer falls in one category. It is kept for comparison with other tools.
    case wald
    /// Tango-type score interval: the set of NPS values that a score test would not reject.
    /// It is about as accurate as adjusted Wald, needs a root finder and has no closed form.
    case score
}

// MARK: - Interval

/// A confidence interval for one NPS, in points.
///
/// Both clipped and unclipped bounds are kept. Displays need bounds on the −100…100 scale,
/// while comparisons with other tools, and the test vectors, use the raw formula output.
/// Adjusted Wald, for example, gives 106.34 for 10 promoters out of 10.
public struct Interval: Sendable, Hashable, Codable {
    /// Lower bound in points, clipped to −100…100.
    public let low: Double
    /// Upper bound in points, clipped to −100…100.
    public let high: Double
    /// Lower bound in points as the method computes it. Wald-type methods can go below −100.
    public let unclippedLow: Double
    /// Upper bound in points as the method computes it. Wald-type methods can go above 100.
    public let unclippedHigh: Double
    /// The point that the method works from, in points. For adjusted Wald this is the adjusted
    /// NPS, which is not the NPS to report. For Wald and score it is the raw NPS.
    public let center: Double
    /// Confidence level, for example 0.95.
    public let level: Double
    /// The method that produced the bounds.
    public let method: IntervalMethod
    /// Standard error in points. For Wald and adjusted Wald it is the SE that the bounds use.
    /// The score interval has no single SE, so the raw Wald SE √(V/n) is given there for
    /// reference. It is 0 when every answer falls in one category.
    public let standardError: Double

    /// Takes fraction-scale values and converts them to points, so that every method does the
    /// scaling and clipping the same way.
    init(
        fractionLow: Double, fractionHigh: Double, fractionCenter: Double, fractionStandardError: Double,
        level: Double, method: IntervalMethod
    ) {
        unclippedLow = 100 * fractionLow
        unclippedHigh = 100 * fractionHigh
        low = min(max(unclippedLow, -100), 100)
        high = min(max(unclippedHigh, -100), 100)
        center = 100 * fractionCenter
        standardError = 100 * fractionStandardError
        self.level = level
        self.method = method
    }
}
