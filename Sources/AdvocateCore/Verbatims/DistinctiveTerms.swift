import Foundation

/// The words detractors use far more than promoters, and the reverse: Monroe, Colaresi & Quinn's
/// weighted log-odds ratio with an informative Dirichlet prior ("Fightin' Words", Political
/// Analysis 16(4), 2008).
///
/// Raw frequency differences rank words that are merely common, and plain log-odds rank words
/// seen once. The prior shrinks both: a term's z-score is large only when the evidence is. With the
/// informative prior, frequent function words are shrunk towards zero in every language, so no
/// stopword lists are needed.
///
/// For term w, with detractors as group i and promoters as group j, counts y, group totals n,
/// prior α_w and α₀ = Σ α_w:
///
///     δ_w  = ln[(y_w^i + α_w) / (n^i + α₀ − y_w^i − α_w)] − ln[(y_w^j + α_w) / (n^j + α₀ − y_w^j − α_w)]
///     σ²_w ≈ 1/(y_w^i + α_w) + 1/(y_w^j + α_w)
///     ζ_w  = δ_w / σ_w
///
/// A positive ζ marks a detractor term, a negative one a promoter term. The counts are whatever
/// the caller counts; for comments they should be the number of responses using the term
/// (`counts(_:)` of `Tokenizer.features(of:)`), not occurrences.
public struct DistinctiveTerms: Sendable {
    /// Where a term's pseudo-counts α_w come from.
    public enum Prior: Sendable, Hashable {
        /// The same α for every term of the two groups (α₀ = α × vocabulary size). Shrinks rare
        /// and frequent terms alike; it is the prior of the fightin_words reference code.
        case uniform(Double)
        /// α_w = a0 × bg_w / n_bg: a total of `a0` pseudo-counts spread in proportion to the
        /// term's background count. With `background` nil the background is the two groups
        /// pooled. A supplied background (for example all comments in the same language over the
        /// last twelve months) should include the compared comments: a term it lacks has no
        /// pseudo-counts, and if one group never uses it its ζ is undefined and it is left out.
        case informative(a0: Double, background: [String: Int]? = nil)

        /// The informative prior on the pooled counts with a0 = 10, the setting of the test
        /// vectors. A larger a0 shrinks more.
        public static let `default` = Prior.informative(a0: 10)
    }

    /// One term's statistics.
    public struct Term: Sendable, Hashable {
        /// The feature, as made by `Tokenizer`.
        public let term: String
        /// y_w^i: the detractors' count.
        public let detractorCount: Int
        /// y_w^j: the promoters' count.
        public let promoterCount: Int
        /// α_w.
        public let prior: Double
        /// δ_w, the log-odds ratio: positive when detractors use the term more.
        public let delta: Double
        /// σ²(δ_w), its approximate variance.
        public let variance: Double
        /// ζ_w = δ_w/σ_w, the z-score that terms are ranked by.
        public let z: Double
    }

    /// |ζ| above which a term is reported as distinctive when a cut is wanted. It is the
    /// two-sided 5% normal quantile, but with thousands of terms tested it is an exploratory
    /// threshold, not a significance test.
    public static let exploratoryZ = 1.96

    /// Every term used by either group, by ζ from most detractor-like to most promoter-like;
    /// ties by term, so that the order is reproducible.
    public let terms: [Term]

    /// Compares the detractors' term counts with the promoters'. Terms with a count of 0 or less
    /// in both are ignored.
    public init(detractors: [String: Int], promoters: [String: Int], prior: Prior = .default) {
        let vocabulary = Set(detractors.filter { $0.value > 0 }.keys)
            .union(promoters.filter { $0.value > 0 }.keys)
        let detractorTotal = Double(detractors.values.reduce(0) { $0 + max($1, 0) })  // n^i
        let promoterTotal = Double(promoters.values.reduce(0) { $0 + max($1, 0) })  // n^j

        // α_w for each term, and α₀.
        let alpha: (String) -> Double
        let alpha0: Double
        switch prior {
        case .uniform(let value):
            alpha = { _ in value }
            alpha0 = value * Double(vocabulary.count)
        case .informative(let a0, let background):
            var counts: [String: Int] = [:]
            if let background {
                counts = background.filter { $0.value > 0 }
            } else {
                for term in vocabulary {
                    counts[term] = max(detractors[term] ?? 0, 0) + max(promoters[term] ?? 0, 0)
                }
            }
            let total = Double(counts.values.reduce(0, +))
            let weights = total > 0 ? counts.mapValues { a0 * Double($0) / total } : [:]
            alpha = { weights[$0] ?? 0 }
            // Summed in sorted order: dictionary order varies between runs, and so would the last bit.
            alpha0 = weights.values.sorted().reduce(0, +)
        }

        var terms: [Term] = []
        terms.reserveCapacity(vocabulary.count)
        for term in vocabulary {
            let detractorCount = max(detractors[term] ?? 0, 0)
            let promoterCount = max(promoters[term] ?? 0, 0)
            let prior = alpha(term)
            let detractorMass = Double(detractorCount) + prior  // y_w^i + α_w
            let promoterMass = Double(promoterCount) + prior  // y_w^j + α_w
            let delta = log(detractorMass / (detractorTotal + alpha0 - detractorMass))
                - log(promoterMass / (promoterTotal + alpha0 - promoterMass))
            let variance = 1 / detractorMass + 1 / promoterMass
            let z = delta / variance.squareRoot()
            // Undefined only for a term with no pseudo-counts that one group never uses.
            guard z.isFinite else { continue }
            terms.append(Term(term: term, detractorCount: detractorCount, promoterCount: promoterCount,
                              prior: prior, delta: delta, variance: variance, z: z))
        }
        self.terms = terms.sorted { $0.z != $1.z ? $0.z > $1.z : $0.term < $1.term }
    }

    /// The terms detractors use more (ζ > `minimumZ`), most distinctive first, at most `limit`.
    /// Pass `exploratoryZ` as `minimumZ` to keep only the clear ones.
    public func detractorTerms(limit: Int = .max, minimumZ: Double = 0) -> [Term] {
        Array(terms.lazy.filter { $0.z > minimumZ }.prefix(limit))
    }

    /// The terms promoters use more (ζ < −`minimumZ`), most distinctive first, at most `limit`.
    public func promoterTerms(limit: Int = .max, minimumZ: Double = 0) -> [Term] {
        Array(terms.filter { $0.z < -minimumZ }
            .sorted { $0.z != $1.z ? $0.z < $1.z : $0.term < $1.term }
            .prefix(limit))
    }

    /// In how many of `featureSets` (one per response) each feature occurs: the counts to
    /// compare, each response counting once per term.
    public static func counts(_ featureSets: some Sequence<Set<String>>) -> [String: Int] {
        var counts: [String: Int] = [:]
        for features in featureSets {
            for feature in features { counts[feature, default: 0] += 1 }
        }
        return counts
    }
}
