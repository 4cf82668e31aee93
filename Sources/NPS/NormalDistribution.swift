#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

// MARK: - Standard normal

/// The standard normal distribution. Every interval, test and sample size here depends on it.
///
/// It only uses the C library's `erfc`, `exp` and `log`, so the module needs no Foundation
/// and no third-party numerics.
public enum NormalDistribution {
    /// Φ(x). Using `erfc` rather than `1 + erf` keeps full relative precision in the lower tail,
    /// where p-values live.
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p), accurate to about 1e-15 relative. Returns −∞ at 0, +∞ at 1 and NaN outside [0, 1].
    ///
    /// It uses Acklam's rational approximation (relative error about 1e-9) followed by one
    /// Halley step against `cdf`, which brings it to machine precision. Only the lower half is
    /// computed. The upper half comes from symmetry, because 1 − p is exact there, while
    /// cdf(x) − p would lose digits near 1.
    public static func quantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// The two-sided critical value z such that P(|Z| ≤ z) = level: 1.959963984540054 at 0.95.
    ///
    /// This is quantile(1 − (1 − level)/2). Passing `level` straight to `quantile` gives a
    /// one-sided 1.645 at 95%, a bug found in public eNPS code.
    public static func criticalValue(level: Double) -> Double {
        quantile(1 - (1 - level) / 2)
    }

    // MARK: - Acklam's approximation

    /// Φ⁻¹(p) for 0 < p ≤ 0.5.
    private static func lowerQuantile(_ p: Double) -> Double {
        let x: Double
        if p < tailBreak {
            let q = (-2 * log(p)).squareRoot()
            x = polynomial(c, q) / (polynomial(d, q) * q + 1)
        } else {
            let q = p - 0.5
            let r = q * q
            x = polynomial(a, r) * q / (polynomial(b, r) * r + 1)
        }
        // Halley step: e is the cdf error and u = e / φ(x).
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        guard u.isFinite else { return x }  // beyond about 1e-300 exp overflows; keep Acklam's value
        return x - u / (1 + x * u / 2)
    }

    /// Horner evaluation, coefficients from highest degree to lowest.
    private static func polynomial(_ coefficients: [Double], _ x: Double) -> Double {
        coefficients.reduce(0) { $0 * x + $1 }
    }

    /// Where Acklam switches from the central approximation to the tail approximation.
    private static let tailBreak = 0.02425
    private static let a = [
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    private static let b = [
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01,
    ]
    private static let c = [
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
    ]
    private static let d = [
        7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00,
    ]
}
