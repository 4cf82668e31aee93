import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird
import NPS

/// `/v1`: the API of Delighted (shut down 30 June 2026), for code written against its client
/// libraries: pointing their base URL here is the whole migration (docs/delighted.md).
///
/// Every call maps onto Advocate's own model: people are contacts (by e-mail), a scheduled
/// survey is an invitation, survey responses are responses, unsubscribes and bounces are the
/// suppression list, Autopilot is a recurring campaign whose audience is the contacts flagged
/// `autopilot_email`. A call acts on the API token's survey (`advocate token create --survey`),
/// else the workspace's first; Delighted's `trend` parameter names another survey.
struct DelightedController {
    let store: AdvocateStore
    let sending: SendingState
    let publicURL: String?

    /// The contact property that makes a contact a member of e-mail Autopilot.
    static let autopilotFlag = "autopilot_email"

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("people", use: createPerson)
        group.get("people", use: listPeople)
        group.delete("people/:identifier", use: deletePerson)
        group.delete("people/:identifier/survey_requests/pending", use: deletePendingSurveyRequests)
        group.post("survey_responses", use: createSurveyResponse)
        group.get("survey_responses", use: listSurveyResponses)
        group.get("survey_responses/:id", use: showSurveyResponse)
        group.put("survey_responses/:id", use: updateSurveyResponse)
        group.get("metrics", use: metrics)
        group.post("unsubscribes", use: createUnsubscribe)
        group.get("unsubscribes", use: listUnsubscribes)
        group.get("bounces", use: listBounces)
        group.get("autopilot/:platform", use: autopilotConfiguration)
        group.get("autopilot/:platform/memberships", use: listAutopilotMemberships)
        group.post("autopilot/:platform/memberships", use: addAutopilotMembership)
        group.delete("autopilot/:platform/memberships", use: removeAutopilotMembership)
    }

    // MARK: - People

    @Sendable func createPerson(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let rawEmail = r.string("email", maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false)
        let email = rawEmail.flatMap(Identifiers.normalizedEmail)
        if let rawEmail, email == nil { r.fail("email", "is not a valid e-mail address: \"\(rawEmail)\"") }
        let phone = r.string("phone_number", maxCharacters: 40)
        _ = r.string("phone_number_update", maxCharacters: 40)
        if rawEmail == nil {
            r.fail("email", phone == nil ? "is required" : "is required: Advocate surveys by e-mail, not SMS")
        }
        if let channel = r.string("channel", maxCharacters: 20, nullable: false), channel != "email" {
            r.fail("channel", "must be \"email\": Advocate does not send surveys by \(channel)")
        }
        let name = r.string("name", maxCharacters: Limits.nameCharacters)
        let delay = r.integer("delay", in: 0...(366 * 86_400)) ?? 0
        let send = r.bool("send") ?? true
        let lastSentAt = r.integer("last_sent_at", in: 0...4_102_444_800).map { Timestamp(milliseconds: $0 * 1_000) }
        let rawUpdate = r.string("email_update", maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false)
        let emailUpdate = rawUpdate.flatMap(Identifiers.normalizedEmail)
        if let rawUpdate, emailUpdate == nil { r.fail("email_update", "is not a valid e-mail address: \"\(rawUpdate)\"") }
        var properties = r.properties("properties", allowNull: false) ?? [:]
        // Delighted's special properties: the language of the survey and the product it asks about.
        var locale: String?
        if let value = properties.removeValue(forKey: "locale") {
            if case .string(let tag) = value, Identifiers.isValidLocale(tag) { locale = tag } else {
                r.fail("properties.locale", "must be a language tag such as en, tr or zh-Hans")
            }
        }
        var productName: String?
        if let value = properties.removeValue(forKey: "question_product_name") {
            if case .string(let text) = value, !text.isEmpty, text.unicodeScalars.count <= Limits.nameCharacters { productName = text } else {
                r.fail("properties.question_product_name", "must be a text of 1 to \(Limits.nameCharacters) characters")
            }
        }
        try r.finish()
        if send, !sending.emailConfigured {
            throw Problem(status: .conflict, title: "E-mail is not configured",
                          detail: "this server cannot send surveys: start it with --smtp-url, --mail-from and --public-url, or pass \"send\": false")
        }
        let survey = try await survey(context, trend: nil)
        var (contact, created) = try await store.upsertContact(workspaceID: workspaceID, ContactInput(
            email: email!, name: name, locale: locale, properties: properties.isEmpty ? nil : properties))
        if let emailUpdate, emailUpdate != contact.email {
            guard try await store.changeContactEmail(workspaceID: workspaceID, contactID: contact.id, to: emailUpdate) else {
                throw Problem.validation(ValidationError(field: "email_update", "\(emailUpdate) belongs to another person"))
            }
            contact.email = emailUpdate
        }
        var scheduledAt: Timestamp?
        if send {
            let now = store.clock.now()
            let options = InvitationOptions(channel: .email, sendAt: now.adding(milliseconds: delay * 1_000), productName: productName)
            let throttle = Int64(options.throttleDays) * Timestamp.millisecondsPerDay
            // `last_sent_at` tells of a survey sent elsewhere (Delighted's throttle input): it
            // counts against the throttle like one of ours.
            let throttledElsewhere = lastSentAt.map { now.milliseconds - $0.milliseconds < throttle } ?? false
            if !throttledElsewhere, let decisions = try await store.createInvitations(
                workspaceID: workspaceID, surveyID: survey.id, targets: [.email(contact.email!)], options: options,
                makeToken: InvitationToken.make), case .invited(let invitation, _)? = decisions.first {
                scheduledAt = invitation.sendAt
                sending.wake()
            }
        }
        let activity = try await store.contactActivity(workspaceID: workspaceID, contactIDs: [contact.id], surveyID: survey.id)[contact.id]
        guard case .object(var body) = DelightedRepresentation.person(contact, activity: activity) else { fatalError("a person is an object") }
        if let scheduledAt { body["survey_scheduled_at"] = DelightedRepresentation.seconds(scheduledAt) }
        return JSONResponse.make(.object(body), status: created ? .created : .ok)
    }

    @Sendable func listPeople(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        var q = QueryReader(request)
        let perPage = perPage(&q)
        var filter = ContactListFilter()
        filter.createdFrom = seconds(&q, "since")
        filter.createdTo = seconds(&q, "until")
        if let raw = q.string("email", maxCharacters: Limits.emailCharacters) {
            if let e = Identifiers.normalizedEmail(raw) { filter.email = e } else { q.fail("email", "is not a valid e-mail address: \"\(raw)\"") }
        }
        let phone = q.string("phone_number", maxCharacters: 40)
        let cursor = pageInfo(&q)
        try q.finish()
        // Nobody has a phone number here: a search by one finds no one.
        var page = try await store.contacts(workspaceID: workspaceID, filter: filter, after: cursor, limit: perPage)
        if phone != nil { page.items = []; page.nextCursor = nil }
        let activity = try await store.contactActivity(workspaceID: workspaceID, contactIDs: page.items.map(\.id), surveyID: nil)
        return JSONResponse.make(.array(page.items.map { DelightedRepresentation.person($0, activity: activity[$0.id]) }),
                                 headers: nextLink(request, cursor: page.nextCursor))
    }

    @Sendable func deletePerson(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        try QueryReader.requireNone(request)
        let contact = try await person(identifiedBy: try context.textParameter("identifier"), workspaceID: workspaceID)
        // Erasing the contact takes its responses (the report stops counting them) and its
        // invitations, pending ones included.
        _ = try await store.eraseContact(workspaceID: workspaceID, id: contact.id)
        return JSONResponse.make(.object(["ok": .bool(true)]), status: .accepted)
    }

    @Sendable func deletePendingSurveyRequests(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        try QueryReader.requireNone(request)
        // The path names the person by e-mail (Delighted's clients send the address there).
        let raw = try context.textParameter("identifier")
        guard let email = Identifiers.normalizedEmail(raw) else {
            throw Problem.validation(ValidationError(field: "person_email", "is not a valid e-mail address: \"\(raw)\""))
        }
        guard let contact = try await store.contact(workspaceID: workspaceID, email: email) else {
            throw Problem.notFound("no person with e-mail \(email)")
        }
        _ = try await store.cancelScheduledInvitations(workspaceID: workspaceID, contactID: contact.id,
                                                       reason: "pending survey requests were deleted through the API")
        return JSONResponse.make(.object(["ok": .bool(true)]))
    }

    // MARK: - Survey responses

    @Sendable func createSurveyResponse(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let personID = idField(r, "person", required: true)
        let score = r.integer("score", required: true, in: 0...10)
        var comment = r.string("comment", maxCharacters: Limits.commentCharacters)
        if let c = comment, c.allSatisfy(\.isWhitespace) { comment = nil }
        let properties = r.properties("person_properties", allowNull: false) ?? [:]
        let createdAt = r.integer("created_at", in: 0...4_102_444_800).map { Timestamp(milliseconds: $0 * 1_000) }
        if let type = r.string("survey_type", maxCharacters: 20), type != "nps" { r.fail("survey_type", "must be \"nps\"") }
        try r.finish()
        let survey = try await survey(context, trend: nil)
        guard let contact = try await store.contact(workspaceID: workspaceID, id: personID!) else {
            throw Problem.validation(ValidationError(field: "person", "no person with id \(personID!)"))
        }
        // The contact is named by what identifies it; an answer in the survey's round updates that
        // round's response, so a retried call never counts twice.
        var submission = ResponseSubmission(surveyID: survey.id, contact: ContactInput(externalID: contact.externalID, email: contact.email),
                                            score: Score(Int(score!))!, comment: comment, properties: properties,
                                            createdAt: createdAt, channel: .api)
        submission.locale = contact.locale
        let outcome = try await store.record(workspaceID: workspaceID, [submission], batch: false)[0]
        return try await surveyResponse(workspaceID: workspaceID, id: outcome.id, expand: [], status: outcome.created ? .created : .ok)
    }

    @Sendable func listSurveyResponses(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        var q = QueryReader(request)
        let perPage = perPage(&q)
        let page = Int(q.integer("page", in: 1...1_000_000) ?? 1)
        var filter = ResponseFilter()
        filter.from = seconds(&q, "since")
        filter.to = seconds(&q, "until").map { $0.adding(milliseconds: 1_000) }
        filter.updatedSince = seconds(&q, "updated_since")
        filter.updatedBefore = seconds(&q, "updated_until").map { $0.adding(milliseconds: 1_000) }
        let trend = q.integer("trend", in: 1...Int64.max)
        let personID = q.integer("person_id", in: 1...Int64.max)
        let personEmail = q.string("person_email", maxCharacters: Limits.emailCharacters)
        var order = ResponseOrder.createdAscending
        if let raw = q.string("order", maxCharacters: 20) {
            switch raw {
            case "asc", "asc:created_at": order = .createdAscending
            case "desc", "desc:created_at": order = .createdDescending
            case "asc:updated_at": order = .updatedAscending
            case "desc:updated_at": order = .updatedDescending
            default: q.fail("order", "must be asc, desc, asc:updated_at or desc:updated_at, got \"\(raw)\"")
            }
        }
        let expand = expansions(&q)
        try q.finish()
        let survey = try await survey(context, trend: trend)
        // eNPS: an employee survey's answers are never listed one by one.
        if survey.kind == .employee { throw Problem.forbidden(Anonymity.individualAnswersRefused(surveyID: survey.id)) }
        filter.surveyID = survey.id
        if let personID { filter.contactID = personID }
        if let personEmail {
            guard let email = Identifiers.normalizedEmail(personEmail) else {
                throw Problem.badRequest("person_email: is not a valid e-mail address: \"\(personEmail)\"")
            }
            guard let contact = try await store.contact(workspaceID: workspaceID, email: email) else { return JSONResponse.make(.array([])) }
            if let personID, personID != contact.id { return JSONResponse.make(.array([])) }
            filter.contactID = contact.id
        }
        let responses = try await store.responses(workspaceID: workspaceID, filter: filter, order: order, page: page, perPage: perPage)
        return JSONResponse.make(.array(try await represent(responses, workspaceID: workspaceID, expand: expand)))
    }

    @Sendable func showSurveyResponse(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let expand = expansions(&q)
        try q.finish()
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        if let response = try await store.response(workspaceID: workspaceID, id: id),
           try await store.employeeSurveyIDs(workspaceID: workspaceID).contains(response.surveyID) {
            throw Problem.forbidden(Anonymity.individualAnswersRefused(surveyID: response.surveyID))
        }
        return try await surveyResponse(workspaceID: workspaceID, id: id, expand: expand)
    }

    @Sendable func updateSurveyResponse(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let workspaceID = try context.requireWorkspace()
        let id = try context.idParameter()
        var q = QueryReader(request)
        let expand = expansions(&q)
        try q.finish()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let score = r.integer("score", in: 0...10)
        let comment: String?? = r.has("comment") ? .some(r.string("comment", maxCharacters: Limits.commentCharacters)) : .none
        let properties = r.properties("person_properties", allowNull: true)
        // The client sends the whole object back: its read-only fields are accepted unchanged.
        for key in ["id", "survey_type", "permalink", "created_at", "updated_at", "notes", "tags", "additional_answers"] { _ = r.value(key) }
        var personID: Int64?
        switch r.value("person") {
        case .string(let s)?: personID = Int64(s)
        case .integer(let i)?: personID = i
        case .object(let o)?: if case .string(let s)? = o["id"] { personID = Int64(s) }
        default: break
        }
        try r.finish()
        guard let existing = try await store.response(workspaceID: workspaceID, id: id) else {
            throw Problem.notFound("no survey response with id \(id)")
        }
        if let personID, personID != existing.contactID {
            throw Problem.validation(ValidationError(field: "person", "a response stays with the person who gave it; record a new response for person \(personID) instead"))
        }
        let normalized = comment.map { c in c.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 } }
        _ = try await store.updateResponse(workspaceID: workspaceID, id: id, score: score.flatMap { Score(Int($0)) },
                                           comment: normalized, properties: properties)
        return try await surveyResponse(workspaceID: workspaceID, id: id, expand: expand)
    }

    // MARK: - Metrics

    @Sendable func metrics(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let since = seconds(&q, "since")
        let until = seconds(&q, "until")
        let trend = q.integer("trend", in: 1...Int64.max)
        try q.finish()
        let survey = try await survey(context, trend: trend)
        // Delighted's default window: the 30 days up to now.
        let to = until ?? store.clock.now()
        let from = since ?? (until == nil ? to.adding(milliseconds: -30 * Timestamp.millisecondsPerDay) : nil)
        let counts = try await store.scoreCounts(surveyID: survey.id, from: from, to: to.adding(milliseconds: 999))
        return JSONResponse.make(DelightedRepresentation.metrics(counts))
    }

    // MARK: - Unsubscribes and bounces

    @Sendable func createUnsubscribe(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        try QueryReader.requireNone(request)
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let raw = r.string("person_email", required: true, maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false)
        let email = raw.flatMap(Identifiers.normalizedEmail)
        if let raw, email == nil { r.fail("person_email", "is not a valid e-mail address: \"\(raw)\"") }
        try r.finish()
        _ = try await store.suppress(workspaceID: try context.requireWorkspace(), email: email!, reason: .unsubscribed,
                                     detail: "unsubscribed through the Delighted-compatible API")
        return JSONResponse.make(.object(["ok": .bool(true)]))
    }

    @Sendable func listUnsubscribes(_ request: Request, context: AppContext) async throws -> Response {
        try await listSuppressions(request, context: context, reasons: [.unsubscribed, .complained], timeKey: "unsubscribed_at")
    }

    @Sendable func listBounces(_ request: Request, context: AppContext) async throws -> Response {
        try await listSuppressions(request, context: context, reasons: [.bounced], timeKey: "bounced_at")
    }

    private func listSuppressions(_ request: Request, context: AppContext, reasons: [SuppressionReason], timeKey: String) async throws -> Response {
        var q = QueryReader(request)
        let perPage = perPage(&q)
        let page = Int(q.integer("page", in: 1...1_000_000) ?? 1)
        let since = seconds(&q, "since")
        let until = seconds(&q, "until")
        try q.finish()
        let entries = try await store.suppressions(workspaceID: try context.requireWorkspace(), reasons: reasons, from: since,
                                                   to: until?.adding(milliseconds: 999), page: page, perPage: perPage)
        return JSONResponse.make(.array(entries.map { DelightedRepresentation.suppression($0.0, contact: $0.1, timeKey: timeKey) }))
    }

    // MARK: - Autopilot

    @Sendable func autopilotConfiguration(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let platform = try platform(context)
        let campaign = platform == "email" ? try await autopilotCampaign(context) : nil
        return JSONResponse.make(.object([
            "platform_id": .string(platform),
            "active": .bool(campaign != nil),
            "frequency": campaign?.definition.recurringDays.map { .integer(Int64($0) * 86_400) } ?? .null,
            "created_at": DelightedRepresentation.seconds(campaign?.createdAt),
            "updated_at": DelightedRepresentation.seconds(campaign?.updatedAt),
        ]))
    }

    @Sendable func listAutopilotMemberships(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        var q = QueryReader(request)
        let perPage = perPage(&q)
        let cursor = pageInfo(&q)
        var filter = ContactListFilter(flag: Self.autopilotFlag)
        if let raw = q.string("person_email", maxCharacters: Limits.emailCharacters) {
            if let e = Identifiers.normalizedEmail(raw) { filter.email = e } else { q.fail("person_email", "is not a valid e-mail address: \"\(raw)\"") }
        }
        let personID = q.integer("person_id", in: 1...Int64.max)
        _ = q.string("person_phone_number", maxCharacters: 40)
        try q.finish()
        guard try platform(context) == "email" else { return JSONResponse.make(.array([])) }
        let survey = try await survey(context, trend: nil)
        var page = try await store.contacts(workspaceID: workspaceID, filter: filter, after: cursor, limit: perPage)
        if let personID { page.items.removeAll { $0.id != personID } }
        let activity = try await store.contactActivity(workspaceID: workspaceID, contactIDs: page.items.map(\.id), surveyID: survey.id)
        return JSONResponse.make(.array(page.items.map { membership($0, activity: activity[$0.id]) }),
                                 headers: nextLink(request, cursor: page.nextCursor))
    }

    @Sendable func addAutopilotMembership(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let workspaceID = try context.requireWorkspace()
        try QueryReader.requireNone(request)
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        var email: String?
        var name: String?
        // The clients send the person flat (person_email) or nested (person: {email, name}).
        if let raw = r.string("person_email", maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false) {
            email = Identifiers.normalizedEmail(raw)
            if email == nil { r.fail("person_email", "is not a valid e-mail address: \"\(raw)\"") }
        }
        name = r.string("person_name", maxCharacters: Limits.nameCharacters)
        _ = r.object("person") { p -> Bool? in
            if let raw = p.string("email", maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false) {
                email = Identifiers.normalizedEmail(raw)
                if email == nil { p.fail("email", "is not a valid e-mail address: \"\(raw)\"") }
            }
            if let n = p.string("name", maxCharacters: Limits.nameCharacters) { name = n }
            _ = p.string("phone_number", maxCharacters: 40)
            return true
        }
        _ = r.string("person_phone_number", maxCharacters: 40)
        var properties = r.properties("properties", allowNull: false) ?? [:]
        if email == nil, r.issues.isEmpty { r.fail("person_email", "is required") }
        try r.finish()
        guard try platform(context) == "email" else {
            throw Problem.validation(ValidationError(field: "platform", "Advocate's Autopilot sends by e-mail only"))
        }
        properties[Self.autopilotFlag] = .bool(true)
        let survey = try await survey(context, trend: nil)
        let (contact, _) = try await store.upsertContact(workspaceID: workspaceID, ContactInput(email: email!, name: name, properties: properties))
        let activity = try await store.contactActivity(workspaceID: workspaceID, contactIDs: [contact.id], surveyID: survey.id)[contact.id]
        return JSONResponse.make(membership(contact, activity: activity), status: .created)
    }

    @Sendable func removeAutopilotMembership(_ request: Request, context: AppContext) async throws -> Response {
        let workspaceID = try context.requireWorkspace()
        // The identifier comes as query parameters (JavaScript client) or a JSON body (the others).
        var q = QueryReader(request)
        var email = q.string("person_email", maxCharacters: Limits.emailCharacters)
        var personID = q.integer("person_id", in: 1...Int64.max)
        var phone = q.string("person_phone_number", maxCharacters: 40)
        try q.finish()
        var request = request
        if email == nil, personID == nil, phone == nil, request.headers[.contentLength].map({ $0 != "0" }) ?? (request.headers[.transferEncoding] != nil) {
            let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
            email = r.string("person_email", maxCharacters: Limits.emailCharacters)
            personID = idField(r, "person_id", required: false)
            phone = r.string("person_phone_number", maxCharacters: 40)
            try r.finish()
        }
        guard try platform(context) == "email" else { throw Problem.notFound("Advocate's Autopilot sends by e-mail only") }
        let contact: Contact
        if let personID {
            contact = try await person(identifiedBy: String(personID), workspaceID: workspaceID)
        } else if let email {
            contact = try await person(identifiedBy: "email:" + email, workspaceID: workspaceID)
        } else {
            throw Problem.validation(ValidationError(field: "person_email", phone == nil ? "is required (or person_id)" : "is required: nobody has a phone number here"))
        }
        let (updated, _) = try await store.upsertContact(workspaceID: workspaceID, ContactInput(
            externalID: contact.externalID, email: contact.email, properties: [Self.autopilotFlag: .null]))
        return JSONResponse.make(.object(["person": DelightedRepresentation.person(updated)]), status: .accepted)
    }

    private func membership(_ c: Contact, activity: ContactActivity?) -> JSONValue {
        var properties = c.properties
        properties.removeValue(forKey: Self.autopilotFlag)
        return .object([
            "created_at": DelightedRepresentation.seconds(c.createdAt),
            "updated_at": DelightedRepresentation.seconds(c.updatedAt),
            "person": DelightedRepresentation.person(c, activity: activity),
            "properties": .object(properties),
            "next_survey_request": DelightedRepresentation.scheduledRequest(activity?.nextScheduled, properties: properties),
        ])
    }

    /// The launched recurring campaign of the survey whose audience is the Autopilot flag.
    private func autopilotCampaign(_ context: AppContext) async throws -> Campaign? {
        let workspaceID = try context.requireWorkspace()
        let survey = try await survey(context, trend: nil)
        var cursor: Int64?
        repeat {
            let page = try await store.campaigns(workspaceID: workspaceID, before: cursor, limit: 100)
            if let found = page.items.first(where: { c in
                c.surveyID == survey.id && c.status == .launched && c.definition.recurringDays != nil
                    && c.definition.audience.conditions.contains { $0.subject == .property(Self.autopilotFlag) }
            }) { return found }
            cursor = page.nextCursor.flatMap(Cursor.decode)
        } while cursor != nil
        return nil
    }

    private func platform(_ context: AppContext) throws -> String {
        let platform = try context.textParameter("platform")
        guard platform == "email" || platform == "sms" else { throw Problem.notFound("Autopilot's platforms are email and sms, not \(platform)") }
        return platform
    }

    // MARK: - Shared

    /// The survey a call acts on: `trend` when given, else the token's, else the workspace's first.
    private func survey(_ context: AppContext, trend: Int64?) async throws -> Survey {
        let workspaceID = try context.requireWorkspace()
        if let id = trend ?? context.tokenSurveyID {
            guard let survey = try await store.survey(workspaceID: workspaceID, id: id) else {
                throw Problem.validation(ValidationError(field: trend != nil ? "trend" : "token", "no survey with id \(id) in this workspace"))
            }
            return survey
        }
        guard let first = try await store.surveys(workspaceID: workspaceID, after: nil, limit: 1).items.first else {
            throw Problem(status: .unprocessableContent, title: "No survey yet",
                          detail: "this workspace has no survey yet: create one (POST /api/v1/surveys) or import a Delighted export")
        }
        return first
    }

    /// A person by Delighted's identifier: an id, `email:…` or `phone_number:…`.
    private func person(identifiedBy identifier: String, workspaceID: Int64) async throws -> Contact {
        if identifier.hasPrefix("email:") {
            let raw = String(identifier.dropFirst(6))
            guard let email = Identifiers.normalizedEmail(raw) else { throw Problem.notFound("\"\(raw)\" is not an e-mail address") }
            guard let c = try await store.contact(workspaceID: workspaceID, email: email) else { throw Problem.notFound("no person with e-mail \(email)") }
            return c
        }
        if identifier.hasPrefix("phone_number:") { throw Problem.notFound("no person has a phone number here: Advocate surveys by e-mail") }
        guard let id = Int64(identifier), id > 0 else {
            throw Problem.notFound("\"\(identifier)\" is not a person id, email:ADDRESS or phone_number:NUMBER")
        }
        guard let c = try await store.contact(workspaceID: workspaceID, id: id) else { throw Problem.notFound("no person with id \(id)") }
        return c
    }

    private func surveyResponse(workspaceID: Int64, id: Int64, expand: Set<String>, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let response = try await store.response(workspaceID: workspaceID, id: id) else {
            throw Problem.notFound("no survey response with id \(id)")
        }
        return JSONResponse.make(try await represent([response], workspaceID: workspaceID, expand: expand)[0], status: status)
    }

    private func represent(_ responses: [AdvocateCore.Response], workspaceID: Int64, expand: Set<String>) async throws -> [JSONValue] {
        let contacts = expand.contains("person")
            ? try await store.contacts(workspaceID: workspaceID, ids: Array(Set(responses.compactMap(\.contactID)))) : [:]
        let notes = try await store.notes(workspaceID: workspaceID, responseIDs: responses.map(\.id))
        return responses.map { r in
            DelightedRepresentation.surveyResponse(r, person: r.contactID.flatMap { contacts[$0] }, expandPerson: expand.contains("person"),
                                                   notes: notes[r.id] ?? [], permalinkBase: publicURL ?? "")
        }
    }

    private func perPage(_ q: inout QueryReader) -> Int {
        Int(q.integer("per_page", in: 1...100) ?? 20)
    }

    /// Delighted's times are Unix seconds.
    private func seconds(_ q: inout QueryReader, _ name: String) -> Timestamp? {
        q.integer(name, in: 0...4_102_444_800).map { Timestamp(milliseconds: $0 * 1_000) }
    }

    private func pageInfo(_ q: inout QueryReader) -> Int64? {
        guard let raw = q.string("page_info", maxCharacters: 40) else { return nil }
        guard let v = Cursor.decode(raw) else { q.fail("page_info", "is not a page_info this API returned"); return nil }
        return v
    }

    private func expansions(_ q: inout QueryReader) -> Set<String> {
        let values = q.strings("expand[]") + q.strings("expand")
        for v in values where v != "person" && v != "notes" { q.fail("expand", "can be person or notes, not \"\(v)\"") }
        return Set(values)
    }

    private func idField(_ r: InputReader, _ key: String, required: Bool) -> Int64? {
        switch r.value(key) {
        case .string(let s)?: if let id = Int64(s), id > 0 { return id }
        case .integer(let i)? where i > 0: return i
        case nil: if required { r.fail(key, "is required") }; return nil
        default: break
        }
        r.fail(key, "must be a person id")
        return nil
    }

    /// The `Link: <…>; rel="next"` header of a cursor-paged list, as an absolute URL.
    private func nextLink(_ request: Request, cursor: String?) -> HTTPFields {
        guard let cursor else { return [:] }
        var items = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("page_info=") }.map(String.init)
        items.append("page_info=\(cursor)")
        let base = publicURL ?? "http://\(request.head.authority ?? "localhost")"
        return [.link: "<\(base)\(request.uri.path)?\(items.joined(separator: "&"))>; rel=\"next\""]
    }
}
