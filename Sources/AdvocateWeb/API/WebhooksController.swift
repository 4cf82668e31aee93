import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/api/v1/webhooks`: endpoints that receive signed events, their delivery log and replays
/// (docs/webhooks.md).
struct WebhooksController {
    let store: AdvocateStore
    let settings: WebhookSettings
    let sending: SendingState

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.get("webhooks/:id", use: show)
        group.patch("webhooks/:id", use: update)
        group.delete("webhooks/:id", use: delete)
        group.post("webhooks/:id/secret", use: rotateSecret)
        group.get("webhooks/:id/deliveries", use: deliveries)
        group.get("webhooks/:id/deliveries/:delivery_id", use: delivery)
        group.post("webhooks/:id/deliveries/:delivery_id/replay", use: replay)
    }

    /// 201 with the secret, shown this once.
    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        var request = request
        let workspaceID = try context.requireWorkspace()
        let r = InputReader(try await request.jsonBody(limit: Limits.singleBodyBytes))
        let url = await readURL(r, required: true)
        let events = Self.readEvents(r, required: true)
        let format = Self.readFormat(r)
        try r.finish()
        guard let url, let events else { throw Problem.badRequest("url and events are required") }
        let secret = WebhookSignature.makeSecret()
        let webhook = try await store.createWebhook(workspaceID: workspaceID, url: url.text, events: events, format: format ?? .json, secret: secret, audit: context.auditActor)
        return JSONResponse.make(Self.representation(webhook, secret: secret), status: .created,
                                 headers: [.location: "/api/v1/webhooks/\(webhook.id)"])
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        try q.finish()
        let page = try await store.webhooks(workspaceID: try context.requireWorkspace(), before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map { Self.representation($0) }, next: page.nextCursor))
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
        let url = await readURL(r, required: false)
        let events = Self.readEvents(r, required: false)
        let format = Self.readFormat(r)
        let enabled = r.bool("enabled")
        try r.finish()
        guard let updated = try await store.updateWebhook(workspaceID: current.workspaceID, id: current.id, url: url?.text, events: events,
                                                          format: format, enabled: enabled, audit: context.auditActor) else {
            throw Problem.notFound("no webhook with id \(current.id) in this workspace")
        }
        return JSONResponse.make(Self.representation(updated))
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        guard try await store.deleteWebhook(workspaceID: try context.requireWorkspace(), id: id, audit: context.auditActor) else {
            throw Problem.notFound("no webhook with id \(id) in this workspace")
        }
        return Response(status: .noContent)
    }

    /// A new secret, shown this once; the old one keeps signing for a day.
    @Sendable func rotateSecret(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let id = try context.idParameter()
        let secret = WebhookSignature.makeSecret()
        guard let webhook = try await store.rotateWebhookSecret(workspaceID: try context.requireWorkspace(), id: id, secret: secret, audit: context.auditActor) else {
            throw Problem.notFound("no webhook with id \(id) in this workspace")
        }
        return JSONResponse.make(Self.representation(webhook, secret: secret))
    }

    @Sendable func deliveries(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryReader(request)
        let limit = q.limit()
        let cursor = q.cursor()
        let state = q.oneOf("state", WebhookDeliveryState.self)
        try q.finish()
        let webhook = try await find(context)
        let page = try await store.webhookDeliveries(workspaceID: webhook.workspaceID, webhookID: webhook.id, state: state,
                                                     before: cursor, limit: limit)
        return JSONResponse.make(Representation.page(page.items.map { Self.representation($0) }, next: page.nextCursor))
    }

    /// One delivery with its body and every attempt.
    @Sendable func delivery(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let webhookID = try context.idParameter()
        let id = try context.idParameter("delivery_id")
        guard let (delivery, attempts) = try await store.webhookDelivery(workspaceID: try context.requireWorkspace(), webhookID: webhookID, id: id) else {
            throw Problem.notFound("no delivery with id \(id) of webhook \(webhookID) in this workspace")
        }
        return JSONResponse.make(Self.representation(delivery, attempts: attempts))
    }

    /// 202: the delivery is pending again and sent as soon as the job runner gets to it.
    @Sendable func replay(_ request: Request, context: AppContext) async throws -> Response {
        try QueryReader.requireNone(request)
        let webhookID = try context.idParameter()
        let id = try context.idParameter("delivery_id")
        switch try await store.replayWebhookDelivery(workspaceID: try context.requireWorkspace(), webhookID: webhookID, id: id) {
        case .success(let delivery):
            sending.wake()
            return JSONResponse.make(Self.representation(delivery), status: .accepted)
        case .failure(.notFound):
            throw Problem.notFound("no delivery with id \(id) of webhook \(webhookID) in this workspace")
        case .failure(.disabled):
            throw Problem(status: .conflict, detail: "webhook \(webhookID) is disabled; enable it (PATCH with {\"enabled\": true}) before replaying")
        case .failure(.pending):
            throw Problem(status: .conflict, detail: "delivery \(id) is still pending; it is retried automatically")
        }
    }

    private func find(_ context: AppContext) async throws -> Webhook {
        let id = try context.idParameter()
        guard let webhook = try await store.webhook(workspaceID: try context.requireWorkspace(), id: id) else {
            throw Problem.notFound("no webhook with id \(id) in this workspace")
        }
        return webhook
    }

    // MARK: - Input

    /// `url`: http(s), and a public address unless private networks are allowed (SSRF).
    private func readURL(_ r: InputReader, required: Bool) async -> WebhookURL? {
        guard let text = r.string("url", required: required, maxCharacters: Webhook.maxURLCharacters, nullable: false, allowEmpty: false) else {
            return nil
        }
        switch WebhookURL.parse(text) {
        case .failure(let problem):
            r.fail("url", problem.description)
            return nil
        case .success(let url):
            if let problem = await settings.problem(with: url) {
                r.fail("url", problem)
                return nil
            }
            return url
        }
    }

    /// `events`: a non-empty array of event types.
    static func readEvents(_ r: InputReader, required: Bool) -> [WebhookEventType]? {
        let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
        guard let value = r.value("events") else {
            if required { r.fail("events", "is required: an array of \(known)") }
            return nil
        }
        guard case .array(let items) = value, !items.isEmpty else {
            r.fail("events", "must be a non-empty array of \(known)")
            return nil
        }
        var events: [WebhookEventType] = []
        var valid = true
        for (i, item) in items.enumerated() {
            if case .string(let s) = item, let type = WebhookEventType(rawValue: s) { events.append(type) } else {
                r.fail("events[\(i)]", "must be one of \(known)")
                valid = false
            }
        }
        return valid ? Array(Set(events)).sorted() : nil
    }

    /// `format`: json (the event itself) or slack (a Slack-compatible message).
    static func readFormat(_ r: InputReader) -> WebhookFormat? {
        guard let text = r.string("format", maxCharacters: 20, nullable: false) else { return nil }
        guard let format = WebhookFormat(rawValue: text) else {
            r.fail("format", "must be one of \(WebhookFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return format
    }

    // MARK: - Representation

    static func representation(_ w: Webhook, secret: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .integer(w.id), "url": .string(w.url), "events": .array(w.events.map { .string($0.rawValue) }), "format": .string(w.format.rawValue),
            "enabled": .bool(w.enabled), "disabled_reason": .optional(w.disabledReason),
            "disabled_at": .optional(w.disabledAt?.rfc3339),
            "previous_secret_expires_at": .optional(w.previousSecretExpiresAt?.rfc3339),
            "created_at": .string(w.createdAt.rfc3339), "updated_at": .string(w.updatedAt.rfc3339),
        ]
        if let secret { o["secret"] = .string(secret) }
        return .object(o)
    }

    static func representation(_ d: WebhookDelivery, attempts: [WebhookAttempt]? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .integer(d.id), "webhook_id": .integer(d.webhookID), "event_id": .string(d.eventID),
            "event_type": .string(d.eventType.rawValue), "state": .string(d.state.rawValue), "attempts": .integer(Int64(d.attempts)),
            "last_status_code": d.lastStatusCode.map { .integer(Int64($0)) } ?? .null,
            "last_duration_ms": d.lastDurationMilliseconds.map { .integer(Int64($0)) } ?? .null,
            "last_error": .optional(d.lastError), "retry_until": .string(d.retryUntil.rfc3339),
            "created_at": .string(d.createdAt.rfc3339), "updated_at": .string(d.updatedAt.rfc3339),
            "delivered_at": .optional(d.deliveredAt?.rfc3339),
        ]
        if let attempts {
            o["payload"] = (try? JSONValue.parse(d.body)) ?? .string(d.body)
            o["attempt_log"] = .array(attempts.map { a in
                .object(["at": .string(a.at.rfc3339), "status_code": a.statusCode.map { .integer(Int64($0)) } ?? .null,
                         "duration_ms": .integer(Int64(a.durationMilliseconds)), "error": .optional(a.error)])
            })
        }
        return .object(o)
    }
}
