import AdvocateCore
import AdvocateStore
import Foundation
import Logging
import Mail

/// Sends the e-mails about people's accounts (job kind `account.email`): password reset links
/// and invitations to a workspace.
///
/// The link's token has to be in the job until the message is out; once it is, the payload is
/// erased in the same statement that marks the job done, so the queue keeps no live link.
/// Delivery is at least once: a crash between the server's acceptance and that statement sends the
/// link again, which for these messages is harmless.
public struct AccountMailer: JobHandler {
    public let kind = AccountEmail.jobKind
    private let store: AdvocateStore
    private let pool: SMTPPool
    private let settings: MailSettings
    private let backoff: Backoff
    private let logger: Logger

    public init(store: AdvocateStore, pool: SMTPPool, settings: MailSettings, backoff: Backoff = .email,
                logger: Logger = Logger(label: "advocate.mail")) {
        self.store = store
        self.pool = pool
        self.settings = settings
        self.backoff = backoff
        self.logger = logger
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard let email = AccountEmail(payload: job.payload), case .string(let to)? = job.payload["to"],
              let recipient = try? MailAddress(address: to) else {
            return .finish(.dead(error: "malformed account e-mail payload"))
        }
        let content = email.content(base: settings.publicURL)
        do {
            let bytes = try MailComposer(settings: settings, clock: store.clock)
                .bytes(of: MailMessage(from: settings.from, to: [recipient], subject: content.subject, text: content.text, html: content.html))
            let result = try await pool.send(bytes, envelope: SMTPEnvelope(sender: settings.from, recipients: [recipient]), beforeDelivery: nil)
            switch result.outcomes.first?.outcome {
            case .delivered?:
                Metrics.shared.increment("advocate_mail_messages_total", ["outcome": "delivered"])
                _ = try await store.finishJobErasingPayload(lease)
                return .recorded
            case .permanentFailure(let code, let text)?:
                return .finish(.dead(error: "\(code) \(text)"))
            case .temporaryFailure(let code, let text)?:
                return .finish(.retry(at: retryTime(job), error: "\(code) \(text)"))
            case nil:
                return .finish(.retry(at: retryTime(job), error: "no outcome"))
            }
        } catch {
            logger.warning("account e-mail job \(job.id): \(String(describing: error))")
            return .finish(.retry(at: retryTime(job), error: String(describing: error)))
        }
    }

    private func retryTime(_ job: Job) -> Timestamp { backoff.retryTime(of: job, now: store.clock.now()) }
}

/// A message made ready for the wire: composed at the store's time and DKIM-signed when configured.
struct MailComposer {
    let settings: MailSettings
    let clock: any AdvocateClock

    func bytes(of message: MailMessage) throws -> [UInt8] {
        let date = Date(timeIntervalSince1970: Double(clock.now().milliseconds) / 1000)
        var random = SystemRandomNumberGenerator()
        let composed = try message.compose(date: date, using: &random)
        return try settings.dkim.map { try $0.sign(composed.bytes, at: date) } ?? composed.bytes
    }
}
