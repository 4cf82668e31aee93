import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird
import NPS

/// `/api/v1/campaigns`: planned rounds of survey e-mail (docs/campaigns.md). A campaign is made
/// as a draft, previewed (the dry run), launched (its invitations are scheduled in one
/// transaction) and, if need be, cancelled. Its funnel is per A/B variant, with the significance
/// of the differences in response rate and NPS against the first variant.
struct CampaignsController {
    let store: AdvocateStore
    let sending: SendingState

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("surveys/:id/campaigns", use: create)
        group.get("campaigns", use: list)
        group.get("campaigns/:id", use: show)
        group.patch("campaigns/:id", use: update)
        group.delete("campaigns/:id", use: delete)
        group.post("campaigns/:id/preview", use: preview)
        group.post("campaigns/:id/launch", use: launch)
        group.post("campaigns/:id/cancel", use: cancel)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let surveyID = try context.idParameter()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let name = r.string("name", required: true, maxCharacters: Limits.nameCharacters, nullable: false, allowEmpty: false)
        let definition = CampaignDefinition.read(r, over: CampaignDefinition())
        try r.finish()
        guard let campaign = try await store.createCampaign(workspaceID: workspaceID, surveyID: surveyID, name: name ?? "", definition: definition) else {
            throw Problem.notFound("no survey with id \(surveyID) in this workspace")
        }
        return JSONResponse.make(try await representation(campaign), status: .created, headers: [.location: "/api/v1/campaigns/\(campaign.id)"])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.finish()
        let page = try await store.campaigns(workspaceID: try context.requireWorkspace(), before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Self.summaryFields), next: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        return JSONResponse.make(try await representation(try await find(context)))
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let campaign = try await find(context)
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let name = r.string("name", maxCharacters: Limits.nameCharacters, nullable: false, allowEmpty: false)
        let definition = CampaignDefinition.read(r, over: campaign.definition)
        try r.finish()
        switch try await store.updateCampaign(workspaceID: campaign.workspaceID, id: campaign.id, name: name, definition: definition) {
        case .success(let updated): return JSONResponse.make(try await representation(updated))
        case .failure(let refusal): throw Self.problem(refusal, campaign.id)
        }
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let campaign = try await find(context)
        switch try await store.deleteCampaign(workspaceID: campaign.workspaceID, id: campaign.id) {
        case .success: return Response(status: .noContent)
        case .failure(let refusal): throw Self.problem(refusal, campaign.id)
        }
    }

    /// The dry run: "1,234 would be sent, 56 throttled, 7 unsubscribed". Writes nothing.
    @Sendable func preview(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let campaign = try await find(context)
        return JSONResponse.make(Self.plan(try await store.previewCampaign(campaign)))
    }

    @Sendable func launch(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let campaign = try await find(context)
        guard sending.emailConfigured else {
            throw Problem(status: .conflict, detail: "e-mail sending is not configured: start serve with --smtp-url, --mail-from and --public-url")
        }
        switch try await store.launchCampaign(workspaceID: campaign.workspaceID, id: campaign.id, makeToken: InvitationToken.make) {
        case .failure(let refusal): throw Self.problem(refusal, campaign.id)
        case .success(let (launched, summary)):
            sending.wake()
            guard case .object(var body) = try await representation(launched) else { return Response(status: .accepted) }
            body["launch"] = Self.plan(summary)
            return JSONResponse.make(.object(body), status: .accepted)
        }
    }

    @Sendable func cancel(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let campaign = try await find(context)
        switch try await store.cancelCampaign(workspaceID: campaign.workspaceID, id: campaign.id) {
        case .failure(let refusal): throw Self.problem(refusal, campaign.id)
        case .success(let (cancelled, count)):
            guard case .object(var body) = try await representation(cancelled) else { return Response(status: .ok) }
            body["cancelled_invitations"] = .integer(Int64(count))
            return JSONResponse.make(.object(body))
        }
    }

    // MARK: - Shapes

    private func find(_ context: AppContext) async throws -> Campaign {
        let id = try context.idParameter()
        guard let campaign = try await store.campaign(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no campaign with id \(id) in this workspace")
        }
        return campaign
    }

    static func problem(_ refusal: CampaignRefusal, _ id: Int64) -> Problem {
        switch refusal {
        case .notFound: Problem.notFound("no campaign with id \(id) in this workspace")
        case .notDraft(let status):
            Problem(status: .conflict, detail: "the campaign is \(status.rawValue); only a draft can be changed, launched or deleted (cancel a launched one)")
        case .alreadyCancelled: Problem(status: .conflict, detail: "the campaign is already cancelled")
        case .nobodyToInvite(let summary):
            Problem(status: .conflict, detail: "the campaign would invite nobody: " + (summary.preview.total == 0
                ? "its audience matches no contact"
                : summary.preview.skipped.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")))
        }
    }

    static func summaryFields(_ c: Campaign) -> JSONValue {
        guard case .object(var o) = c.definition.json else { return .null }
        o["id"] = .integer(c.id)
        o["survey_id"] = .integer(c.surveyID)
        o["name"] = .string(c.name)
        o["status"] = .string(c.status.rawValue)
        o["created_at"] = .string(c.createdAt.rfc3339)
        o["updated_at"] = .string(c.updatedAt.rfc3339)
        o["launched_at"] = .optional(c.launchedAt?.rfc3339)
        return .object(o)
    }

    private func representation(_ c: Campaign) async throws -> JSONValue {
        guard case .object(var o) = Self.summaryFields(c) else { return .null }
        o["funnel"] = c.status == .draft ? .null : Self.funnel(try await store.campaignFunnel(c))
        return .object(o)
    }

    static func plan(_ s: CampaignPlanSummary) -> JSONValue {
        .object([
            "would_send": .integer(Int64(s.preview.wouldSend)),
            "skipped": .object(Dictionary(uniqueKeysWithValues: CampaignSkipReason.allCases.map { ($0.rawValue, .integer(Int64(s.preview.count($0)))) })),
            "audience": .integer(Int64(s.preview.total)),
            "by_variant": .object(s.byVariant.mapValues { .integer(Int64($0)) }),
            "first_send_at": .optional(s.firstSendAt?.rfc3339),
            "last_send_at": .optional(s.lastSendAt?.rfc3339),
        ])
    }

    /// Each variant's funnel; variants after the first carry their comparison with it: response
    /// rate (answered / delivered) by the two-proportion z test, NPS by the two-sample NPS z test.
    static func funnel(_ funnels: [CampaignFunnel]) -> JSONValue {
        let baseline = funnels.first
        return .array(funnels.enumerated().map { index, f in
            var o: [String: JSONValue] = [
                "variant": f.variant.isEmpty ? .null : .string(f.variant),
                "invited": .integer(Int64(f.invited)), "sent": .integer(Int64(f.sent)), "delivered": .integer(Int64(f.delivered)),
                "bounced": .integer(Int64(f.bounced)), "opened": .integer(Int64(f.opened)), "clicked": .integer(Int64(f.clicked)),
                "answered": .integer(Int64(f.answered)), "commented": .integer(Int64(f.commented)),
                "response_rate": f.delivered > 0 ? .double(Double(f.answered) / Double(f.delivered)) : .null,
                "nps": .optional(f.tally.nps),
            ]
            if index > 0, let baseline {
                let rate = Proportion.compare(successesA: f.answered, totalA: f.delivered, successesB: baseline.answered, totalB: baseline.delivered)
                let nps = Tally.compare(f.tally, baseline.tally)
                o["versus_first"] = .object([
                    "response_rate_difference": .optional(rate?.difference),
                    "response_rate_p_value": .optional(rate?.pValue),
                    "response_rate_significant": rate.map { .bool($0.isSignificant()) } ?? .null,
                    "nps_difference": .optional(nps?.difference),
                    "nps_p_value": .optional(nps?.pValue),
                    "nps_significant": nps.map { .bool($0.isSignificant()) } ?? .null,
                ])
            }
            return .object(o)
        })
    }
}
