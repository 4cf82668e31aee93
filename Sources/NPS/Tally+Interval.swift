// MARK: - Intervals

extension Tally {
    /// A confidence interval for this tally's NPS.
    ///
    /// Returns nil when there are no answers (there is no estimate to bound) or when `level`
    /// is not strictly between 0 and 1. Nil is used instead of a trap because `level` can come
    /// from a request.
    public func interval(method: IntervalMethod = .adjustedWald, level: Double = 0.95) -> Interval? {
        guard hasAnswers, level > 0, level < 1, let raw = waldEstimate(adjusted: false) else { return nil }
        let z = NormalDistribution.criticalValue(level: level)
        switch method {
        case .wald, .adjustedWald:
            let estimate = method == .adjustedWald ? adjustedWaldEstimate : raw
            return Interval(
                fractionLow: estimate.fraction - z * estimate.standardError,
                fractionHigh: estimate.fraction + z * estimate.standardError,
                fractionCenter: estimate.fraction, fractionStandardError: estimate.standardError,
                level: level, method: method)
        case .score:
            let bounds = scoreBounds(z: z)
            return Interval(
                fractionLow: bounds.low, fractionHigh: bounds.high,
                fractionCenter: raw.fraction, fractionStandardError: raw.standardError,
                level: level, method: .score)
        }
    }
}

// MARK: - Wald estimates

/// An NPS fraction and its standard error, the two numbers that every Wald-type interval and
/// test is built from.
struct WaldEstimate {
    /// p_P − p_D.
    let fraction: Double
    /// √(V / n).
    let standardError: Double

    /// Takes Double counts so that the adjusted estimate can use fractional pseudo-observations.
    init(promoters: Double, detractors: Double, n: Double) {
        let p = promoters / n
        let d = detractors / n
        fraction = p - d
        standardError = (Trinomial.variance(promoterShare: p, detractorShare: d) / n).squareRoot()
    }
}

extension Tally {
    /// Pseudo-promoters and pseudo-detractors added by adjusted Wald. Another 1.5 passives make
    /// n + 3. These are the values in Rocks' `pseudo_observations = c(0.75, 1.5, 0.75)` and
    /// MeasuringU's recipe.
    static let adjustedWaldPseudoCount = 0.75

    /// The raw or adjusted estimate, or nil without answers.
    func waldEstimate(adjusted: Bool) -> WaldEstimate? {
        guard hasAnswers else { return nil }
        return adjusted ? adjustedWaldEstimate : WaldEstimate(
            promoters: Double(promoters), detractors: Double(detractors), n: Double(n))
    }

    /// Only call this once `hasAnswers` is known to be true.
    private var adjustedWaldEstimate: WaldEstimate {
        let pseudo = Self.adjustedWaldPseudoCount
        return WaldEstimate(
            promoters: Double(promoters) + pseudo, detractors: Double(detractors) + pseudo,
            n: Double(n) + 4 * pseudo)
    }
}

// MARK: - Score interval

extension Tally {
    /// Bounds on the fraction scale of {Δ : |S(Δ)| ≤ z}.
    ///
    /// S falls as Δ rises and is 0 at the raw estimate. Each bound is therefore the single
    /// crossing on its side of the estimate, or ±1 when S never leaves [−z, z] on that side,
    /// as happens for a sample of only promoters.
    ///
    /// This deliberately does not port `iterative()` from the brendan-r/NPS R package: that
    /// function computes a negative z and its interval collapses.
    func scoreBounds(z: Double) -> (low: Double, high: Double) {
        let estimate = Double(promoters - detractors) / Double(n)
        let low = scoreStatistic(-1) <= z ? -1 : Self.bisect(from: -1, to: estimate) { scoreStatistic($0) - z }
        let high = scoreStatistic(1) >= -z ? 1 : Self.bisect(from: estimate, to: 1) { scoreStatistic($0) + z }
        return (low, high)
    }

    /// S(Δ) = (P − D − nΔ) / √(n·(2·p̃_D(Δ) + Δ(1 − Δ))): the score statistic for the
    /// hypothesis NPS_fraction = Δ, with its variance evaluated at the restricted MLE.
    func scoreStatistic(_ delta: Double) -> Double {
        let count = Double(n)
        let numerator = Double(promoters - detractors) - count * delta
        let variance = count * (2 * restrictedDetractorShare(delta) + delta * (1 - delta))
        // At Δ = ±1 on a single-category sample both parts are 0. The hypothesis is then
        // exactly the observed value, so it is inside the interval, not undefined.
        if numerator == 0 { return 0 }
        guard variance > 0 else { return numerator > 0 ? .infinity : -.infinity }
        return numerator / variance.squareRoot()
    }

    /// p̃_D(Δ): the detractor share that maximises the likelihood given p_P − p_D = Δ.
    /// It is the larger root of 2n·p² + [−D − P + (2n − P + D)Δ]·p − DΔ(1 − Δ) = 0.
    func restrictedDetractorShare(_ delta: Double) -> Double {
        let count = Double(n)
        let p = Double(promoters)
        let d = Double(detractors)
        let a = 2 * count
        let b = -d - p + (2 * count - p + d) * delta
        let c = -d * delta * (1 - delta)
        let root = max(0, b * b - 4 * a * c).squareRoot()
        // When b > 0, −b + root cancels, so the equivalent form −2c / (b + root) is used instead.
        let larger = b > 0 ? -2 * c / (b + root) : (-b + root) / (2 * a)
        // Keep it a valid trinomial: p_D ≥ 0, p_P = p_D + Δ ≥ 0 and p_P + p_D ≤ 1.
        return min(max(larger, max(0, -delta)), (1 - delta) / 2)
    }

    /// Plain bisection with f(lower) > 0 ≥ f(upper). It is used instead of Newton or Brent
    /// because S can be infinite or flat near Δ = ±1. Sixty-four halvings of a bracket no
    /// wider than 2 leave it about 1e-19 wide, well below what any display or test needs.
    private static func bisect(from lower: Double, to upper: Double, _ f: (Double) -> Double) -> Double {
        var lower = lower
        var upper = upper
        for _ in 0..<64 {
            let middle = (lower + upper) / 2
            if f(middle) > 0 { lower = middle } else { upper = middle }
        }
        return (lower + upper) / 2
    }
}
