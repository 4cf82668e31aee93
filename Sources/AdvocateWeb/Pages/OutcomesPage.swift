import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

/// `/app/outcomes` (the workspace, or one survey with `survey_id`): churn in the 90 and 180 days
/// after an answer by category, where contacts carry `churned_at`, and the churn rate, customer
/// acquisition cost and lifetime value calculators. The calculators are a GET form, so a result
/// is a URL; their fields start from the contacts' `mrr`, `signed_up_at` and `churned_at` over
/// the last 30 days, and every number is computed here, on the server.
struct OutcomesPage {
    let store: AdvocateStore
    let accounts: AccountPages

    static let horizons = [90, 180]
    /// The period the calculators' defaults describe: a month, so the churn rate is monthly.
    static let periodDays = 30

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/outcomes", use: show)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let form = accounts.cookies.session(request, respondent: false)
        let workspaceID = session.membership.workspace.id
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onOverview"] = true
        var q = QueryReader(request, ignoringEmpty: true)
        let surveyID = q.integer("survey_id", in: 1...Int64.max)
        var survey: Survey?
        if let surveyID {
            survey = try await store.survey(workspaceID: workspaceID, id: surveyID)
            guard survey != nil else {
                values["missing"] = true
                return try await accounts.dashboardPage("outcomes", values, title: "Survey not found", session: session, cookies: form.cookies, status: .notFound)
            }
        }
        let now = store.clock.now()
        let base = CustomerBase(try await store.customerRecords(workspaceID: workspaceID),
                                from: now.adding(days: -Self.periodDays), to: now)
        var calculator = CalculatorForm(base: base)
        calculator.read(&q)
        values.merge(["title": survey.map { "\($0.name): outcomes" } ?? "Outcomes", "surveyID": surveyID.map(String.init) ?? "",
                      "surveyName": survey?.name ?? "", "periodDays": Self.periodDays, "hasCustomerData": base.withData > 0,
                      "customersWithData": base.withData]) { _, new in new }
        values.merge(calculator.values) { _, new in new }

        let answers = try await store.answeredContacts(workspaceID: workspaceID, surveyID: surveyID)
        let churnData = answers.contains { $0.churnedAt != nil }
        values["hasChurnData"] = churnData
        if churnData {
            values["horizons"] = Self.horizons.map { days -> [String: Any] in
                let rows = ChurnOutcome.byCategory(answers, days: days, now: now)
                let test = ChurnOutcome.detractorsVersusPromoters(rows)
                return ["days": days,
                        "rows": rows.map { row -> [String: Any] in
                            ["category": row.category.rawValue.capitalized + "s", "n": row.churn.n, "churned": row.churn.events,
                             "rate": Self.percent(row.churn.rate), "interval": row.churn.low.map { "\(Self.percent($0)) to \(Self.percent(row.churn.high))" } ?? "–",
                             "small": row.churn.n > 0 && row.churn.n < Tally.smallSampleThreshold]
                        },
                        "test": test.map { t in "Detractors against promoters: \(String(format: "%+.1f", t.difference * 100)) points, p = \(String(format: "%.3f", t.pValue))" + (t.isSignificant() ? " (significant)" : " (not significant)") } ?? ""]
            }
        }
        let status: HTTPResponse.Status = calculator.issues.isEmpty ? .ok : .badRequest
        if !q.issues.isEmpty {
            values["error"] = q.issues.map(\.description).joined(separator: "; ")
            return try await accounts.dashboardPage("outcomes", values, title: "Outcomes", session: session, cookies: form.cookies, status: .badRequest)
        }
        return try await accounts.dashboardPage("outcomes", values, title: survey.map { "\($0.name): outcomes" } ?? "Outcomes",
                                                session: session, cookies: form.cookies, status: status)
    }

    static func percent(_ share: Double?) -> String {
        share.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
    }
}

/// The three calculators' fields: what the URL says, else the contacts' figures, and the results.
struct CalculatorForm {
    struct Field {
        let name: String
        let label: String
        var value: Double?
        let range: ClosedRange<Double>
        var text = ""
    }

    private(set) var fields: [Field]
    private(set) var issues: [String] = []

    init(base: CustomerBase) {
        fields = [
            Field(name: "customers", label: "Customers at the start of the period", value: base.withData > 0 ? Double(base.atStart) : nil, range: 0...1e12),
            Field(name: "lost", label: "Customers lost during the period", value: base.withData > 0 ? Double(base.lost) : nil, range: 0...1e12),
            Field(name: "spend", label: "Sales and marketing spend in the period", value: nil, range: 0...1e15),
            Field(name: "won", label: "New customers won in the period", value: base.withData > 0 ? Double(base.won) : nil, range: 0...1e12),
            Field(name: "revenue", label: "Monthly revenue per customer", value: base.averageMonthlyRevenue.map { ($0 * 100).rounded() / 100 }, range: 0...1e12),
            Field(name: "margin", label: "Gross margin, %", value: 80, range: 0...100),
        ]
        for i in fields.indices { fields[i].text = fields[i].value.map(Self.format) ?? "" }
    }

    /// Reads the fields the URL gives; a value that is not a number in range is named in `issues`.
    mutating func read(_ q: inout QueryReader) {
        for i in fields.indices {
            guard let text = q.string(fields[i].name, maxCharacters: 30) else { continue }
            fields[i].text = text
            let cleaned = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)
            if let v = Double(cleaned), v.isFinite, fields[i].range.contains(v) {
                fields[i].value = v
            } else {
                fields[i].value = nil
                issues.append("\(fields[i].label): \"\(text)\" is not a number from \(Self.format(fields[i].range.lowerBound)) to \(Self.format(fields[i].range.upperBound))")
            }
        }
    }

    func value(_ name: String) -> Double? { fields.first { $0.name == name }?.value }

    var values: [String: Any] {
        var v: [String: Any] = ["fields": fields.map { ["name": $0.name, "label": $0.label, "value": $0.text] },
                                "calculatorErrors": issues.map { ["message": $0] }, "hasCalculatorErrors": !issues.isEmpty]
        let churn = value("customers").flatMap { c in value("lost").flatMap { Calculators.churnRate(customersAtStart: c, customersLost: $0) } }
        v["churnRate"] = churn.map { String(format: "%.2f%%", $0 * 100) } ?? "needs customers at the start (more than 0) and lost (at most that many)"
        let cac = value("spend").flatMap { s in value("won").flatMap { Calculators.acquisitionCost(spend: s, newCustomers: $0) } }
        v["cac"] = cac.map { String(format: "%.2f", $0) } ?? "needs the spend and new customers (more than 0)"
        let clv = churn.flatMap { c in value("revenue").flatMap { r in value("margin").flatMap {
            Calculators.lifetimeValue(monthlyRevenuePerCustomer: r, grossMargin: $0 / 100, monthlyChurnRate: c) } } }
        v["clv"] = clv.map { String(format: "%.2f", $0) } ?? "needs the revenue, the margin and a churn rate above 0"
        if let clv, let cac, cac > 0 { v["ratio"] = String(format: "%.1f", clv / cac) }
        return v
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }
}
