import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

/// `/app/surveys/{id}`: one survey's report on the dashboard. Everything on it follows the URL:
/// the period (`from`, `to`, default the last 90 days in the survey's zone), the trend's bucket
/// (`interval`), the filters (`QueryReader.reportFilter`: several `segment=plan:paid`, `channel`,
/// `language`, `campaign_id`, `variant`) and a breakdown (`by=plan`, by quartile when numeric, or
/// `by=tenure`). It shows the NPS with its interval, band and n, the change against the
/// period before with its test, the 0–10 distribution, the trend with its interval band, the
/// invitation funnel, the key drivers among commenters ("top reasons people recommend" and
/// "don't", per segment too) and the breakdown with each segment against the rest.
struct SurveyReportPage {
    let store: AdvocateStore
    let accounts: AccountPages

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/surveys/:id", use: show)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try await accounts.surveyPage(request, context, template: "survey-report") { session, form, values, survey in
            try await report(request, session: session, form: form, values: values, survey: survey)
        }
    }

    private func report(_ request: Request, session: Session, form: RespondentCookies.Session, values frame: [String: Any],
                        survey: Survey) async throws -> Response {
        var values = frame
        let workspaceID = session.membership.workspace.id
        var q = QueryReader(request, ignoringEmpty: true)
        let today = survey.timeZone.day(containing: store.clock.now())
        let to = q.day("to") ?? today
        let from = q.day("from") ?? to.advanced(by: -89)
        if from > to { q.fail("from", "must not be after to") }
        let length = to.daysSinceEpoch - from.daysSinceEpoch + 1
        let interval = q.oneOf("interval", TrendInterval.self) ?? (length > 180 ? .month : .week)
        let by = q.string("by", maxCharacters: Limits.propertyNameCharacters)
        let filter = q.reportFilter()
        values.merge(["survey": survey.name, "product": survey.productName, "surveyID": survey.id, "from": from.description, "to": to.description,
                      "intervals": TrendInterval.allCases.map { ["value": $0.rawValue, "selected": $0 == interval] },
                      "by": by ?? ""]) { _, new in new }
        values.merge(ReportFilterView.values(filter, dimensions: try await store.reportDimensions(surveyID: survey.id))) { _, new in new }
        guard q.issues.isEmpty else {
            values["error"] = q.issues.map(\.description).joined(separator: "; ")
            return try await accounts.dashboardPage("survey-report", values, title: survey.name, session: session, cookies: form.cookies, status: .badRequest)
        }

        var report = try await store.report(survey: survey, from: from, to: to, interval: interval, by: by, filter: filter)
        var before = try await store.report(survey: survey, from: from.advanced(by: -length), to: from.advanced(by: -1), interval: interval,
                                            by: nil, filter: filter)
        if survey.kind == .employee {
            // eNPS: no group under five, here as in the API (Anonymity).
            let hidden: Anonymity.Hidden
            (report, hidden) = Anonymity.redact(report)
            before = Anonymity.redact(before).0
            if hidden.summary || hidden.segments > 0 || hidden.trendPoints > 0 {
                values["anonymity"] = "Some groups have " + Anonymity.hiddenMessage
                    + " (\(hidden.summary ? "the whole selection" : "\(hidden.segments) segments, \(hidden.trendPoints) periods"))."
            }
        }
        let summary = report.summary
        let tally = summary.tally
        values["nps"] = summary.nps.map { String(Display.roundedPoints($0)) } ?? "–"
        values["interval"] = summary.interval.map { "\(Display.roundedPoints($0.low)) to \(Display.roundedPoints($0.high))" } ?? "–"
        values["band"] = summary.band?.rawValue ?? ""
        values["n"] = tally.n
        values["small"] = tally.n > 0 && summary.isSmallSample
        func share(_ part: Int) -> String { tally.n == 0 ? "0%" : "\(Int((Double(part) * 100 / Double(tally.n)).rounded()))%" }
        values["categories"] = [["name": "Promoters", "count": tally.promoters, "share": share(tally.promoters)],
                                ["name": "Passives", "count": tally.passives, "share": share(tally.passives)],
                                ["name": "Detractors", "count": tally.detractors, "share": share(tally.detractors)]]
        if let change = Tally.compare(tally, before.summary.tally), let now = tally.nps, let then = before.summary.tally.nps {
            // The test runs on adjusted values; the change shown is the plain one (NPS.Comparison).
            values["change"] = String(format: "%+.0f", now - then)
            values["significant"] = change.isSignificant()
            values["pValue"] = String(format: "%.3f", change.pValue)
        }
        values["previousFrom"] = from.advanced(by: -length).description
        values["distributionChart"] = ReportCharts.distribution(report.distribution.counts.map { Int($0) })
        values["trendChart"] = ReportCharts.trend(report.trend)
        values["trend"] = report.trend.map { p -> [String: Any] in
            ["start": p.start.description, "n": p.summary.tally.n, "nps": p.summary.nps.map { String(Display.roundedPoints($0)) } ?? "–",
             "interval": p.summary.interval.map { "\(Display.roundedPoints($0.low)) to \(Display.roundedPoints($0.high))" } ?? "–",
             "small": p.summary.tally.n > 0 && p.summary.isSmallSample, "significant": p.changeSignificant == true]
        }
        let zone = survey.timeZone
        let funnel = try await store.surveyFunnel(surveyID: survey.id, from: from.start(in: zone), to: to.advanced(by: 1).start(in: zone), filter: filter)
        values["hasFunnel"] = funnel.invited > 0
        func step(_ name: String, _ count: Int, of base: Int) -> [String: Any] {
            ["name": name, "count": count, "share": base == 0 ? "–" : "\(Int((Double(count) * 100 / Double(base)).rounded()))%"]
        }
        values["funnel"] = [step("Sent", funnel.sent, of: funnel.invited), step("Delivered", funnel.delivered, of: funnel.sent),
                            step("Opened", funnel.opened, of: funnel.delivered), step("Answered", funnel.answered, of: funnel.delivered),
                            step("Commented", funnel.commented, of: funnel.answered)]
        let drivers = try await VerbatimsController.drivers(store: store, workspaceID: workspaceID, surveyID: survey.id,
                                                            scope: VerbatimsController.Scope(from: from, to: to, filter: filter))
        let reasons = KeyDrivers.topReasons(drivers.drivers)
        values["commenters"] = drivers.commenters.n
        values["commentersNPS"] = drivers.commenters.nps.map { String(Display.roundedPoints($0)) } ?? "–"
        values["hasDrivers"] = !drivers.drivers.isEmpty
        if !reasons.recommend.isEmpty { values["recommend"] = ["rows": ThemePages.driverRows(reasons.recommend, names: drivers.names)] }
        if !reasons.dontRecommend.isEmpty { values["dontRecommend"] = ["rows": ThemePages.driverRows(reasons.dontRecommend, names: drivers.names)] }
        let base = "/app/surveys/\(survey.id)?from=\(from)&to=\(to)&interval=\(interval.rawValue)"
        if let rows = report.breakdown {
            values["hasBreakdown"] = true
            values["breakdown"] = rows.map { row -> [String: Any] in
                let rest = Tally(promoters: tally.promoters - row.summary.tally.promoters, passives: tally.passives - row.summary.tally.passives,
                                 detractors: tally.detractors - row.summary.tally.detractors)
                let versus = Tally.compare(row.summary.tally, rest)
                return ["value": row.value, "n": row.summary.tally.n, "drill": report.breakdownGrouped ? "" : ReportFilterView.drill(filter, by: by ?? "", value: row.value, base: base),
                        "nps": row.summary.nps.map { String(Display.roundedPoints($0)) } ?? "–",
                        "interval": row.summary.interval.map { "\(Display.roundedPoints($0.low)) to \(Display.roundedPoints($0.high))" } ?? "–",
                        "small": row.summary.tally.n > 0 && row.summary.isSmallSample,
                        "difference": versus != nil ? (row.summary.nps.flatMap { a in rest.nps.map { String(format: "%+.0f", a - $0) } } ?? "–") : "–",
                        "significant": versus?.isSignificant() ?? false]
            }
        }
        return try await accounts.dashboardPage("survey-report", values, title: survey.name, session: session, cookies: form.cookies)
    }
}

extension AccountPages {
    /// A page about the survey `{id}` of the signed-in user's workspace: `render` gets the
    /// session, its form cookies, the frame's values and the survey. Without a session, the
    /// sign-in redirect; another workspace's survey is as absent as one that never existed.
    func surveyPage(_ request: Request, _ context: AppContext, template: String,
                    render: (Session, RespondentCookies.Session, [String: Any], Survey) async throws -> Response) async throws -> Response {
        guard let session = try await currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let form = cookies.session(request, respondent: false)
        var values = frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onOverview"] = true
        guard let id = context.parameters.get("id").flatMap(Int64.init),
              let survey = try await store.survey(workspaceID: session.membership.workspace.id, id: id) else {
            values["missing"] = true
            return try await dashboardPage(template, values, title: "Survey not found", session: session, cookies: form.cookies, status: .notFound)
        }
        return try await render(session, form, values, survey)
    }
}
