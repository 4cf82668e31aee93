/// What happened in a workspace that a webhook endpoint can subscribe to.
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Comparable {
    /// A response was counted for the first time (never a flagged scanner hit or a provisional one-click score).
    case responseCreated = "response.created"
    /// A counted response changed (a later answer in its round, a comment added on the page).
    case responseUpdated = "response.updated"
    /// A person unsubscribed from surveys.
    case contactUnsubscribed = "contact.unsubscribed"
    /// An alert rule fired for a response (rules whose actions include webhooks).
    case alertFired = "alert.fired"
    /// A rule opened a follow-up case.
    case caseCreated = "case.created"
    /// A case changed: status, outcome, owner, due date, a note or a reply.
    case caseUpdated = "case.updated"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What an endpoint is sent.
public enum WebhookFormat: String, Sendable, Hashable, CaseIterable {
    /// The versioned event body (`WebhookPayload`).
    case json
    /// A Slack-compatible incoming-webhook message (`SlackMessage`).
    case slack
}

/// A URL of the customer's that receives signed events.
public struct Webhook: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var url: String
    /// The events it receives, sorted.
    public var events: [WebhookEventType]
    public var format: WebhookFormat
    /// False after persistent failure (or when its owner paused it): nothing is sent to it.
    public var enabled: Bool
    /// Why it was disabled automatically, if it was.
    public var disabledReason: String?
    public var disabledAt: Timestamp?
    /// Until when the secret before the last rotation still signs (receivers switch over meanwhile).
    public var previousSecretExpiresAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: Int64, workspaceID: Int64, url: String, events: [WebhookEventType], format: WebhookFormat, enabled: Bool,
                disabledReason: String?, disabledAt: Timestamp?, previousSecretExpiresAt: Timestamp?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.url = url
        self.events = events
        self.format = format
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.disabledAt = disabledAt
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Longest URL accepted.
    public static let maxURLCharacters = 2_000
    /// How long the secret replaced by a rotation keeps signing alongside the new one.
    public static let rotationOverlapMilliseconds: Int64 = 24 * 3_600_000
}

/// Where one event to one endpoint stands.
public enum WebhookDeliveryState: String, Sendable, Hashable, CaseIterable {
    /// Not delivered yet; attempts continue.
    case pending
    /// The endpoint answered 2xx.
    case delivered
    /// Given up: 24 hours of failed attempts, or the endpoint was disabled.
    case failed
}

/// One event sent (or to be sent) to one endpoint, with the exact body it is signed over.
public struct WebhookDelivery: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var webhookID: Int64
    /// The same for every endpoint that receives the event: receivers deduplicate on it.
    public var eventID: String
    public var eventType: WebhookEventType
    public var body: String
    public var state: WebhookDeliveryState
    public var attempts: Int
    /// The last attempt's HTTP status, duration and error.
    public var lastStatusCode: Int?
    public var lastDurationMilliseconds: Int?
    public var lastError: String?
    /// Attempts stop after this (24 hours after the event, or after a manual replay).
    public var retryUntil: Timestamp
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var deliveredAt: Timestamp?

    public init(id: Int64, workspaceID: Int64, webhookID: Int64, eventID: String, eventType: WebhookEventType, body: String,
                state: WebhookDeliveryState, attempts: Int, lastStatusCode: Int?, lastDurationMilliseconds: Int?, lastError: String?,
                retryUntil: Timestamp, createdAt: Timestamp, updatedAt: Timestamp, deliveredAt: Timestamp?) {
        self.id = id
        self.workspaceID = workspaceID
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.body = body
        self.state = state
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastDurationMilliseconds = lastDurationMilliseconds
        self.lastError = lastError
        self.retryUntil = retryUntil
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deliveredAt = deliveredAt
    }

    /// How long attempts continue after an event (or a replay).
    public static let retryWindowMilliseconds: Int64 = 24 * 3_600_000
}

/// One try at delivering: what the endpoint answered, or why there was no answer.
public struct WebhookAttempt: Sendable, Hashable {
    public var at: Timestamp
    public var statusCode: Int?
    public var durationMilliseconds: Int
    public var error: String?

    public init(at: Timestamp, statusCode: Int?, durationMilliseconds: Int, error: String?) {
        self.at = at
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.error = error
    }

    /// Only a 2xx answer delivers; a redirect is not followed (it could point anywhere, SSRF).
    public var succeeded: Bool { statusCode.map { (200...299).contains($0) } ?? false }
}
