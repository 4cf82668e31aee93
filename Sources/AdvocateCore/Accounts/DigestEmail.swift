import Foundation
import NPS

/// What one digest reports: per survey, the period's figures against the period before. Filled
/// by the digest job from the store; turned into a message by `DigestEmail`.
public struct DigestReport: Sendable, Hashable {
    public struct Detractor: Sendable, Hashable {
        public var responseID: Int64
        public var score: Int
        public var comment: String
        public init(responseID: Int64, score: Int, comment: String) {
            self.responseID = responseID
            self.score = score
            self.comment = comment
        }
    }

    public struct SurveyFigures: Sendable, Hashable {
        public var id: Int64
        public var name: String
        public var tally: Tally
        public var previous: Tally
        /// Invitations sent in the period, and how many of them were answered.
        public var sent: Int
        public var answered: Int
        /// Responses of the period with a comment.
        public var commented: Int
        /// The newest detractors with a comment (up to 10).
        public var detractors: [Detractor]
        /// Themes' names: "top reasons people recommend" and "... don't", from the key drivers.
        public var recommend: [String]
        public var dontRecommend: [String]

        public init(id: Int64, name: String, tally: Tally, previous: Tally, sent: Int, answered: Int, commented: Int,
                    detractors: [Detractor], recommend: [String], dontRecommend: [String]) {
            self.id = id
            self.name = name
            self.tally = tally
            self.previous = previous
            self.sent = sent
            self.answered = answered
            self.commented = commented
            self.detractors = detractors
            self.recommend = recommend
            self.dontRecommend = dontRecommend
        }
    }

    public var workspaceName: String
    public var frequency: DigestFrequency
    public var period: DigestSchedule.Period
    public var surveys: [SurveyFigures]

    public init(workspaceName: String, frequency: DigestFrequency, period: DigestSchedule.Period, surveys: [SurveyFigures]) {
        self.workspaceName = workspaceName
        self.frequency = frequency
        self.period = period
        self.surveys = surveys
    }
}

/// The digest e-mail: subject, plain text and HTML. Pure; everything people wrote is escaped in
/// the HTML, and the change is called significant only when the two-sample test says so.
public enum DigestEmail {
    public static let maxDetractors = 10

    /// - Parameters:
    ///   - base: the public URL links start with.
    ///   - unsubscribeURL: the one-click link that turns this digest off.
    public static func content(_ report: DigestReport, base: String, unsubscribeURL: String) -> (subject: String, text: String, html: String) {
        let p = report.period
        let when = p.from == p.to ? DayText.long(p.from) : "\(DayText.long(p.from)) to \(DayText.long(p.to))"
        let kind = report.frequency == .weekly ? "Weekly" : "Daily"
        let subject = "\(kind) NPS digest for \(report.workspaceName): \(when)"
        var text = "\(kind) NPS digest for \(report.workspaceName)\n\(when), compared with the \(report.frequency == .weekly ? "week" : "day") before.\n"
        var html = """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">\
            <h1 style="font-size:20px;margin:0 0 4px">\(e(kind)) NPS digest for \(e(report.workspaceName))</h1>\
            <p style="margin:0 0 16px;color:#59636e">\(e(when)), compared with the \(report.frequency == .weekly ? "week" : "day") before.</p>
            """
        if report.surveys.isEmpty {
            text += "\nThe workspace has no survey yet.\n"
            html += "<p>The workspace has no survey yet.</p>"
        }
        for s in report.surveys {
            let link = "\(base)/app/surveys/\(s.id)?from=\(p.from)&to=\(p.to)"
            let figures = Self.figures(s)
            text += "\n\(s.name)\n\(String(repeating: "=", count: min(60, s.name.count)))\n" + figures.map { "\($0.label): \($0.value)" }.joined(separator: "\n")
            text += "\nReport: \(link)\n"
            html += "<h2 style=\"font-size:17px;margin:24px 0 8px\"><a href=\"\(e(link))\">\(e(s.name))</a></h2><table style=\"border-collapse:collapse\">"
            html += figures.map { "<tr><th scope=\"row\" style=\"text-align:left;padding:2px 16px 2px 0;font-weight:normal;color:#59636e\">\(e($0.label))</th><td style=\"padding:2px 0\">\(e($0.value))</td></tr>" }.joined()
            html += "</table>"
            for (title, themes) in [("Top reasons people recommend", s.recommend), ("Top reasons people don't", s.dontRecommend)] where !themes.isEmpty {
                text += "\(title): \(themes.joined(separator: ", "))\n"
                html += "<p style=\"margin:8px 0 0\"><strong>\(e(title)):</strong> \(e(themes.joined(separator: ", ")))</p>"
            }
            if !s.detractors.isEmpty {
                text += "New detractors with a comment:\n"
                html += "<h3 style=\"font-size:15px;margin:12px 0 4px\">New detractors with a comment</h3><ul style=\"margin:0;padding-left:20px\">"
                for d in s.detractors.prefix(maxDetractors) {
                    let url = "\(base)/app/responses/\(d.responseID)"
                    text += "- \(d.score): \(d.comment.replacingOccurrences(of: "\n", with: " ")) (\(url))\n"
                    html += "<li><a href=\"\(e(url))\">\(d.score)</a>: \(e(d.comment))</li>"
                }
                html += "</ul>"
            }
        }
        text += "\nStop this digest: \(unsubscribeURL)\nChange it: \(base)/app/account\n"
        html += """
            <p style="margin:24px 0 0;font-size:13px;color:#59636e"><a href="\(e(unsubscribeURL))">Stop this digest</a> · \
            <a href="\(e(base))/app/account">Change how often it comes</a></p></body></html>
            """
        return (subject, text, html)
    }

    /// The lines of figures for one survey, as label and value.
    static func figures(_ s: DigestReport.SurveyFigures) -> [(label: String, value: String)] {
        func percent(_ part: Int, of whole: Int) -> String { whole == 0 ? "–" : "\(Int((Double(part) * 100 / Double(whole)).rounded()))%" }
        var nps = s.tally.nps.map { String(Display.roundedPoints($0)) } ?? "no responses"
        if s.tally.n > 0 && s.tally.isSmallSample { nps += " (small sample)" }
        var change = "–"
        if let now = s.tally.nps, let then = s.previous.nps, let comparison = Tally.compare(s.tally, s.previous) {
            // The test runs on adjusted values; the change shown is the plain one (NPS.Comparison).
            let points = Display.roundedPoints(now - then)
            change = (points > 0 ? "+\(points)" : "\(points)") + (comparison.isSignificant() ? " (significant)" : " (not significant)")
        }
        return [("NPS", nps), ("Change", change), ("Responses", "\(s.tally.n)"), ("Invitations sent", "\(s.sent)"),
                ("Response rate", percent(s.answered, of: s.sent)), ("Comment rate", percent(s.commented, of: s.tally.n))]
    }

    private static func e(_ text: String) -> String { HTMLText.escape(text) }
}

/// Days written out in English: "Monday 30 November 2026".
public enum DayText {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    public static func long(_ day: CalendarDay) -> String {
        let c = day.components
        return "\(weekdays[day.weekStart.distance(to: day)]) \(c.day) \(months[c.month - 1]) \(c.year)"
    }
}
