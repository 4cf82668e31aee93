import AdvocateCore
import AdvocateStore
import ArgumentParser
import NPS

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Print a survey's NPS with its interval, trend and breakdown.")

    @Option(help: "Survey id.") var survey: Int64
    @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
    @Option(help: "First day, YYYY-MM-DD (survey's time zone).") var from: String?
    @Option(help: "Last day, YYYY-MM-DD.") var to: String?
    @Option(help: "Trend buckets: day, week or month.") var interval: String = "week"
    @Option(help: "Break down by a property (or channel, locale).") var by: String?
    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let fromDay = try from.map { s in try CalendarDay(iso8601: s).orThrow("--from must be YYYY-MM-DD, got \(s)") }
        let toDay = try to.map { s in try CalendarDay(iso8601: s).orThrow("--to must be YYYY-MM-DD, got \(s)") }
        let trend = try TrendInterval(rawValue: interval).orThrow("--interval must be day, week or month")
        if let fromDay, let toDay, fromDay > toDay { throw ValidationError("--from must not be after --to") }
        try await withStore(dataOptions) { store in
            let ws = try await store.requireWorkspace(workspace)
            guard let s = try await store.survey(workspaceID: ws.id, id: survey) else {
                throw CLIError("no survey \(survey) in workspace \(workspace)")
            }
            let report = try await store.report(survey: s, from: fromDay, to: toDay, interval: trend, by: by)
            print(TerminalReport.render(report, survey: s, by: by))
        }
    }
}

/// Plain-text rendering of a report for terminals.
enum TerminalReport {
    static func render(_ report: SurveyReport, survey: Survey, by: String?) -> String {
        var out = "\(survey.name) — \(survey.productName) (survey \(survey.id), \(survey.timeZone.identifier))\n"
        out += "NPS  " + line(report.summary) + "\n"
        let t = report.summary.tally
        out += "     promoters \(t.promoters)  passives \(t.passives)  detractors \(t.detractors)\n"
        if let band = report.summary.band { out += "     band: \(band.label)\n" }
        out += "\nScores  " + (0...10).map { "\($0):\(report.distribution.counts[$0])" }.joined(separator: "  ") + "\n"
        let trend = report.trend.filter { $0.summary.tally.n > 0 }
        if !trend.isEmpty {
            out += "\nTrend\n"
            for p in trend.suffix(24) {
                let mark = p.changeSignificant == true ? "  * significant change" : ""
                out += "  \(p.start)  " + line(p.summary) + mark + "\n"
            }
        }
        if let rows = report.breakdown, let by {
            out += "\nBy \(by)\n"
            for r in rows.prefix(50) { out += "  \(r.value.padding(toLength: 20, withPad: " ", startingAt: 0)) " + line(r.summary) + "\n" }
        }
        return out
    }

    static func line(_ s: NPSSummary) -> String {
        guard let nps = s.nps else { return "no responses" }
        var text = "\(Display.roundedPoints(nps))"
        if let i = s.interval { text += "  [\(Display.roundedPoints(i.low)), \(Display.roundedPoints(i.high))] 95%" }
        text += "  n=\(s.tally.n)"
        if s.isSmallSample { text += " (small sample)" }
        return text
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw ValidationError(message) }
        return self
    }
}

import Foundation
