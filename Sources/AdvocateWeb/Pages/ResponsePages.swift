import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

/// The dashboard's responses: `/app/responses`, every counted answer of the workspace with the
/// API's filters in the URL (survey, category, score, channel, comment or not, dates, text in the
/// comment, tag, theme) and pages by cursor; `/app/responses/{id}`, one answer with its contact, the
/// contact's other answers, its properties, tags and notes. Every role may read them, except the
/// answers of employee (eNPS) surveys, which nobody sees one by one.
struct ResponsePages {
    let store: AdvocateStore
    let accounts: AccountPages

    static let pageSize = 50

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/responses", use: list)
        router.get("app/responses/:id", use: show)
        router.get("app/export/responses.csv", use: export)
    }

    /// The responses the list's filters select, as the CSV `advocate import` reads (docs/csv.md).
    @Sendable func export(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        var q = QueryReader(request, ignoringEmpty: true)
        var filter = q.responseFilter()
        guard q.issues.isEmpty else {
            return PageRenderer.shared.message(catalog: Catalog.english, heading: "These filters cannot be exported",
                                               text: q.issues.map(\.description).joined(separator: "; "), status: .badRequest)
        }
        if let refused = try await withoutEmployeeAnswers(&filter, workspaceID: session.membership.workspace.id) { return refused }
        let (responses, contacts) = try await store.exportableResponses(workspaceID: session.membership.workspace.id, filter: filter)
        let name = "responses-\(session.membership.workspace.slug)-\(store.clock.now().rfc3339.prefix(10)).csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store", .xContentTypeOptions: "nosniff"],
                        body: .init(byteBuffer: ByteBuffer(string: ResponseCSV.document(responses, contacts: contacts))))
    }

    /// eNPS: an employee survey's answers are left out of lists and exports, and asking for
    /// that survey alone gets the page that says why.
    private func withoutEmployeeAnswers(_ filter: inout ResponseFilter, workspaceID: Int64) async throws -> Response? {
        filter.excludedSurveyIDs = try await store.employeeSurveyIDs(workspaceID: workspaceID)
        guard let survey = filter.surveyID, filter.excludedSurveyIDs.contains(survey) else { return nil }
        return Self.employeeAnswersRefused(survey)
    }

    static func employeeAnswersRefused(_ surveyID: Int64) -> Response {
        PageRenderer.shared.message(catalog: Catalog.english, heading: "Individual answers are not shown",
                                    text: Anonymity.individualAnswersRefused(surveyID: surveyID), status: .forbidden)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        // The filter form sends every field, the unused ones empty.
        var q = QueryReader(request, ignoringEmpty: true)
        var filter = q.responseFilter()
        let cursor = q.cursor()
        let problems = q.issues
        let form = accounts.cookies.session(request, respondent: false)
        let memberships = try await store.memberships(userID: session.user.id)
        let surveys = try await store.surveys(workspaceID: workspaceID, after: nil, limit: 100).items
        var values = accounts.frame(session, csrf: form.csrf, memberships: memberships)
        values["onResponses"] = true
        values["surveys"] = surveys.map { ["id": $0.id, "name": $0.name, "selected": $0.id == filter.surveyID] }
        values["categories"] = NPS.Category.allCases.map { ["value": $0.rawValue, "label": $0.rawValue.capitalized, "selected": $0 == filter.category] }
        values["channels"] = Channel.allCases.map { ["value": $0.rawValue, "selected": $0 == filter.channel] }
        values["q"] = filter.search ?? ""
        values["tag"] = filter.tag ?? ""
        values["themes"] = try await store.themeNames(workspaceID: workspaceID).map { ["id": $0.id, "name": $0.name, "selected": $0.id == filter.themeID] }
        values["score"] = filter.scores.map { $0.sorted().map(String.init).joined(separator: ",") } ?? ""
        values["from"] = request.uri.queryParameters["from"].map(String.init) ?? ""
        values["to"] = request.uri.queryParameters["to"].map(String.init) ?? ""
        values["withComment"] = filter.hasComment == true
        values["exportLink"] = "/app/export/responses.csv" + (request.uri.query.map { "?" + $0.split(separator: "&").filter { !$0.hasPrefix("cursor=") }.joined(separator: "&") } ?? "")
        guard problems.isEmpty else {
            values["error"] = problems.map(\.description).joined(separator: "; ")
            return try await accounts.dashboardPage("responses", values, title: "Responses", session: session, cookies: form.cookies, status: .badRequest)
        }
        if let refused = try await withoutEmployeeAnswers(&filter, workspaceID: workspaceID) { return refused }
        let page = try await store.responses(workspaceID: workspaceID, filter: filter, before: cursor, limit: Self.pageSize)
        let contacts = try await store.contacts(workspaceID: workspaceID, ids: Array(Set(page.items.compactMap(\.contactID))))
        let names = Dictionary(uniqueKeysWithValues: surveys.map { ($0.id, $0.name) })
        values["rows"] = page.items.map { r -> [String: Any] in
            let contact = r.contactID.flatMap { contacts[$0] }
            return [
                "id": r.id, "date": String(r.createdAt.rfc3339.prefix(10)), "score": r.score.value, "category": r.category.rawValue,
                "comment": r.comment.map { $0.count > 240 ? String($0.prefix(240)) + "…" : $0 } ?? "",
                "who": contact.map { $0.name ?? $0.email ?? $0.externalID ?? "#\($0.id)" } ?? "anonymous",
                "channel": r.channel.rawValue, "survey": names[r.surveyID] ?? "", "tags": r.tags,
            ]
        }
        values["hasRows"] = !page.items.isEmpty
        if let next = page.nextCursor {
            var items = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("cursor=") }.map(String.init)
            items.append("cursor=\(next)")
            values["next"] = "/app/responses?" + items.joined(separator: "&")
        }
        return try await accounts.dashboardPage("responses", values, title: "Responses", session: session, cookies: form.cookies)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        let form = accounts.cookies.session(request, respondent: false)
        let memberships = try await store.memberships(userID: session.user.id)
        var values = accounts.frame(session, csrf: form.csrf, memberships: memberships)
        values["onResponses"] = true
        // Another workspace's response is as absent as one that never existed.
        guard let id = context.parameters.get("id").flatMap(Int64.init),
              let response = try await store.response(workspaceID: workspaceID, id: id) else {
            values["missing"] = true
            return try await accounts.dashboardPage("response", values, title: "Response not found", session: session,
                                                    cookies: form.cookies, status: .notFound)
        }
        let survey = try await store.survey(workspaceID: workspaceID, id: response.surveyID)
        if survey?.kind == .employee { return Self.employeeAnswersRefused(response.surveyID) }
        var contact: Contact?
        if let contactID = response.contactID { contact = try await store.contact(workspaceID: workspaceID, id: contactID) }
        var earlier: [[String: Any]] = []
        if let contactID = response.contactID {
            var filter = ResponseFilter()
            filter.contactID = contactID
            filter.excludedSurveyIDs = try await store.employeeSurveyIDs(workspaceID: workspaceID)
            for other in try await store.responses(workspaceID: workspaceID, filter: filter, before: nil, limit: 20).items where other.id != response.id {
                earlier.append(["id": other.id, "date": String(other.createdAt.rfc3339.prefix(10)), "score": other.score.value,
                                "category": other.category.rawValue, "comment": other.comment ?? ""])
            }
        }
        let notes = try await store.notes(workspaceID: workspaceID, responseIDs: [response.id])[response.id] ?? []
        // Its themes, then the workspace's others, each with the button that decides it by hand.
        let tagged = try await store.responseThemes(workspaceID: workspaceID, responseID: response.id) ?? []
        let decided = Dictionary(tagged.map { ($0.themeID, $0) }, uniquingKeysWith: { a, _ in a })
        let themeRows = try await store.themeNames(workspaceID: workspaceID).map { theme -> [String: Any] in
            let t = decided[theme.id]
            return ["id": theme.id, "name": theme.name, "applied": t?.applied == true, "byHand": t?.origin == .hand,
                    "how": t.map { $0.origin == .hand ? "by \($0.decidedBy ?? "hand")" : "by a rule" } ?? ""]
        }
        values["themes"] = themeRows
        if let followUp = try await store.followUpCase(workspaceID: workspaceID, responseID: response.id) {
            values["case"] = ["id": followUp.id, "status": followUp.status.rawValue, "owner": followUp.ownerEmail ?? "unassigned",
                              "due": CasePages.minutes(followUp.dueAt), "overdue": followUp.isOverdue(at: store.clock.now())] as [String: Any]
        }
        values["hasThemes"] = !themeRows.isEmpty
        values["responseID"] = response.id
        values["canTag"] = session.membership.role >= .member
        values.merge([
            "id": response.id, "score": response.score.value, "category": response.category.rawValue,
            "comment": response.comment ?? "", "hasComment": response.comment != nil,
            "survey": survey?.name ?? "", "product": survey?.productName ?? "",
            "answered": response.createdAt.rfc3339, "updated": response.updatedAt.rfc3339,
            "channel": response.channel.rawValue, "locale": response.locale ?? "–",
            "tags": response.tags, "hasTags": !response.tags.isEmpty,
            "properties": response.properties.keys.sorted().map { ["name": $0, "value": ResponseCSV.propertyText(response.properties[$0]!)] },
            "hasProperties": !response.properties.isEmpty,
            "notes": notes.map { ["text": $0.text, "author": $0.author ?? "imported", "at": $0.createdAt.rfc3339] },
            "hasNotes": !notes.isEmpty,
            "earlier": earlier, "hasEarlier": !earlier.isEmpty,
            "source": response.sourceID ?? "",
        ]) { _, new in new }
        if let contact {
            values["contact"] = [
                "name": contact.name ?? "", "email": contact.email ?? "", "externalID": contact.externalID ?? "",
                "locale": contact.locale ?? "", "since": String(contact.createdAt.rfc3339.prefix(10)),
                "id": contact.id, "canManagePrivacy": session.membership.role >= .admin,
            ] as [String: Any]
        }
        return try await accounts.dashboardPage("response", values, title: "Response \(response.id)", session: session, cookies: form.cookies)
    }
}
