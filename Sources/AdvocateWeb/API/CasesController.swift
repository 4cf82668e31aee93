import AdvocateCore
import AdvocateStore
import Hummingbird

/// `/api/v1/cases`: follow-ups opened by alert rules: list (with the `updated_since` cursor a
/// CRM syncs by), read with history, change, add notes, reply to the respondent; SLA figures.
struct CasesController {
    let store: AdvocateStore
    let sending: SendingState

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("cases", use: list)
        group.get("cases/sla", use: sla)
        group.get("cases/:id", use: show)
        group.patch("cases/:id", use: update)
        group.post("cases/:id/notes", use: addNote)
        group.get("cases/:id/reply", use: replyDraft)
        group.post("cases/:id/reply", use: reply)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        var filter = CaseFilter()
        filter.status = q.oneOf("status", CaseStatus.self)
        filter.owner = q.string("owner", maxCharacters: 320)
        filter.overdue = q.bool("overdue") ?? false
        filter.updatedSince = q.timestamp("updated_since")
        filter.responseID = q.integer("response_id", in: 1...Int64.max)
        try q.finish()
        let page = try await store.followUpCases(workspaceID: try context.requireWorkspace(), filter: filter, before: cursor, limit: limit)
        let now = store.clock.now()
        return JSONResponse.make(Representation.page(page.items.map { $0.json(now: now) }, next: page.nextCursor))
    }

    /// Median time to first contact, share contacted within 48 hours, overdue: overall and by owner.
    @Sendable func sla(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let days = q.integer("days", in: 1...3650).map(Int.init) ?? 90
        try q.finish()
        let (all, owners) = try await store.caseSLA(workspaceID: try context.requireWorkspace(), days: days)
        return JSONResponse.make(.object([
            "days": .integer(Int64(days)), "all": Self.representation(all),
            "owners": .array(owners.map { o in
                var fields = ["owner": o.owner.isEmpty ? JSONValue.null : .string(o.owner)]
                if case .object(let figures) = Self.representation(o.sla) { fields.merge(figures) { a, _ in a } }
                return .object(fields)
            }),
        ]))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let (c, events) = try await store.followUpCase(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no case with id \(id) in this workspace")
        }
        guard case .object(var o) = c.json(now: store.clock.now()) else { return JSONResponse.make(.null) }
        o["history"] = .array(events.map(\.json))
        return JSONResponse.make(.object(o))
    }

    /// Status (open → contacted → resolved, or reopened), outcome (with resolved), owner, due date.
    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let id = try context.idParameter()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        var change = CaseChange()
        if let text = r.string("status", maxCharacters: 20, nullable: false) {
            change.status = CaseStatus(rawValue: text)
            if change.status == nil { r.fail("status", "must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        if r.has("outcome") {
            if case .null? = r.value("outcome") { change.outcome = .some(nil) } else if let text = r.string("outcome", maxCharacters: 20) {
                if let outcome = CaseOutcome(rawValue: text) { change.outcome = .some(outcome) } else {
                    r.fail("outcome", "must be one of \(CaseOutcome.allCases.map(\.rawValue).joined(separator: ", ")), or null")
                }
            }
        }
        if r.has("owner") {
            if case .null? = r.value("owner") { change.owner = .some(nil) } else if let owner = r.string("owner", maxCharacters: 320, allowEmpty: false) {
                change.owner = .some(owner)
            }
        }
        change.dueAt = r.timestamp("due_at")
        let author = Self.readAuthor(r)
        try r.finish()
        switch try await store.updateCase(workspaceID: try context.requireWorkspace(), id: id, change, author: author) {
        case .success(let c): return JSONResponse.make(c.json(now: store.clock.now()))
        case .failure(let refusal): throw Self.problem(refusal, id: id)
        }
    }

    @Sendable func addNote(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let id = try context.idParameter()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let text = r.string("text", required: true, maxCharacters: FollowUpCase.maxNoteCharacters, nullable: false, allowEmpty: false)
        let author = Self.readAuthor(r)
        try r.finish()
        guard let text, let event = try await store.addCaseNote(workspaceID: try context.requireWorkspace(), id: id, text: text, author: author) else {
            throw Problem.notFound("no case with id \(id) in this workspace")
        }
        return JSONResponse.make(event.json, status: .created)
    }

    /// The template for the answer's category, to edit before sending.
    @Sendable func replyDraft(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        let (_, _, contact, draft) = try await Self.draft(store: store, workspaceID: try context.requireWorkspace(), id: id, sender: nil)
        return JSONResponse.make(.object(["to": contact?.email.map(JSONValue.string) ?? .null, "subject": .string(draft.subject), "text": .string(draft.text),
                                          "language": .string(draft.language)]))
    }

    /// 202: the reply is queued for the e-mail pipeline, logged on the case, and the case is contacted.
    @Sendable func reply(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let id = try context.idParameter()
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let subject = r.string("subject", maxCharacters: CaseReply.maxSubjectCharacters, nullable: false, allowEmpty: false)
        let text = r.string("text", maxCharacters: CaseReply.maxTextCharacters, nullable: false, allowEmpty: false)
        let author = Self.readAuthor(r)
        try r.finish()
        let c = try await Self.sendReply(store: store, sending: sending, workspaceID: workspaceID, id: id, subject: subject, text: text, author: author)
        return JSONResponse.make(c.json(now: store.clock.now()), status: .accepted)
    }

    // MARK: - Shared with the dashboard

    /// The case's context and its reply template, signed by `sender`.
    static func draft(store: AdvocateStore, workspaceID: Int64, id: Int64, sender: String?) async throws -> (FollowUpCase, AdvocateCore.Response, Contact?, CaseReply) {
        guard let (c, response, contact, survey) = try await store.caseReplyContext(workspaceID: workspaceID, id: id) else {
            throw Problem.notFound("no case with id \(id) in this workspace")
        }
        let settings = survey.settings
        let links = CaseReply.PromoterLinks(
            reviewSites: settings.reviewSites,
            referralURL: settings.referralURL.map { ShareLinks.referral($0, externalID: contact?.externalID, contactID: contact?.id) },
            sharePost: settings.shareText.map { $0.resolve(response.locale ?? survey.defaultLocale) + (settings.shareURL.map { " \($0)" } ?? "") })
        let catalog = CaseReply.catalog(responseLocale: response.locale, contactLocale: contact?.locale, surveyLocale: survey.defaultLocale)
        let draft = CaseReply.draft(score: response.score, comment: response.comment, productName: survey.productName, contactName: contact?.name,
                                    sender: sender, links: links, catalog: catalog)
        return (c, response, contact, draft)
    }

    /// Queues a reply (the template where subject or text is not given).
    static func sendReply(store: AdvocateStore, sending: SendingState, workspaceID: Int64, id: Int64, subject: String?, text: String?,
                          author: String?) async throws -> FollowUpCase {
        let (_, _, contact, draft) = try await draft(store: store, workspaceID: workspaceID, id: id, sender: author)
        guard sending.emailConfigured else {
            throw Problem(status: .conflict, detail: "e-mail is not configured on this server (advocate serve --smtp-url); replies cannot be sent")
        }
        guard let email = contact?.email else {
            throw Problem(status: .conflict, detail: "the respondent of case \(id) has no e-mail address to reply to")
        }
        let reply = CaseReply(subject: subject ?? draft.subject, text: text ?? draft.text)
        switch try await store.queueCaseReply(workspaceID: workspaceID, id: id, to: email, reply: reply, author: author) {
        case .success(let c):
            sending.wake()
            return c
        case .failure(let refusal): throw problem(refusal, id: id)
        }
    }

    static func problem(_ refusal: CaseRefusal, id: Int64) -> any Error {
        switch refusal {
        case .notFound: return Problem.notFound("no case with id \(id) in this workspace")
        case .invalid(let field, let message): return ValidationError(field: field, message)
        }
    }

    /// `author`: who acts, for the history (an API caller names its user; default "api").
    private static func readAuthor(_ r: InputReader) -> String {
        r.string("author", maxCharacters: 320, nullable: false, allowEmpty: false) ?? "api"
    }

    static func representation(_ s: CaseSLA) -> JSONValue {
        .object([
            "cases": .integer(Int64(s.cases)), "contacted": .integer(Int64(s.contacted)), "overdue": .integer(Int64(s.overdue)),
            "median_hours_to_first_contact": s.medianMillisecondsToFirstContact.map { .double((Double($0) / 36_000).rounded() / 100) } ?? .null,
            "share_contacted_within_48h": s.shareContactedInTime.map { .double(($0 * 1000).rounded() / 1000) } ?? .null,
        ])
    }
}
