import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird
import NPS

/// The dashboard's cases: `/app/cases`, the follow-ups with the SLA figures (overall and by
/// owner) and filters (status, mine, overdue); `/app/cases/{id}`, one case with its response,
/// history, and the forms that work it (status, outcome, owner, notes, the reply to the
/// respondent). Every role reads; members and above work cases.
struct CasePages {
    let store: AdvocateStore
    let accounts: AccountPages
    let sending: SendingState

    func addRoutes(to router: Router<AppContext>) {
        router.get("app/cases", use: list)
        router.get("app/cases/:id", use: show)
        router.post("app/cases/:id", use: change)
        router.post("app/cases/:id/notes", use: addNote)
        router.post("app/cases/:id/reply", use: reply)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        let workspaceID = session.membership.workspace.id
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onCases"] = true
        var q = QueryReader(request, ignoringEmpty: true)
        var filter = CaseFilter()
        filter.status = q.oneOf("status", CaseStatus.self)
        filter.overdue = q.bool("overdue") ?? false
        let mine = q.bool("mine") ?? false
        if mine { filter.owner = session.user.email.lowercased() }
        let cursor = q.cursor()
        guard q.issues.isEmpty else {
            return PageRenderer.shared.message(catalog: Catalog.english, heading: "These filters are not valid",
                                               text: q.issues.map(\.description).joined(separator: "; "), status: .badRequest)
        }
        values["statuses"] = CaseStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == filter.status] }
        values["mine"] = mine
        values["overdue"] = filter.overdue
        let now = store.clock.now()
        let (all, owners) = try await store.caseSLA(workspaceID: workspaceID)
        values["sla"] = Self.figures(all, owner: "All cases")
        values["owners"] = owners.map { Self.figures($0.sla, owner: $0.owner.isEmpty ? "Unassigned" : $0.owner) }
        let page = try await store.followUpCases(workspaceID: workspaceID, filter: filter, before: cursor, limit: 50)
        values["rows"] = try await rows(page.items, workspaceID: workspaceID, now: now)
        values["hasRows"] = !page.items.isEmpty
        if let next = page.nextCursor {
            var items = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("cursor=") }.map(String.init)
            items.append("cursor=\(next)")
            values["next"] = "/app/cases?" + items.joined(separator: "&")
        }
        return try await accounts.dashboardPage("cases", values, title: "Cases", session: session, cookies: form.cookies)
    }

    private func rows(_ cases: [FollowUpCase], workspaceID: Int64, now: Timestamp) async throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        for c in cases {
            let response = try await store.response(workspaceID: workspaceID, id: c.responseID)
            out.append(["id": c.id, "status": c.status.rawValue, "owner": c.ownerEmail ?? "unassigned", "due": Self.minutes(c.dueAt),
                        "overdue": c.isOverdue(at: now), "score": response?.score.value ?? 0, "category": response?.category.rawValue ?? "",
                        "comment": response?.comment.map { $0.count > 120 ? String($0.prefix(120)) + "…" : $0 } ?? ""])
        }
        return out
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        guard let session = try await accounts.currentSession(request) else { return PageRenderer.shared.redirect(to: "/login") }
        return try await casePage(request, context: context, session: session, error: nil)
    }

    private func casePage(_ request: Request, context: AppContext, session: Session, error: String?, draft: CaseReply? = nil,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let workspaceID = session.membership.workspace.id
        let form = accounts.cookies.session(request, respondent: false)
        var values = accounts.frame(session, csrf: form.csrf, memberships: try await store.memberships(userID: session.user.id))
        values["onCases"] = true
        guard let id = context.parameters.get("id").flatMap(Int64.init),
              let (c, history) = try await store.followUpCase(workspaceID: workspaceID, id: id),
              let (_, response, contact, template) = try? await CasesController.draft(store: store, workspaceID: workspaceID, id: id,
                                                                                     sender: session.user.name ?? session.user.email) else {
            values["missing"] = true
            return try await accounts.dashboardPage("case", values, title: "Case not found", session: session, cookies: form.cookies, status: .notFound)
        }
        let now = store.clock.now()
        let reply = draft ?? template
        let facts: [String: Any] = [
            "id": c.id, "status": c.status.rawValue, "owner": c.ownerEmail ?? "", "due": Self.minutes(c.dueAt), "overdue": c.isOverdue(at: now),
            "outcome": c.outcome?.rawValue ?? "", "opened": Self.minutes(c.createdAt),
            "firstContact": c.firstContactAt.map(Self.minutes) ?? "", "responseID": response.id, "score": response.score.value,
            "category": response.category.rawValue, "comment": response.comment ?? "", "hasComment": response.comment != nil,
        ]
        let who: String = contact.map { $0.name ?? $0.email ?? $0.externalID ?? "#\($0.id)" } ?? "an anonymous respondent"
        let members = try await store.caseWorkers(workspaceID: workspaceID).sorted()
        let forms: [String: Any] = [
            "who": who, "email": contact?.email ?? "", "canReply": contact?.email != nil && sending.emailConfigured,
            "emailOff": !sending.emailConfigured, "noAddress": contact?.email == nil,
            "canWork": session.membership.role >= .member,
            "statuses": CaseStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == c.status] as [String: Any] },
            "outcomes": CaseOutcome.allCases.map { o -> [String: Any] in
                ["value": o.rawValue, "label": o.rawValue.replacingOccurrences(of: "_", with: " "), "selected": o == c.outcome]
            },
            "members": members.map { ["email": $0, "selected": $0 == c.ownerEmail] as [String: Any] },
            "history": history.reversed().map { e -> [String: String] in
                ["kind": e.kind.rawValue, "author": e.author ?? "Advocate", "text": e.text, "at": Self.minutes(e.at)]
            },
            "replySubject": reply.subject, "replyText": reply.text, "replyLanguage": template.language, "replyDirection": template.isRightToLeft ? "rtl" : "ltr",
            "replyLanguageName": Catalog.all[template.language]?.text("language.name") ?? template.language,
        ]
        values.merge(facts) { _, new in new }
        values.merge(forms) { _, new in new }
        if let error { values["error"] = error }
        return try await accounts.dashboardPage("case", values, title: "Case \(c.id)", session: session, cookies: form.cookies, status: status)
    }

    /// Status, outcome and owner from the case page's form.
    @Sendable func change(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .member) else { return PageRenderer.shared.redirect(to: "/login") }
        let id = try context.idParameter()
        var change = CaseChange()
        change.status = fields["status"].flatMap(CaseStatus.init(rawValue:))
        if let outcome = fields["outcome"] { change.outcome = .some(CaseOutcome(rawValue: outcome)) }
        if let owner = fields["owner"] { change.owner = .some(owner.isEmpty ? nil : owner) }
        switch try await store.updateCase(workspaceID: session.membership.workspace.id, id: id, change, author: session.user.email) {
        case .success: return PageRenderer.shared.redirect(to: "/app/cases/\(id)")
        case .failure(.notFound): throw Problem.notFound("no case with id \(id) in this workspace")
        case .failure(.invalid(_, let message)):
            return try await casePage(request, context: context, session: session, error: message, status: .unprocessableContent)
        }
    }

    @Sendable func addNote(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .member) else { return PageRenderer.shared.redirect(to: "/login") }
        let id = try context.idParameter()
        let text = (fields["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= FollowUpCase.maxNoteCharacters else {
            return try await casePage(request, context: context, session: session,
                                      error: "A note needs text, at most \(FollowUpCase.maxNoteCharacters) characters.", status: .unprocessableContent)
        }
        guard try await store.addCaseNote(workspaceID: session.membership.workspace.id, id: id, text: text, author: session.user.email) != nil else {
            throw Problem.notFound("no case with id \(id) in this workspace")
        }
        return PageRenderer.shared.redirect(to: "/app/cases/\(id)")
    }

    /// Sends the (edited) reply through the e-mail pipeline; the case becomes contacted.
    @Sendable func reply(_ request: Request, context: AppContext) async throws -> Response {
        guard let (session, fields) = try await accounts.signedForm(request, role: .member) else { return PageRenderer.shared.redirect(to: "/login") }
        let id = try context.idParameter()
        let subject = (fields["subject"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let text = (fields["text"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let draft = CaseReply(subject: subject, text: text)
        guard !subject.isEmpty, subject.count <= CaseReply.maxSubjectCharacters, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
              text.count <= CaseReply.maxTextCharacters else {
            return try await casePage(request, context: context, session: session, error: "The reply needs a subject (at most 200 characters) and a text.",
                                      draft: draft, status: .unprocessableContent)
        }
        do {
            _ = try await CasesController.sendReply(store: store, sending: sending, workspaceID: session.membership.workspace.id, id: id,
                                                    subject: subject, text: text, author: session.user.email)
        } catch let problem as Problem where problem.status != .notFound {
            return try await casePage(request, context: context, session: session, error: problem.detail, draft: draft, status: problem.status)
        } catch let error as ValidationError {
            return try await casePage(request, context: context, session: session, error: error.issues.map(\.message).joined(separator: "; "),
                                      draft: draft, status: .unprocessableContent)
        }
        return PageRenderer.shared.redirect(to: "/app/cases/\(id)")
    }

    static func figures(_ s: CaseSLA, owner: String) -> [String: Any] {
        [
            "owner": owner, "cases": s.cases, "contacted": s.contacted, "overdue": s.overdue,
            "median": s.medianMillisecondsToFirstContact.map { String(format: "%.1f h", Double($0) / 3_600_000) } ?? "–",
            "inTime": s.shareContactedInTime.map { "\(Int(($0 * 100).rounded())) %" } ?? "–",
        ]
    }

    /// A time to the minute, as people read it (UTC).
    static func minutes(_ t: Timestamp) -> String {
        String(t.rfc3339.prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
