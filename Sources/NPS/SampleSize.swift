// MARK: - Sample size

/// How many answers a survey needs, from inverting the Wald-type intervals and tests.
///
/// Inputs are planning guesses, not data. The worst case for a single NPS is
/// promoterShare = detractorShare = 0.5 (V = 1).
///
/// Invalid inputs (a non-positive margin or difference, shares outside a trinomial, a level or
/// power outside (0, 1)) are programmer errors and trap. Validate user input before calling.
public enum SampleSize {
    /// Expected promoter and detractor shares (0…1 each, summing to at most 1) for one group.
    public typealias Shares = (promoterShare: Double, detractorShare: Double)

    /// Answers needed for a two-sided interval of ±`points` around one NPS.
    ///
    /// n = z²V/E² − 3 when `adjusted` (the 3 pseudo-answers of adjusted Wald count towards the
    /// precision), or z²V/E² for plain Wald. The result is rounded up, so 934.3 becomes 935.
    public static func forMarginOfError(
        points: Double, promoterShare: Double, detractorShare: Double, level: Double = 0.95,
        adjusted: Bool = true
    ) -> Int {
        precondition(points > 0 && points.isFinite, "The margin of error must be positive.")
        let variance = validatedVariance((promoterShare, detractorShare))
        let z = validatedCriticalValue(level: level)
        let margin = points / 100
        return wholeAnswers(z * z * variance / (margin * margin) - (adjusted ? 3 : 0))
    }

    /// Answers needed in each of two equal independent groups for a two-sided test at `level`
    /// to detect a difference of `difference` points with probability `power`.
    ///
    /// n = (z_{1−α/2} + z_{power})²·(V₁ + V₂)/d² − 3, rounded up (the adjusted-Wald form, as
    /// MeasuringU states it). The shares only set V₁ and V₂. `difference` is the smallest
    /// effect worth detecting and is given separately, because it is usually smaller than the
    /// gap between the planning guesses.
    public static func perGroup(
        first: Shares, second: Shares, difference: Double, level: Double = 0.95, power: Double = 0.8
    ) -> Int {
        precondition(difference != 0 && difference.isFinite, "The difference to detect must be non-zero.")
        precondition(power > 0 && power < 1, "Power must be strictly between 0 and 1.")
        let variance = validatedVariance(first) + validatedVariance(second)
        let z = validatedCriticalValue(level: level) + NormalDistribution.quantile(power)
        let d = difference / 100
        return wholeAnswers(z * z * variance / (d * d) - 3)
    }

    // MARK: - Helpers

    private static func validatedVariance(_ shares: Shares) -> Double {
        let (p, d) = shares
        precondition(p >= 0 && d >= 0 && p + d <= 1, "Shares must be non-negative and sum to at most 1.")
        return Trinomial.variance(promoterShare: p, detractorShare: d)
    }

    private static func validatedCriticalValue(level: Double) -> Double {
        precondition(level > 0 && level < 1, "The confidence level must be strictly between 0 and 1.")
        return NormalDistribution.criticalValue(level: level)
    }

    /// Rounds up, because a fraction of an answer still has to be collected. Floating-point noise
    /// below 1e-9 is ignored so that an exact integer is not bumped by one. The result is at
    /// least 1, because the "− 3" can make a tiny requirement negative.
    private static func wholeAnswers(_ raw: Double) -> Int {
        max(1, Int((raw - 1e-9).rounded(.up)))
    }
}
