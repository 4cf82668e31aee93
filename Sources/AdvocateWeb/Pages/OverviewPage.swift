import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

extension AccountPages {
    /// `/app`: every survey of the workspace with its NPS over the period (default the last 90
    /// days in each survey's zone), interval, responses and the change against the period of the
    /// same length before with its significance; small samples marked. The report page's filters
    /// (`segment`, `channel`, `language`, `campaign_id`, `variant`) and `from`/`to` apply to
    /// every survey and stay in the links to each survey's report.
    @Sendable func overview(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await currentSession(request) else { return PageRenderer.shared.redirect(to: "/login", cookies: []) }
        let form = cookies.session(request, respondent: false)
        let workspace = session.membership.workspace
        var values = frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        var q = QueryReader(request, ignoringEmpty: true)
        let askedFrom = q.day("from"), askedTo = q.day("to")
        if let askedFrom, let askedTo, askedFrom > askedTo { q.fail("from", "must not be after to") }
        let filter = q.reportFilter()
        values.merge(ReportFilterView.values(filter, dimensions: [])) { _, new in new }
        values.merge(["onOverview": true, "askedFrom": askedFrom?.description ?? "", "askedTo": askedTo?.description ?? ""]) { _, new in new }
        guard q.issues.isEmpty else {
            values["error"] = q.issues.map(\.description).joined(separator: "; ")
            return try await dashboardPage("app", values, title: workspace.name, session: session, cookies: form.cookies, status: .badRequest)
        }
        var rows: [[String: Any]] = []
        var range = ("", "")
        var days = 90
        for survey in try await store.surveys(workspaceID: workspace.id, after: nil, limit: 100).items {
            let to = askedTo ?? survey.timeZone.day(containing: store.clock.now())
            let from = askedFrom ?? to.advanced(by: -89)
            days = from.distance(to: to) + 1
            let before = from.advanced(by: -days)
            range = (from.description, to.description)
            let current = try await store.report(survey: survey, from: from, to: to, interval: .month, by: nil, filter: filter).summary
            let previous = try await store.report(survey: survey, from: before, to: from.advanced(by: -1), interval: .month, by: nil, filter: filter).summary
            let comparison = Tally.compare(current.tally, previous.tally)
            rows.append([
                "id": survey.id, "name": survey.name, "product": survey.productName,
                "link": "/app/surveys/\(survey.id)?from=\(from)&to=\(to)" + ReportFilterView.query(filter),
                "nps": current.nps.map { String(Display.roundedPoints($0)) } ?? "–",
                "interval": current.interval.map { "\(Display.roundedPoints($0.low)) to \(Display.roundedPoints($0.high))" } ?? "–",
                "responses": current.tally.n, "small": current.tally.n > 0 && current.isSmallSample,
                // The test runs on adjusted values; the change shown is the plain one (NPS.Comparison).
                // Rounded first, so a change of −0.3 shows as 0, not "-0".
                "change": comparison != nil ? (current.nps.flatMap { a in previous.nps.map { Self.signed(Display.roundedPoints(a - $0)) } } ?? "–") : "–",
                "significant": comparison?.isSignificant() ?? false,
            ])
        }
        values.merge(["days": days, "from": range.0, "to": range.1, "hasSurveys": !rows.isEmpty, "surveys": rows]) { _, new in new }
        return try await dashboardPage("app", values, title: workspace.name, session: session, cookies: form.cookies)
    }

    /// "+3", "−2", "0".
    static func signed(_ points: Int) -> String { points > 0 ? "+\(points)" : String(points) }
}
