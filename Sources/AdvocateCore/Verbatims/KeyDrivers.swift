import NPS

/// A commenter's score and the themes their comment was tagged with: the input of key drivers.
public struct ThemedResponse: Sendable, Hashable {
    /// The 0–10 answer.
    public var score: Score
    /// Ids of the themes the comment mentions; empty when it mentions none (it still counts
    /// among the commenters).
    public var themes: Set<Int64>

    public init(score: Score, themes: Set<Int64>) {
        self.score = score
        self.themes = themes
    }
}

/// What one theme does to the NPS: "the top reasons people recommend us and don't".
///
/// The baseline is the commenters only, not every respondent: a theme can only be found in a
/// comment, and counting silent respondents among those "without" the theme would mix the effect
/// of the theme with the effect of commenting. Reports must say so.
///
/// Impact is Thematic's definition (Kapiche uses the same): NPS(commenters) − NPS(commenters
/// without the theme), how far the NPS would move if the theme's commenters were removed. It
/// equals share × (NPS_with − NPS_without), so a theme matters when it is both frequent and far
/// from the rest. Impacts of themes that overlap do not add up to the NPS.
public struct KeyDriver: Sendable, Hashable {
    /// The theme's id.
    public let theme: Int64
    /// Commenters whose comment mentions the theme.
    public let with: Tally
    /// Commenters whose comment does not.
    public let without: Tally

    public init(theme: Int64, with: Tally, without: Tally) {
        self.theme = theme
        self.with = with
        self.without = without
    }

    /// All commenters: the two disjoint groups pooled.
    public var commenters: Tally { with + without }

    /// f, the share of commenters mentioning the theme (0…1); nil without commenters.
    public var share: Double? {
        let n = commenters.n
        guard n > 0 else { return nil }
        return Double(with.n) / Double(n)
    }

    /// NPS of the commenters mentioning the theme, in points: the theme's polarity in the
    /// respondents' own judgement, with no sentiment lexicon. Nil when no one mentions it.
    public var npsWith: Double? { with.nps }

    /// NPS of the commenters not mentioning it, in points; nil when everyone does.
    public var npsWithout: Double? { without.nps }

    /// NPS(commenters) − NPS(commenters without the theme), in points: negative for a reason not
    /// to recommend, 0 when no one mentions the theme. Nil when every commenter mentions it,
    /// because then there is nothing to compare with.
    public var impact: Double? {
        guard let all = commenters.nps, let npsWithout else { return nil }
        return all - npsWithout
    }

    /// The two-sample z test of NPS_with against NPS_without (the groups are disjoint, so the
    /// independent-samples test applies). Adjusted Wald by default, like `Tally.compare`; nil
    /// when either group is empty.
    public func comparison(method: IntervalMethod = .adjustedWald, level: Double = 0.95) -> Comparison? {
        Tally.compare(with, without, method: method, level: level)
    }
}

/// Key drivers of a set of commenters.
public enum KeyDrivers {
    /// One `KeyDriver` for every theme mentioned at least once in `responses`, by theme id.
    /// `responses` should be the responses with a comment, each once.
    public static func analyse(_ responses: some Sequence<ThemedResponse>) -> [KeyDriver] {
        var all = Tally.empty
        var mentioning: [Int64: Tally] = [:]
        for response in responses {
            all.add(response.score)
            for theme in response.themes { mentioning[theme, default: .empty].add(response.score) }
        }
        return drivers(commenters: all, mentioning: mentioning)
    }

    /// One `KeyDriver` per theme of `mentioning` (the commenters naming it), by theme id, when
    /// the commenters were counted already (a rollup, the answer columns) rather than listed.
    public static func drivers(commenters all: Tally, mentioning: [Int64: Tally]) -> [KeyDriver] {
        mentioning.keys.sorted().map { theme in
            let with = mentioning[theme]!
            let without = Tally(promoters: all.promoters - with.promoters, passives: all.passives - with.passives,
                                detractors: all.detractors - with.detractors)
            return KeyDriver(theme: theme, with: with, without: without)
        }
    }
}

extension KeyDrivers {
    /// "The top reasons people recommend us and don't": the themes that raise the commenters'
    /// NPS (positive impact), largest first, and those that lower it, most negative first; at
    /// most `limit` each. Ties by theme id.
    public static func topReasons(_ drivers: [KeyDriver], limit: Int = 5) -> (recommend: [KeyDriver], dontRecommend: [KeyDriver]) {
        let rated = drivers.compactMap { driver in driver.impact.map { (driver, $0) } }
        let up = rated.filter { $0.1 > 0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.theme < $1.0.theme }
        let down = rated.filter { $0.1 < 0 }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.theme < $1.0.theme }
        return (Array(up.prefix(limit).map(\.0)), Array(down.prefix(limit).map(\.0)))
    }
}
