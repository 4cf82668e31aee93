import NPS

/// eNPS mode: a survey of kind `employee` never shows one person's answer, and no group of
/// fewer than `minimumRespondents` (a segment, a trend period, a filtered report, a driver) is
/// shown, since a small group's score would point at the people in it.
public enum Anonymity {
    public static let minimumRespondents = 5
    public static let hiddenMessage = "fewer than 5 — hidden to protect anonymity"

    /// Why an individual answer of an employee survey is refused.
    public static func individualAnswersRefused(surveyID: Int64) -> String {
        "survey \(surveyID) is an employee (eNPS) survey: its individual answers are never shown; read its report, which hides any group of fewer than \(minimumRespondents)"
    }

    /// Why an alert rule cannot watch an employee survey: a case, an e-mail or a Slack post
    /// about one answer would show it.
    public static func noAlerts(surveyID: Int64) -> String {
        "survey \(surveyID) is an employee (eNPS) survey: its answers never raise alerts, cases or webhook events one by one"
    }

    public static func isHidden(_ tally: Tally) -> Bool { tally.n < minimumRespondents }

    /// An employee survey's distinctive terms as they may be shown, in their order: none when
    /// fewer than five people commented, and no term that one to four commenters of either side
    /// used ("two detractors wrote *night shift*" points at them). Example comments are never shown.
    public static func shownTerms(_ terms: [DistinctiveTerms.Term], commenters: Int) -> [DistinctiveTerms.Term] {
        guard commenters >= minimumRespondents else { return [] }
        func safe(_ count: Int) -> Bool { count == 0 || count >= minimumRespondents }
        return terms.filter { safe($0.detractorCount) && safe($0.promoterCount) }
    }

    /// What was left out of a report.
    public struct Hidden: Sendable, Hashable {
        public var summary = false
        public var segments = 0
        public var trendPoints = 0
        public init() {}
    }

    /// The report with every group of fewer than five respondents taken out: breakdown rows and
    /// trend points are dropped (and the change into the period after a dropped one, which
    /// would give its count away); a whole report under five keeps no numbers at all.
    public static func redact(_ report: SurveyReport) -> (SurveyReport, Hidden) {
        var r = report
        var hidden = Hidden()
        if isHidden(r.summary.tally) {
            hidden.summary = true
            r.summary = NPSSummary(tally: .empty)
            r.distribution = ScoreCounts()
        }
        if let rows = r.breakdown {
            r.breakdown = rows.filter { !isHidden($0.summary.tally) }
            hidden.segments = rows.count - r.breakdown!.count
        }
        var points: [TrendPoint] = []
        var previousHidden = false
        for var p in r.trend {
            // An empty period gives nothing away and keeps the timeline; the next compared
            // period's test reaches back past it to the last one with answers.
            if p.summary.tally.n == 0 { points.append(p); continue }
            if isHidden(p.summary.tally) {
                hidden.trendPoints += 1
                previousHidden = true
                continue
            }
            if previousHidden || hidden.summary { p.comparison = nil }
            previousHidden = false
            points.append(p)
        }
        r.trend = hidden.summary ? [] : points
        return (r, hidden)
    }

    /// The report's `anonymity` member.
    public static func json(_ hidden: Hidden) -> JSONValue {
        .object([
            "minimum_respondents": .integer(Int64(minimumRespondents)),
            "summary_hidden": .bool(hidden.summary),
            "hidden_segments": .integer(Int64(hidden.segments)),
            "hidden_trend_points": .integer(Int64(hidden.trendPoints)),
            "message": .string(hiddenMessage),
        ])
    }
}
