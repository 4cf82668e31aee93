// MARK: - Display

/// Rounding for presentation only. Statistics always use the unrounded values.
public enum Display {
    /// The NPS as an integer, rounded half away from zero (4.5 → 5, −4.5 → −5).
    ///
    /// Always round the final NPS and never its components. For 7/8/6, the exact 4.7619 gives 5,
    /// while rounding %P = 33 and %D = 29 first gives 4.
    ///
    /// - Precondition: `points` is finite, which an NPS from a `Tally` always is.
    public static func roundedPoints(_ points: Double) -> Int {
        Int(points.rounded(.toNearestOrAwayFromZero))
    }
}
