import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/api/v1/surveys/{id}/invitations` and `/api/v1/invitations`: ask contacts to answer a survey
/// now or later, and see what became of each invitation.
struct InvitationsController {
    let store: AdvocateStore
    let sending: SendingState

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("surveys/:id/invitations", use: create)
        group.get("invitations", use: list)
        group.get("invitations/:id", use: show)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let surveyID = try context.idParameter()
        let workspaceID = try context.requireWorkspace()
        let now = store.clock.now()
        let input = try InvitationRequest.decode(try await request.jsonBody(limit: Limits.batchBodyBytes), now: now)
        guard sending.emailConfigured else {
            throw Problem(status: .conflict, title: "E-mail is not configured",
                          detail: "this server cannot send e-mail: start it with --smtp-url, --mail-from and --public-url (docs/mail.md)")
        }
        let targets = input.contacts.map { ref -> InvitationTarget in
            switch ref {
            case .externalID(let id): return .externalID(id)
            case .email(let e): return .email(e)
            }
        }
        let options = InvitationOptions(channel: input.channel, sendAt: input.sendAt ?? now, reminders: input.reminders,
                                        reminderDays: input.reminderDays, throttleDays: input.throttleDays)
        guard let decisions = try await store.createInvitations(workspaceID: workspaceID, surveyID: surveyID, targets: targets,
                                                                options: options, makeToken: InvitationToken.make) else {
            throw Problem.notFound("no survey with id \(surveyID) in this workspace")
        }
        sending.wake()
        var invited: [JSONValue] = []
        var skipped: [JSONValue] = []
        for (index, decision) in decisions.enumerated() {
            switch decision {
            case .invited(let invitation, let contact):
                invited.append(.object(["index": .integer(Int64(index)), "invitation": Representation.invitation(invitation),
                                        "contact": Representation.contactReference(contact)]))
            case .skipped(let reason, let contact, let detail):
                var reference = Representation.contactReference(contact)
                if contact == nil, case .externalID(let id) = targets[index] { reference = .object(["external_id": .string(id)]) }
                skipped.append(.object(["index": .integer(Int64(index)), "contact": reference, "reason": .string(reason.rawValue),
                                        "detail": .string(detail)]))
            }
        }
        return JSONResponse.make(.object([
            "survey_id": .integer(surveyID),
            "invited": .array(invited),
            "skipped": .array(skipped),
            "counts": .object(["invited": .integer(Int64(invited.count)), "skipped": .integer(Int64(skipped.count))]),
        ]), status: .accepted)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let surveyID = q.integer("survey_id", in: 1...Int64.max)
        try q.finish()
        let page = try await store.invitations(workspaceID: try context.requireWorkspace(), surveyID: surveyID, before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map(Representation.invitation), next: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard let invitation = try await store.invitation(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no invitation with id \(id) in this workspace")
        }
        return JSONResponse.make(Representation.invitation(invitation))
    }
}

/// What the web layer knows of sending: whether e-mail is configured, and how to wake the runner.
public struct SendingState: Sendable {
    /// Whether `serve` was given what sending e-mail needs.
    public var emailConfigured: Bool
    /// The job runner to wake when new work is due now.
    public var runner: JobRunner?

    public init(emailConfigured: Bool, runner: JobRunner?) {
        self.emailConfigured = emailConfigured
        self.runner = runner
    }

    /// No e-mail: invitations are refused with a clear 409.
    public static let disabled = SendingState(emailConfigured: false, runner: nil)

    func wake() { runner?.wake() }
}
