/// Which A/B variant (subject line, intro text) each contact of a campaign gets.
///
/// Deterministic in (seed, contact id), like sampling, but drawn from its own stream, so the
/// variant a contact gets says nothing about whether it was sampled: the arms are comparable.
/// Weights are integers (`[2, 1]` sends A to two thirds) because they are read and shown as such.
/// The response rates of two arms are compared with `Proportion.compare` (module NPS).
public struct VariantAssignment: Sendable, Hashable {
    /// How many variants a test may have: fewer is no test, more splits typical audiences too thin.
    public static let allowedVariantCounts = 2...5
    /// Accepted weights of one variant.
    public static let allowedWeights = 1...1_000

    /// The weight of each variant, in variant order.
    public let weights: [Int]
    /// Running totals of `weights`, for the lookup.
    private let cumulative: [Int]

    /// Variants with these weights; nil unless there are 2…5 of them, each 1…1000.
    public init?(weights: [Int]) {
        guard Self.allowedVariantCounts.contains(weights.count),
              weights.allSatisfy(Self.allowedWeights.contains) else { return nil }
        self.weights = weights
        var total = 0
        cumulative = weights.map { total += $0; return total }
    }

    /// `count` variants of equal weight; nil unless `count` is 2…5.
    public init?(equalVariants count: Int) {
        guard Self.allowedVariantCounts.contains(count) else { return nil }
        self.init(weights: Array(repeating: 1, count: count))
    }

    /// The variant index (0-based) for a contact.
    public func variant(for contactID: Int64, seed: UInt64) -> Int {
        let total = cumulative[cumulative.count - 1]
        let point = Int(CampaignDraw.unit(seed: seed, stream: .variant, contactID: contactID) * Double(total))
        // point < total because the draw is below 1 and total is small enough to be exact.
        return cumulative.firstIndex { point < $0 } ?? cumulative.count - 1
    }
}
