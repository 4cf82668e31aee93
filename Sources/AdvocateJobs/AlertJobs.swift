import AdvocateCore
import AdvocateStore
import AsyncHTTPClient
import Foundation
import Logging
import Mail
import NIOCore
import NIOHTTP1

/// Evaluates a workspace's alert rules for one counted response (job kind `alert.evaluate`),
/// queued by the transaction that counted or changed it. Each rule that matches fires once per
/// response (the store's firing key), so a retried job or a second update never fires twice.
public final class AlertEvaluator: JobHandler {
    public let kind = alertEvaluationJobKind
    private let store: AdvocateStore
    private let logger: Logger

    public init(store: AdvocateStore, logger: Logger = Logger(label: "advocate.alerts")) {
        self.store = store
        self.logger = logger
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .integer(let responseID)? = job.payload["response_id"] else {
            return .finish(.dead(error: "malformed payload: \(job.payload.jsonText)"))
        }
        do {
            guard let context = try await store.alertEvaluationContext(responseID: responseID) else { return .finish(.done) }
            for rule in context.rules where rule.matches(context.subject) {
                if let firing = try await store.fireAlert(rule, context: context) {
                    Metrics.shared.increment("advocate_alerts_fired_total", [:])
                    logger.info("alert rule \(rule.id) fired for response \(responseID)", metadata: ["case": "\(firing.openedCase?.id.description ?? "-")"])
                }
            }
            return .finish(.done)
        } catch {
            var random = SystemRandomNumberGenerator()
            let at = store.clock.now().adding(milliseconds: Backoff.webhook.delay(afterAttempt: job.attempts, using: &random))
            return .finish(.retry(at: at, error: "database: \(String(describing: error))"))
        }
    }
}

/// Posts an alert to a rule's Slack-compatible incoming webhook (job kind `alert.slack`), with
/// the same SSRF policy as webhooks and retries with backoff: only for jobs queued before an
/// upgrade, since rules' Slack posts are now deliveries of a Slack-format webhook endpoint.
public final class AlertSlackPoster: JobHandler {
    public let kind = alertSlackJobKind
    private let store: AdvocateStore
    private let settings: WebhookSettings
    private let client: HTTPClient

    /// Owns an HTTP client until `shutdown()`.
    public init(store: AdvocateStore, settings: WebhookSettings) {
        self.store = store
        self.settings = settings
        self.client = WebhookDeliverer.makeHTTPClient()
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .string(let text)? = job.payload["url"], case .string(let event)? = job.payload["event"] else {
            return .finish(.dead(error: "malformed payload"))
        }
        let url: WebhookURL
        switch WebhookURL.parse(text) {
        case .success(let u): url = u
        case .failure(let problem): return .finish(.dead(error: "invalid Slack URL: \(problem)"))
        }
        if let problem = await settings.problem(with: url) { return .finish(.dead(error: "refused: \(problem)")) }
        var request = HTTPClientRequest(url: url.text)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Advocate-Alerts/1")
        request.body = .bytes(ByteBuffer(string: SlackMessage.body(event: (try? JSONValue.parse(event)) ?? .null, publicURL: settings.publicURL)))
        var random = SystemRandomNumberGenerator()
        let retryAt = store.clock.now().adding(milliseconds: Backoff.webhook.delay(afterAttempt: job.attempts, using: &random))
        do {
            let response = try await client.execute(request, timeout: .init(settings.timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            return (200...299).contains(status) ? .finish(.done) : .finish(.retry(at: retryAt, error: "the Slack endpoint answered \(status)"))
        } catch {
            return .finish(.retry(at: retryAt, error: String(describing: error)))
        }
    }
}

/// Sends the loop's e-mails (job kind `loop.email`): alerts to the team and case replies to
/// respondents, through the invitation sender's SMTP pool. A reply to an address suppressed
/// since it was queued is not sent.
public final class LoopMailer: JobHandler {
    public let kind = loopEmailJobKind
    private let store: AdvocateStore
    private let pool: SMTPPool
    private let settings: MailSettings
    private let logger: Logger

    public init(store: AdvocateStore, pool: SMTPPool, settings: MailSettings, logger: Logger = Logger(label: "advocate.alerts")) {
        self.store = store
        self.pool = pool
        self.settings = settings
        self.logger = logger
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .array(let list)? = job.payload["to"] else { return .finish(.dead(error: "malformed payload")) }
        let subject: String
        let text: String
        if case .string(let event)? = job.payload["alert"] {
            (subject, text) = AlertNotice.email(event: (try? JSONValue.parse(event)) ?? .null, publicURL: settings.publicURL)
        } else if case .string(let s)? = job.payload["subject"], case .string(let t)? = job.payload["text"] {
            (subject, text) = (s, t)
        } else {
            return .finish(.dead(error: "malformed payload"))
        }
        var random = SystemRandomNumberGenerator()
        let retryAt = store.clock.now().adding(milliseconds: Backoff.email.delay(afterAttempt: job.attempts, using: &random))
        do {
            var recipients: [MailAddress] = []
            for case .string(let address) in list {
                if let workspaceID = job.workspaceID, try await store.suppression(workspaceID: workspaceID, email: address) != nil { continue }
                if let a = try? MailAddress(address: address) { recipients.append(a) }
            }
            guard !recipients.isEmpty else { return .finish(.done) }
            var from = settings.from
            if case .string(let name)? = job.payload["from_name"], let named = try? MailAddress(address: settings.from.address, displayName: name) {
                from = named
            }
            let date = Date(timeIntervalSince1970: Double(store.clock.now().milliseconds) / 1000)
            var message = MailMessage(from: from, to: recipients, subject: subject, text: text)
            if case .string(let owner)? = job.payload["reply_to"], let address = try? MailAddress(address: owner) {
                message.extraHeaders.append(try MailHeader(name: "Reply-To", value: address.address))
            }
            let composed = try message.compose(date: date, using: &random)
            let bytes = try settings.dkim.map { try $0.sign(composed.bytes, at: date) } ?? composed.bytes
            let result = try await pool.send(bytes, envelope: SMTPEnvelope(sender: settings.from, recipients: recipients), beforeDelivery: nil)
            if result.outcomes.contains(where: { if case .temporaryFailure = $0.outcome { true } else { false } }) {
                return .finish(.retry(at: retryAt, error: "the SMTP server deferred a recipient"))
            }
            return .finish(.done)
        } catch {
            logger.warning("loop e-mail job \(job.id): \(String(describing: error))")
            return .finish(.retry(at: retryAt, error: String(describing: error)))
        }
    }
}
