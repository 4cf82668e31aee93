import AdvocateCore
import Foundation
import SQLKit

/// The job that sends one webhook delivery.
public let webhookDeliveryJobKind = "webhook.delivery"

/// Something that happened, for the workspace's webhooks: `data` becomes the body's `data`.
struct WebhookEvent: Sendable {
    var workspaceID: Int64
    var type: WebhookEventType
    var data: JSONValue

    /// The survey of the answer a response.* event carries.
    var responseSurveyID: Int64? {
        guard type == .responseCreated || type == .responseUpdated, case .integer(let id)? = data["response"]?["survey_id"] else { return nil }
        return id
    }
}

/// An enabled endpoint and what it subscribes to, as emitting events needs it.
struct WebhookTarget: Sendable {
    var id: Int64
    var events: Set<WebhookEventType>
}

/// Everything a delivery attempt needs: the delivery, its endpoint and the secrets that sign.
public struct WebhookDeliveryContext: Sendable {
    public var delivery: WebhookDelivery
    public var webhook: Webhook
    /// The current secret, then the one before a rotation while it still signs.
    public var secrets: [String]
}

/// Why a delivery could not be replayed.
public enum WebhookReplayRefusal: Error, Sendable, Hashable {
    case notFound
    /// The endpoint is disabled: enable it first.
    case disabled
    /// Attempts are still going on.
    case pending
}

/// What recording an attempt did.
public struct WebhookAttemptRecord: Sendable {
    /// False when the job's lease was lost (another runner owns it now): nothing was recorded.
    public var recorded: Bool
    /// The endpoint, when this attempt was the one that disabled it.
    public var disabled: Webhook?
}

extension AdvocateStore {
    // MARK: - Endpoints

    /// Saves a new endpoint, enabled.
    public func createWebhook(workspaceID: Int64, url: String, events: [WebhookEventType], format: WebhookFormat = .json,
                              secret: String, audit: AuditActor? = nil) async throws -> Webhook {
        let now = clock.now()
        return try await database.write { sql in
            let webhook = try await sql.raw("""
                INSERT INTO webhooks (workspace_id, url, events, format, secret, enabled, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: url), \(bind: Self.encodeEvents(events)), \(bind: format.rawValue), \(bind: secret), 1,
                        \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING *
                """).first().map(Self.decodeWebhook)!
            try await Self.audit(audit, workspaceID: workspaceID, action: "webhook.created", target: ("webhook", String(webhook.id)),
                                 changes: ["url": .string(url), "events": .string(Self.encodeEvents(events)), "format": .string(format.rawValue)],
                                 at: now, in: sql)
            return webhook
        }
    }

    public func webhook(workspaceID: Int64, id: Int64) async throws -> Webhook? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM webhooks WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeWebhook)
        }
    }

    /// The workspace's endpoints, newest first.
    public func webhooks(workspaceID: Int64, before cursor: Int64?, limit: Int) async throws -> Page<Webhook> {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT * FROM webhooks WHERE workspace_id = \(bind: workspaceID) AND id < \(bind: cursor ?? Int64.max)
                ORDER BY id DESC LIMIT \(literal: limit + 1)
                """).all()
            let items = try rows.prefix(limit).map(Self.decodeWebhook)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// Changes what is given. Enabling clears why it was disabled. Nil when the workspace has no such endpoint.
    public func updateWebhook(workspaceID: Int64, id: Int64, url: String?, events: [WebhookEventType]?, format: WebhookFormat? = nil,
                              enabled: Bool?, audit: AuditActor? = nil) async throws -> Webhook? {
        let now = clock.now()
        return try await database.write { sql in
            var set: SQLQueryString = "updated_at = \(bind: now.milliseconds)"
            if let url { set += ", url = \(bind: url)" }
            if let events { set += ", events = \(bind: Self.encodeEvents(events))" }
            if let format { set += ", format = \(bind: format.rawValue)" }
            if let enabled {
                set += enabled ? ", enabled = 1, disabled_reason = NULL, disabled_at = NULL"
                    : ", enabled = 0, disabled_reason = NULL, disabled_at = \(bind: now.milliseconds)"
            }
            guard let webhook = try await sql.raw("""
                UPDATE webhooks SET \(set) WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING *
                """).first().map(Self.decodeWebhook) else { return nil }
            var changes: Properties = [:]
            if let url { changes["url"] = .string(url) }
            if let events { changes["events"] = .string(Self.encodeEvents(events)) }
            if let format { changes["format"] = .string(format.rawValue) }
            if let enabled { changes["enabled"] = .bool(enabled) }
            try await Self.audit(audit, workspaceID: workspaceID, action: "webhook.updated", target: ("webhook", String(id)),
                                 changes: changes, at: now, in: sql)
            return webhook
        }
    }

    /// Replaces the secret; the old one keeps signing (as a second signature) for
    /// `Webhook.rotationOverlapMilliseconds`, so receivers can switch without losing events.
    public func rotateWebhookSecret(workspaceID: Int64, id: Int64, secret: String, audit: AuditActor? = nil) async throws -> Webhook? {
        let now = clock.now()
        return try await database.write { sql in
            guard let webhook = try await sql.raw("""
                UPDATE webhooks SET previous_secret = secret, secret = \(bind: secret),
                    previous_secret_expires_at = \(bind: now.milliseconds + Webhook.rotationOverlapMilliseconds), updated_at = \(bind: now.milliseconds)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) RETURNING *
                """).first().map(Self.decodeWebhook) else { return nil }
            try await Self.audit(audit, workspaceID: workspaceID, action: "webhook.secret_rotated", target: ("webhook", String(id)), at: now, in: sql)
            return webhook
        }
    }

    /// Deletes an endpoint with its deliveries (their jobs then find nothing to send).
    public func deleteWebhook(workspaceID: Int64, id: Int64, audit: AuditActor? = nil) async throws -> Bool {
        try await deleteAudited("webhooks", type: "webhook", column: "url", workspaceID: workspaceID, id: id, audit: audit)
    }

    // MARK: - Deliveries

    /// An endpoint's deliveries, newest first.
    public func webhookDeliveries(workspaceID: Int64, webhookID: Int64, state: WebhookDeliveryState?, before cursor: Int64?,
                                  limit: Int) async throws -> Page<WebhookDelivery> {
        try await database.read { sql in
            let stateFilter: SQLQueryString = state.map { " AND state = \(bind: $0.rawValue)" } ?? ""
            let rows = try await sql.raw("""
                SELECT * FROM webhook_deliveries WHERE webhook_id = \(bind: webhookID) AND workspace_id = \(bind: workspaceID)\(stateFilter)
                AND id < \(bind: cursor ?? Int64.max) ORDER BY id DESC LIMIT \(literal: limit + 1)
                """).all()
            let items = try rows.prefix(limit).map(Self.decodeDelivery)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// One delivery of an endpoint with its attempts, oldest first.
    public func webhookDelivery(workspaceID: Int64, webhookID: Int64, id: Int64) async throws -> (WebhookDelivery, [WebhookAttempt])? {
        try await database.read { sql in
            guard let delivery = try await sql.raw("""
                SELECT * FROM webhook_deliveries WHERE id = \(bind: id) AND webhook_id = \(bind: webhookID) AND workspace_id = \(bind: workspaceID)
                """).first().map(Self.decodeDelivery) else { return nil }
            let attempts = try await sql.raw("SELECT * FROM webhook_attempts WHERE delivery_id = \(bind: id) ORDER BY id").all().map { row in
                WebhookAttempt(at: Timestamp(milliseconds: try row.decode(column: "at", as: Int64.self)),
                               statusCode: try row.decode(column: "status_code", as: Int?.self),
                               durationMilliseconds: try row.decode(column: "duration_ms", as: Int.self),
                               error: try row.decode(column: "error", as: String?.self))
            }
            return (delivery, attempts)
        }
    }

    /// Sends a delivery again (same event id and body, so receivers can deduplicate), due now,
    /// with a fresh 24-hour window of attempts.
    public func replayWebhookDelivery(workspaceID: Int64, webhookID: Int64, id: Int64) async throws -> Result<WebhookDelivery, WebhookReplayRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard let webhook = try await sql.raw("""
                SELECT * FROM webhooks WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: webhookID)
                """).first().map(Self.decodeWebhook) else { return .failure(.notFound) }
            guard let delivery = try await sql.raw("""
                SELECT * FROM webhook_deliveries WHERE id = \(bind: id) AND webhook_id = \(bind: webhookID) AND workspace_id = \(bind: workspaceID)
                """).first().map(Self.decodeDelivery) else { return .failure(.notFound) }
            guard webhook.enabled else { return .failure(.disabled) }
            guard delivery.state != .pending else { return .failure(.pending) }
            let replayed = try await sql.raw("""
                UPDATE webhook_deliveries SET state = 'pending', retry_until = \(bind: now.milliseconds + WebhookDelivery.retryWindowMilliseconds),
                    updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id) RETURNING *
                """).first().map(Self.decodeDelivery)!
            try await Self.insertJobs([Self.deliveryJob(workspaceID: workspaceID, deliveryID: id, now: now)], now: now, in: sql)
            return .success(replayed)
        }
    }

    // MARK: - Sending (the delivery job)

    /// The delivery, its endpoint and signing secrets; nil when the endpoint was deleted.
    public func webhookDeliveryContext(id: Int64) async throws -> WebhookDeliveryContext? {
        let now = clock.now()
        return try await database.read { sql in
            guard let delivery = try await sql.raw("SELECT * FROM webhook_deliveries WHERE id = \(bind: id)").first().map(Self.decodeDelivery),
                  let row = try await sql.raw("SELECT * FROM webhooks WHERE id = \(bind: delivery.webhookID)").first() else { return nil }
            var secrets = [try row.decode(column: "secret", as: String.self)]
            if let previous = try row.decode(column: "previous_secret", as: String?.self),
               let until = try row.decode(column: "previous_secret_expires_at", as: Int64?.self), until > now.milliseconds {
                secrets.append(previous)
            }
            return WebhookDeliveryContext(delivery: delivery, webhook: try Self.decodeWebhook(row), secrets: secrets)
        }
    }

    /// Records an attempt and finishes the job in one transaction: delivered (2xx), to be tried
    /// again at `retryAt`, or, with no `retryAt`, given up, which disables the endpoint (once).
    public func recordWebhookAttempt(_ lease: JobLease, deliveryID: Int64, _ attempt: WebhookAttempt, retryAt: Timestamp?) async throws -> WebhookAttemptRecord {
        let now = clock.now()
        return try await database.write { sql in
            let n = now.milliseconds
            let job: JobResult
            let state: WebhookDeliveryState
            if attempt.succeeded {
                (job, state) = (.done, .delivered)
            } else if let retryAt {
                (job, state) = (.retry(at: retryAt, error: attempt.failureDescription), .pending)
            } else {
                (job, state) = (.dead(error: attempt.failureDescription), .failed)
            }
            guard try await Self.finishJob(lease, job, now: now, in: sql) else { return WebhookAttemptRecord(recorded: false, disabled: nil) }
            try await sql.raw("""
                INSERT INTO webhook_attempts (delivery_id, at, status_code, duration_ms, error)
                VALUES (\(bind: deliveryID), \(bind: attempt.at.milliseconds), \(bind: attempt.statusCode), \(bind: attempt.durationMilliseconds), \(bind: attempt.error))
                """).run()
            let delivered: SQLQueryString = state == .delivered ? ", delivered_at = \(bind: n)" : ""
            guard let row = try await sql.raw("""
                UPDATE webhook_deliveries SET state = \(bind: state.rawValue), attempts = attempts + 1, last_status_code = \(bind: attempt.statusCode),
                    last_duration_ms = \(bind: attempt.durationMilliseconds), last_error = \(bind: attempt.error), updated_at = \(bind: n)\(delivered)
                WHERE id = \(bind: deliveryID) RETURNING webhook_id
                """).first() else { return WebhookAttemptRecord(recorded: true, disabled: nil) }
            guard state == .failed else { return WebhookAttemptRecord(recorded: true, disabled: nil) }
            let reason = "deliveries failed for 24 hours; last: \(attempt.failureDescription)"
            let disabled = try await sql.raw("""
                UPDATE webhooks SET enabled = 0, disabled_reason = \(bind: reason), disabled_at = \(bind: n), updated_at = \(bind: n)
                WHERE id = \(bind: try row.decode(column: "webhook_id", as: Int64.self)) AND enabled = 1 RETURNING *
                """).first().map(Self.decodeWebhook)
            return WebhookAttemptRecord(recorded: true, disabled: disabled)
        }
    }

    /// Closes a delivery whose endpoint is disabled (no attempt is made), finishing its job.
    public func abandonWebhookDelivery(_ lease: JobLease, deliveryID: Int64, reason: String) async throws {
        let now = clock.now()
        try await database.write { sql in
            guard try await Self.finishJob(lease, .done, now: now, in: sql) else { return }
            try await sql.raw("""
                UPDATE webhook_deliveries SET state = 'failed', last_error = \(bind: reason), updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: deliveryID) AND state = 'pending'
                """).run()
        }
    }

    /// Addresses of the workspace's owners and admins (who hear of a disabled endpoint).
    public func adminEmails(workspaceID: Int64) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.workspace_id = \(bind: workspaceID) AND m.role IN (\(binds: [Role.owner.rawValue, Role.admin.rawValue])) ORDER BY u.email
                """).all().map { try $0.decode(column: "email", as: String.self) }
        }
    }

    // MARK: - Emitting events (inside the transaction that made them)

    /// The enabled endpoints of `workspaceIDs`: one indexed read, so a workspace without webhooks
    /// costs its ingest transactions nothing more.
    static func webhookTargets(workspaceIDs: Set<Int64>, in sql: any SQLDatabase) async throws -> [Int64: [WebhookTarget]] {
        guard !workspaceIDs.isEmpty else { return [:] }
        var targets: [Int64: [WebhookTarget]] = [:]
        for row in try await sql.raw("""
            SELECT id, workspace_id, events FROM webhooks WHERE workspace_id IN (\(binds: workspaceIDs.sorted())) AND enabled = 1
            """).all() {
            targets[try row.decode(column: "workspace_id", as: Int64.self), default: []].append(
                WebhookTarget(id: try row.decode(column: "id", as: Int64.self),
                              events: Set(decodeEvents(try row.decode(column: "events", as: String.self)))))
        }
        return targets
    }

    /// The workspace's enabled endpoints when one of them receives `type`; nil when none does
    /// (then the event need not even be built).
    static func webhookTargets(workspaceID: Int64, receiving type: WebhookEventType, in sql: any SQLDatabase) async throws -> [Int64: [WebhookTarget]]? {
        let targets = try await webhookTargets(workspaceIDs: [workspaceID], in: sql)
        return targets[workspaceID, default: []].contains { $0.events.contains(type) } ? targets : nil
    }

    /// Emits `type` for response `id` as this transaction has written it, if an endpoint receives it.
    static func emitResponseEvent(_ type: WebhookEventType, responseID id: Int64, workspaceID: Int64, database: Database, now: Timestamp,
                                  in sql: any SQLDatabase) async throws {
        guard let targets = try await webhookTargets(workspaceID: workspaceID, receiving: type, in: sql),
              let response = try await sql.raw("SELECT * FROM responses WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)")
                .first().map(decodeResponse) else { return }
        var contact: Contact?
        if let contactID = response.contactID {
            contact = try await sql.raw("SELECT * FROM contacts WHERE id = \(bind: contactID)").first().map(decodeContact)
        }
        let event = WebhookEvent(workspaceID: workspaceID, type: type, data: WebhookPayload.responseData(response, contact: contact))
        try await enqueueWebhookEvents([event], targets: targets, database: database, now: now, in: sql)
    }

    /// Writes one delivery and one job per event and subscribed endpoint, in the caller's
    /// transaction: an event exists exactly when what it reports was committed.
    /// An answer to an employee (eNPS) survey emits nothing: the event would carry one person's answer.
    static func enqueueWebhookEvents(_ events: [WebhookEvent], targets: [Int64: [WebhookTarget]], database: Database, now: Timestamp,
                                     in sql: any SQLDatabase) async throws {
        let answered = Set(events.compactMap(\.responseSurveyID))
        let employee = answered.isEmpty ? [] : Set(try await sql.raw("""
            SELECT id FROM surveys WHERE id IN (\(binds: answered.sorted())) AND kind = \(bind: SurveyKind.employee.rawValue)
            """).all().map { try $0.decode(column: "id", as: Int64.self) })
        var rows: [(workspaceID: Int64, webhookID: Int64, eventID: String, type: WebhookEventType, body: String)] = []
        for event in events where !(event.responseSurveyID.map(employee.contains) ?? false) {
            let subscribed = (targets[event.workspaceID] ?? []).filter { $0.events.contains(event.type) }
            guard !subscribed.isEmpty else { continue }
            let eventID = "evt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let body = WebhookPayload.body(eventID: eventID, type: event.type, at: now, data: event.data)
            for target in subscribed { rows.append((event.workspaceID, target.id, eventID, event.type, body)) }
        }
        guard !rows.isEmpty else { return }
        let ids = try await database.reserveIDs("webhook_deliveries", count: rows.count, in: sql)
        let until = now.milliseconds + WebhookDelivery.retryWindowMilliseconds
        for chunk in Array(zip(ids, rows)).chunked(500) {
            try await sql.raw("""
                INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type, body, state, retry_until, created_at, updated_at)
                VALUES \(SQLList(chunk.map { id, r in
                    SQLQueryString("(\(bind: id), \(bind: r.workspaceID), \(bind: r.webhookID), \(bind: r.eventID), \(bind: r.type.rawValue), \(bind: r.body), 'pending', \(bind: until), \(bind: now.milliseconds), \(bind: now.milliseconds))")
                }))
                """).run()
        }
        try await insertJobs(zip(ids, rows).map { deliveryJob(workspaceID: $1.workspaceID, deliveryID: $0, now: now) }, now: now, in: sql)
    }

    /// Attempts are bounded by the delivery's 24-hour window, not by a count.
    static func deliveryJob(workspaceID: Int64, deliveryID: Int64, now: Timestamp) -> NewJob {
        NewJob(workspaceID: workspaceID, kind: webhookDeliveryJobKind, payload: ["delivery_id": .integer(deliveryID)], runAt: now,
               maxAttempts: 10_000)
    }

    // MARK: - Rows

    static func encodeEvents(_ events: [WebhookEventType]) -> String { Set(events).sorted().map(\.rawValue).joined(separator: ",") }

    static func decodeEvents(_ text: String) -> [WebhookEventType] {
        text.split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) }.sorted()
    }

    static func decodeWebhook(_ row: any SQLRow) throws -> Webhook {
        Webhook(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                url: try row.decode(column: "url", as: String.self), events: decodeEvents(try row.decode(column: "events", as: String.self)),
                format: WebhookFormat(rawValue: try row.decode(column: "format", as: String.self)) ?? .json,
                enabled: try row.decode(column: "enabled", as: Int.self) != 0,
                disabledReason: try row.decode(column: "disabled_reason", as: String?.self),
                disabledAt: try row.decode(column: "disabled_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func decodeDelivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
            webhookID: try row.decode(column: "webhook_id", as: Int64.self), eventID: try row.decode(column: "event_id", as: String.self),
            eventType: WebhookEventType(rawValue: try row.decode(column: "event_type", as: String.self)) ?? .responseCreated,
            body: try row.decode(column: "body", as: String.self),
            state: WebhookDeliveryState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self), lastStatusCode: try row.decode(column: "last_status_code", as: Int?.self),
            lastDurationMilliseconds: try row.decode(column: "last_duration_ms", as: Int?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            retryUntil: Timestamp(milliseconds: try row.decode(column: "retry_until", as: Int64.self)),
            createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
            deliveredAt: try row.decode(column: "delivered_at", as: Int64?.self).map(Timestamp.init(milliseconds:)))
    }
}

extension WebhookAttempt {
    /// The attempt's failure in one line, for the job's last error.
    var failureDescription: String {
        if let error { return error }
        return statusCode.map { "HTTP \($0)" } ?? "no answer"
    }
}
