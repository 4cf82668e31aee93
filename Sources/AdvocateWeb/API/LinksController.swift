import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// Survey links for SMS, chat apps and QR codes (docs/respondent.md, "Links").
///
/// - Anonymous (`{"name": …}`): anyone with the link answers, once per browser; rate-limited
///   per IP address. Listed, read and revoked under `/api/v1/links`.
/// - Personal (`{"contact": {"external_id": …}}`): an invitation on the link or SMS channel,
///   answered like an e-mailed one; it obeys suppression and counts for the throttle.
///
/// The token is in the returned URL only: it is stored hashed and cannot be shown again.
struct LinksController {
    let store: AdvocateStore
    /// `--public-url`, to return full URLs; paths only without it.
    let publicURL: String?

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("surveys/:id/links", use: create)
        group.get("links", use: list)
        group.get("links/:id", use: show)
        group.delete("links/:id", use: revoke)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let surveyID = try context.idParameter()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let name = r.string("name", maxCharacters: Limits.nameCharacters, nullable: false, allowEmpty: false)
        let externalID = r.object("contact") { c -> String? in
            let id = c.string("external_id", required: true, maxCharacters: Limits.externalIDCharacters, nullable: false)
            if let id, !Identifiers.isValidExternalID(id) { c.fail("external_id", "must be 1 to \(Limits.externalIDCharacters) characters without control characters") }
            return id
        } ?? nil
        var channel = Channel.link
        if let text = r.string("channel", maxCharacters: 20, nullable: false) {
            if let c = Channel(rawValue: text), c == .link || c == .sms { channel = c } else { r.fail("channel", "must be link or sms") }
        }
        let expiresAt = r.timestamp("expires_at")
        if let expiresAt, expiresAt <= store.clock.now() { r.fail("expires_at", "must be in the future") }
        if name == nil, !r.has("contact") { r.fail("name", "is required for an anonymous link (or give contact for a personal one)") }
        if name != nil, r.has("contact") { r.fail("contact", "give either name (anonymous link) or contact (personal link), not both") }
        if r.has("contact"), r.has("expires_at") { r.fail("expires_at", "personal links expire with the survey's token_days setting") }
        try r.finish()

        let token = InvitationToken.make()
        if let externalID {
            switch try await store.createContactLink(workspaceID: workspaceID, surveyID: surveyID, externalID: externalID,
                                                     channel: channel, tokenHash: token.hash) {
            case .failure(.unknownSurvey): throw Problem.notFound("no survey with id \(surveyID) in this workspace")
            case .failure(.unknownContact):
                throw Problem.validation(ValidationError(field: "contact.external_id", "no contact has external_id \"\(externalID)\""))
            case .failure(.suppressed(let reason)):
                throw Problem(status: .conflict, detail: "the contact's address is suppressed (\(reason.rawValue)): they asked not to be surveyed")
            case .success(let (invitation, contact)):
                let path = "/r/\(token.token)"
                return JSONResponse.make(.object([
                    "kind": .string("contact"),
                    "invitation_id": .integer(invitation.id),
                    "survey_id": .integer(surveyID),
                    "contact": Representation.contact(contact),
                    "channel": .string(channel.rawValue),
                    "path": .string(path),
                    "url": .optional(publicURL.map { $0 + path }),
                    "created_at": .string(invitation.createdAt.rfc3339),
                ]), status: .created, headers: [.location: "/api/v1/invitations/\(invitation.id)"])
            }
        }
        guard let link = try await store.createLink(workspaceID: workspaceID, surveyID: surveyID, name: name ?? "", channel: channel,
                                                    expiresAt: expiresAt, tokenHash: token.hash) else {
            throw Problem.notFound("no survey with id \(surveyID) in this workspace")
        }
        var body = representation(link)
        if case .object(var o) = body {
            let path = "/l/\(token.token)"
            o["path"] = .string(path)
            o["url"] = .optional(publicURL.map { $0 + path })
            body = .object(o)
        }
        return JSONResponse.make(body, status: .created, headers: [.location: "/api/v1/links/\(link.id)"])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let surveyID = q.integer("survey_id", in: 1...Int64.max)
        try q.finish()
        let page = try await store.links(workspaceID: try context.requireWorkspace(), surveyID: surveyID, before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(representation), next: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let link = try await store.link(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no link with id \(id) in this workspace")
        }
        return JSONResponse.make(representation(link))
    }

    /// Revoking keeps the answers given; the link then shows "no longer valid".
    @Sendable func revoke(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let link = try await store.revokeLink(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no link with id \(id) in this workspace")
        }
        return JSONResponse.make(representation(link))
    }

    private func representation(_ link: SurveyLink) -> JSONValue {
        .object([
            "kind": .string("anonymous"),
            "id": .integer(link.id),
            "survey_id": .integer(link.surveyID),
            "name": .string(link.name),
            "channel": .string(link.channel.rawValue),
            "expires_at": .optional(link.expiresAt?.rfc3339),
            "revoked_at": .optional(link.revokedAt?.rfc3339),
            "created_at": .string(link.createdAt.rfc3339),
        ])
    }
}
