import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/api/v1/events` and `/api/v1/triggers`: transactional surveys. The customer's backend reports
/// what happened ("ticket.closed" for a contact); rules say which survey follows which event,
/// after how long and under which conditions (docs/campaigns.md, "Event triggers").
struct TriggersController {
    let store: AdvocateStore
    let sending: SendingState

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("events", use: recordEvent)
        group.post("triggers", use: create)
        group.get("triggers", use: list)
        group.get("triggers/:id", use: show)
        group.patch("triggers/:id", use: update)
        group.delete("triggers/:id", use: delete)
    }

    /// 202 with what each rule of the event's name did.
    @Sendable func recordEvent(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let contact = r.object("contact") { c in ContactInput.readForEvent(c) }
        if !r.has("contact") { r.fail("contact", "is required: {\"external_id\": …} or {\"email\": …}") }
        let name = r.string("name", required: true, maxCharacters: 100, nullable: false)
        if let name, !WidgetSettings.isEventName(name) { r.fail("name", "must be 1 to 100 letters, digits, '.', '_', '-' or ':'") }
        let properties = r.properties("properties", allowNull: false) ?? [:]
        let occurredAt = r.timestamp("occurred_at") ?? store.clock.now()
        if occurredAt.milliseconds > store.clock.now().milliseconds + 10 * 60_000 { r.fail("occurred_at", "must not be in the future") }
        try r.finish()
        guard let contact, let name else { throw Problem.badRequest("contact and name are required") }
        let outcome = try await store.recordEvent(workspaceID: workspaceID, contact: contact, name: name, properties: properties,
                                                  occurredAt: occurredAt, makeToken: InvitationToken.make)
        if outcome.fired.contains(where: { if case .invited? = $0.decision { true } else { false } }) { sending.wake() }
        return JSONResponse.make(.object([
            "event_id": .integer(outcome.eventID),
            "contact_id": .integer(outcome.contact.id),
            "triggers": .array(outcome.fired.map { rule, decision in
                var o: [String: JSONValue] = ["trigger_id": .integer(rule.id), "survey_id": .integer(rule.surveyID)]
                switch decision {
                case nil:
                    o["result"] = .string("conditions_not_met")
                case .invited(let invitation, _)?:
                    o["result"] = .string("invited")
                    o["invitation_id"] = .integer(invitation.id)
                    o["send_at"] = .string(invitation.sendAt.rfc3339)
                case .skipped(let reason, _, let detail)?:
                    o["result"] = .string("skipped")
                    o["reason"] = .string(reason.rawValue)
                    o["detail"] = .string(detail)
                }
                return .object(o)
            }),
            "email_configured": .bool(sending.emailConfigured),
        ]), status: .accepted)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let surveyID = r.integer("survey_id", required: true, in: 1...Int64.max)
        var rule = TriggerRule.read(r, over: TriggerRule(), creating: true)
        try r.finish()
        rule.surveyID = surveyID ?? 0
        switch try await store.createTrigger(workspaceID: workspaceID, rule, audit: context.auditActor) {
        case .success(let saved):
            return JSONResponse.make(Self.representation(saved), status: .created, headers: [.location: "/api/v1/triggers/\(saved.id)"])
        case .failure(let refusal): throw Self.problem(refusal)
        }
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.finish()
        let page = try await store.triggers(workspaceID: try context.requireWorkspace(), before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Self.representation), next: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(Self.representation(try await find(context)))
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let current = try await find(context)
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let surveyID = r.integer("survey_id", in: 1...Int64.max)
        var rule = TriggerRule.read(r, over: current, creating: false)
        try r.finish()
        if let surveyID { rule.surveyID = surveyID }
        switch try await store.updateTrigger(workspaceID: current.workspaceID, rule, audit: context.auditActor) {
        case .success(let saved): return JSONResponse.make(Self.representation(saved))
        case .failure(let refusal): throw Self.problem(refusal)
        }
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard try await store.deleteTrigger(workspaceID: try context.requireWorkspace(), id: id, audit: context.auditActor) else {
            throw Problem.notFound("no trigger with id \(id) in this workspace")
        }
        return Response(status: .noContent)
    }

    private func find(_ context: AppContext) async throws -> TriggerRule {
        let id = try context.idParameter()
        guard let rule = try await store.trigger(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no trigger with id \(id) in this workspace")
        }
        return rule
    }

    static func problem(_ refusal: TriggerRefusal) -> Problem {
        switch refusal {
        case .notFound: Problem.notFound("no such trigger in this workspace")
        case .unknownSurvey(let id): Problem.validation(ValidationError(field: "survey_id", "no survey with id \(id) in this workspace"))
        }
    }

    static func representation(_ t: TriggerRule) -> JSONValue {
        .object([
            "id": .integer(t.id), "survey_id": .integer(t.surveyID), "event": .string(t.eventName),
            "delay_minutes": .integer(Int64(t.delayMinutes)), "conditions": t.conditions.json,
            "throttle_days": .integer(Int64(t.throttleDays)), "reminders": .integer(Int64(t.reminders)), "enabled": .bool(t.enabled),
            "created_at": .string(t.createdAt.rfc3339), "updated_at": .string(t.updatedAt.rfc3339),
        ])
    }
}
