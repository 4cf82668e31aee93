import AdvocateCore
import AdvocateStore
import AsyncHTTPClient
import Foundation
import Logging
import Mail
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// How webhooks are delivered, validated once at start-up.
public struct WebhookSettings: Sendable {
    /// Allows endpoints on loopback, private and link-local networks (`--webhook-allow-private-networks`).
    /// Off by default: otherwise any API token could make the server call its own network (SSRF).
    public var allowPrivateNetworks: Bool
    /// How long one attempt may take, connecting included.
    public var timeout: Duration
    /// Where people reach this server (`--public-url`, no trailing slash): Slack messages link
    /// to the response there; without it they have no link.
    public var publicURL: String?

    public init(allowPrivateNetworks: Bool = false, timeout: Duration = .seconds(10), publicURL: String? = nil) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.timeout = timeout
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Why `url` may not receive webhooks, if it may not: its shape, or (unless private
    /// networks are allowed) an address of the host that is not public. Resolves the host.
    public func problem(with url: WebhookURL) async -> String? {
        guard !allowPrivateNetworks else { return nil }
        let addresses: [[UInt8]]
        do { addresses = try await HostResolver.addresses(of: url.host) } catch { return "\(url.host) does not resolve: \(error)" }
        if let refused = addresses.first(where: { !NetworkAddressPolicy.isPublic($0) }) {
            return "\(url.host) is \(HostResolver.text(refused)), a private, loopback or reserved address; webhooks go to public addresses only (see docs/webhooks.md, \"Private networks\")"
        }
        return nil
    }
}

/// Delivers webhook events (job kind `webhook.delivery`): a signed POST per attempt, again with
/// exponential backoff for 24 hours, then the endpoint is disabled and its admins are told.
///
/// At least once: the attempt is recorded after the answer, so a crash in between sends the
/// event again (receivers deduplicate on `Advocate-Event-Id`).
public final class WebhookDeliverer: JobHandler {
    public let kind = webhookDeliveryJobKind
    private let store: AdvocateStore
    private let client: HTTPClient
    private let settings: WebhookSettings
    private let notice: WebhookDisabledNotice
    private let backoff: Backoff
    private let logger: Logger

    /// Owns an HTTP client until `shutdown()`.
    public init(store: AdvocateStore, settings: WebhookSettings, notice: WebhookDisabledNotice,
                backoff: Backoff = .webhook, logger: Logger = Logger(label: "advocate.webhooks")) {
        self.store = store
        self.client = Self.makeHTTPClient()
        self.settings = settings
        self.notice = notice
        self.backoff = backoff
        self.logger = logger
    }

    /// Closes the HTTP client's connections; call once the job runner has stopped.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// An HTTP client as deliveries need it: redirects are not followed (a 3xx could lead to an
    /// internal address the URL check never saw).
    static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .integer(let deliveryID)? = job.payload["delivery_id"] else {
            return .finish(.dead(error: "malformed payload: \(job.payload.jsonText)"))
        }
        do {
            guard let context = try await store.webhookDeliveryContext(id: deliveryID), context.delivery.state == .pending else {
                return .finish(.done) // deleted with its endpoint, or already settled (a replay's second job)
            }
            guard context.webhook.enabled else {
                try await store.abandonWebhookDelivery(lease, deliveryID: deliveryID, reason: "the endpoint is disabled")
                return .recorded
            }
            let attempt = await send(context)
            var random = SystemRandomNumberGenerator()
            let retryAt = attempt.succeeded ? nil
                : backoff.nextAttempt(afterAttempt: context.delivery.attempts + 1, now: store.clock.now(), until: context.delivery.retryUntil, using: &random)
            let record = try await store.recordWebhookAttempt(lease, deliveryID: deliveryID, attempt, retryAt: retryAt)
            if let disabled = record.disabled { await notice.send(disabled) }
            return .recorded
        } catch {
            var random = SystemRandomNumberGenerator()
            let at = store.clock.now().adding(milliseconds: backoff.delay(afterAttempt: job.attempts, using: &random))
            return .finish(.retry(at: at, error: "database: \(String(describing: error))"))
        }
    }

    /// One signed POST; never throws: every failure is an attempt with an error.
    private func send(_ context: WebhookDeliveryContext) async -> WebhookAttempt {
        let at = store.clock.now()
        let started = ContinuousClock.now
        func elapsed() -> Int {
            let d = ContinuousClock.now - started
            return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        }
        let url: WebhookURL
        switch WebhookURL.parse(context.webhook.url) {
        case .success(let u): url = u
        case .failure(let problem): return WebhookAttempt(at: at, statusCode: nil, durationMilliseconds: 0, error: "invalid URL: \(problem)")
        }
        // Checked again at each attempt: the name may resolve elsewhere now than when it was saved.
        if let problem = await settings.problem(with: url) {
            return WebhookAttempt(at: at, statusCode: nil, durationMilliseconds: elapsed(), error: "refused: \(problem)")
        }
        let timestamp = at.milliseconds / 1000
        let delivery = context.delivery
        // The event is stored once, as JSON; a Slack endpoint gets it rendered as a message.
        let body: String
        switch context.webhook.format {
        case .json: body = delivery.body
        case .slack: body = SlackMessage.body(event: (try? JSONValue.parse(delivery.body)) ?? .null, publicURL: settings.publicURL)
        }
        var request = HTTPClientRequest(url: url.text)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Advocate-Webhooks/1")
        request.headers.add(name: "Advocate-Event-Id", value: delivery.eventID)
        request.headers.add(name: "Advocate-Event-Type", value: delivery.eventType.rawValue)
        request.headers.add(name: "Advocate-Delivery-Id", value: String(delivery.id))
        request.headers.add(name: "Advocate-Timestamp", value: String(timestamp))
        request.headers.add(name: "Advocate-Signature", value: WebhookSignature.header(body: body, timestamp: timestamp, secrets: context.secrets))
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .init(settings.timeout))
            // Read (a little of) the answer so the connection can be reused; its content is not kept.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            let ok = (200...299).contains(status)
            return WebhookAttempt(at: at, statusCode: status, durationMilliseconds: elapsed(),
                                  error: ok ? nil : "the endpoint answered \(status)\(status / 100 == 3 ? " (redirects are not followed)" : "")")
        } catch {
            return WebhookAttempt(at: at, statusCode: nil, durationMilliseconds: elapsed(), error: String(describing: error))
        }
    }
}

/// Tells a workspace's owners and admins that an endpoint was disabled: by e-mail through the
/// invitation sender's SMTP pool when e-mail is configured, else in the log.
public struct WebhookDisabledNotice: Sendable {
    private let store: AdvocateStore
    private let mail: (pool: SMTPPool, settings: MailSettings)?
    private let logger: Logger

    public init(store: AdvocateStore, pool: SMTPPool?, settings: MailSettings?, logger: Logger = Logger(label: "advocate.webhooks")) {
        self.store = store
        if let pool, let settings { mail = (pool, settings) } else { mail = nil }
        self.logger = logger
    }

    func send(_ webhook: Webhook) async {
        let text = """
            Advocate stopped sending events to \(webhook.url) (webhook \(webhook.id)): \(webhook.disabledReason ?? "it kept failing").

            Fix the endpoint, then enable it again (PATCH /api/v1/webhooks/\(webhook.id) with {"enabled": true}) and replay \
            the failed deliveries (GET /api/v1/webhooks/\(webhook.id)/deliveries?state=failed).
            """
        logger.warning("webhook \(webhook.id) disabled: \(webhook.disabledReason ?? "")")
        guard let mail else { return }
        do {
            let recipients = try await store.adminEmails(workspaceID: webhook.workspaceID).compactMap { try? MailAddress(address: $0) }
            guard !recipients.isEmpty else { return }
            let message = MailMessage(from: mail.settings.from, to: recipients, subject: "Webhook disabled: \(webhook.url)", text: text)
            let date = Date(timeIntervalSince1970: Double(store.clock.now().milliseconds) / 1000)
            var random = SystemRandomNumberGenerator()
            let composed = try message.compose(date: date, using: &random)
            let bytes = try mail.settings.dkim.map { try $0.sign(composed.bytes, at: date) } ?? composed.bytes
            _ = try await mail.pool.send(bytes, envelope: SMTPEnvelope(sender: mail.settings.from, recipients: recipients), beforeDelivery: nil)
        } catch {
            logger.error("could not e-mail the admins that webhook \(webhook.id) was disabled: \(String(describing: error))")
        }
    }
}

/// Looks host names up with the system resolver (off the cooperative pool: getaddrinfo blocks).
enum HostResolver {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Every IPv4 and IPv6 address of `host` (an address literal is its own answer).
    static func addresses(of host: String) async throws -> [[UInt8]] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, nil, &hints, &list)
                guard status == 0 else {
                    continuation.resume(throwing: Failure(description: String(cString: gai_strerror(status))))
                    return
                }
                defer { freeaddrinfo(list) }
                var result: [[UInt8]] = []
                var next = list
                while let entry = next {
                    if let address = entry.pointee.ai_addr {
                        switch Int32(address.pointee.sa_family) {
                        case AF_INET:
                            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                                result.append(withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) })
                            }
                        case AF_INET6:
                            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                                result.append(withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) })
                            }
                        default: break
                        }
                    }
                    next = entry.pointee.ai_next
                }
                if result.isEmpty {
                    continuation.resume(throwing: Failure(description: "no address"))
                } else {
                    continuation.resume(returning: result)
                }
            }
        }
    }

    /// An address as text, for messages.
    static func text(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
