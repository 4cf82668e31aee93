// MARK: - Tally

/// Counts of promoters, passives and detractors: all that any NPS statistic needs.
///
/// Segments are combined by adding tallies, never by averaging their NPS values. An unweighted
/// mean of segment NPS values is a common mistake.
public struct Tally: Sendable, Hashable, Codable {
    /// Answers of 9 or 10.
    public var promoters: Int
    /// Answers of 7 or 8.
    public var passives: Int
    /// Answers of 0 to 6.
    public var detractors: Int

    /// No answers, the identity for `+` and `merge(_:)`.
    public static let empty = Tally(promoters: 0, passives: 0, detractors: 0)

    /// Below this many answers a report still shows the NPS but marks it. At that size even the
    /// adjusted-Wald interval is tens of points wide.
    public static let smallSampleThreshold = 30

    /// Counts are expected to be non-negative. Statistics return nil for a tally that is not.
    public init(promoters: Int, passives: Int, detractors: Int) {
        self.promoters = promoters
        self.passives = passives
        self.detractors = detractors
    }

    /// Groups a full 0–10 distribution, the form that rollups store, into the three categories.
    ///
    /// - Precondition: exactly eleven counts, for scores 0 through 10. Any other length means the
    ///   caller's distribution is on a different scale and must not be pooled.
    public init(scoreCounts: some Collection<Int>) {
        precondition(scoreCounts.count == Score.range.count, "Expected 11 counts for scores 0…10.")
        // Summed by index rather than through add(_:count:): reports convert thousands of daily
        // distributions and the generic zip was a sixth of a report's time.
        var counts = scoreCounts.makeIterator()
        var detractors = 0, passives = 0, promoters = 0
        for score in 0...10 {
            let count = counts.next()!
            switch score {
            case 0...6: detractors += count
            case 7...8: passives += count
            default: promoters += count
            }
        }
        self.init(promoters: promoters, passives: passives, detractors: detractors)
    }

    /// All answers, including passives. They are part of the denominator even though they
    /// add nothing to the numerator.
    public var n: Int { promoters + passives + detractors }

    /// Fewer than `smallSampleThreshold` answers.
    public var isSmallSample: Bool { n < Self.smallSampleThreshold }

    // MARK: - Combining

    /// Counts `count` answers of `score`. A negative count removes them, which lets rollups undo
    /// an edited answer.
    public mutating func add(_ score: Score, count: Int = 1) {
        switch score.category {
        case .promoter: promoters += count
        case .passive: passives += count
        case .detractor: detractors += count
        }
    }

    /// Pools another tally into this one, the only correct way to combine segments.
    public mutating func merge(_ other: Tally) {
        promoters += other.promoters
        passives += other.passives
        detractors += other.detractors
    }

    /// The pooled tally of two disjoint sets of answers.
    public static func + (lhs: Tally, rhs: Tally) -> Tally {
        var sum = lhs
        sum.merge(rhs)
        return sum
    }

    // MARK: - Point estimate

    /// NPS in points (−100…100), unrounded; nil without answers. Round only for display,
    /// with `Display.roundedPoints(_:)`.
    ///
    /// It is computed as one division of exact integers, so that a true half-point (such as 2.5)
    /// stays exact and rounds the same way every time.
    public var nps: Double? {
        guard hasAnswers else { return nil }
        return Double(100 * (promoters - detractors)) / Double(n)
    }

    /// NPS on the −1…1 scale that the variance formulas use; nil without answers.
    public var npsFraction: Double? {
        guard hasAnswers else { return nil }
        return Double(promoters - detractors) / Double(n)
    }

    /// Variance of one answer coded +1/0/−1, V = p_P + p_D − (p_P − p_D)², on the fraction scale;
    /// nil without answers. Var(NPS_fraction) = V / n.
    public var perRespondentVariance: Double? {
        guard hasAnswers else { return nil }
        return Trinomial.variance(
            promoterShare: Double(promoters) / Double(n), detractorShare: Double(detractors) / Double(n))
    }

    /// True when the tally has answers and no negative counts. Every statistic checks this
    /// first, so that an inconsistent rollup gives nil instead of NaN.
    var hasAnswers: Bool { n > 0 && promoters >= 0 && passives >= 0 && detractors >= 0 }
}

// MARK: - Trinomial variance

/// The single definition of the per-respondent variance, shared by intervals, tests and
/// sample sizes so that the three can never drift apart.
enum Trinomial {
    /// V = p_P + p_D − (p_P − p_D)². It is clamped at 0 because rounding can push an exact 0
    /// (a single-category sample) slightly negative, and a square root of that would be NaN.
    static func variance(promoterShare p: Double, detractorShare d: Double) -> Double {
        max(0, p + d - (p - d) * (p - d))
    }
}
