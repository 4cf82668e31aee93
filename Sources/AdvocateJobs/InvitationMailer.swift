import AdvocateCore
import AdvocateStore
import Foundation
import Logging
import Mail
import Synchronization

/// Sends the messages of e-mail invitations (job kind `invitation.email`), exactly once each.
///
/// The order of events is what makes a crash harmless: the server gets the whole message but
/// not the final dot of DATA; then "sent" is committed (with the job's lease checked); only then
/// does the dot go out. A crash before the commit leaves the server with an unterminated message,
/// which it discards, and the job is claimed again; a crash after it leaves the message recorded
/// as sent. The one remaining window, between the commit and the dot reaching the socket, is
/// microseconds long and errs towards not sending twice.
public final class InvitationMailer: JobHandler {
    public let kind = invitationEmailJobKind
    private let store: AdvocateStore
    private let pool: SMTPPool
    private let settings: MailSettings
    private let backoff: Backoff
    private let logger: Logger
    /// Contexts read for the current batch by `prepare`, taken (once) by `perform`.
    private let prepared = Mutex<[Int64: InvitationSendContext]>([:])

    public init(store: AdvocateStore, pool: SMTPPool, settings: MailSettings, backoff: Backoff = .email,
                logger: Logger = Logger(label: "advocate.mail")) {
        self.store = store
        self.pool = pool
        self.settings = settings
        self.backoff = backoff
        self.logger = logger
    }

    public func prepare(_ jobs: [Job]) async {
        let ids = jobs.compactMap { job -> Int64? in if case .integer(let id)? = job.payload["invitation_id"] { id } else { nil } }
        guard let contexts = try? await store.invitationSendContexts(ids: ids) else { return }
        prepared.withLock { $0.merge(contexts) { _, new in new } }
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .integer(let invitationID)? = job.payload["invitation_id"], case .string(let token)? = job.payload["token"],
              case .integer(let messageNumber)? = job.payload["message"] else {
            return .finish(.dead(error: "malformed payload: \(job.payload.jsonText)"))
        }
        let message = Int(messageNumber)
        do {
            // Read for the batch just before; a job of the batch whose invitation was missing
            // then, or one claimed alone, reads now.
            var context = prepared.withLock { $0.removeValue(forKey: invitationID) }
            if context == nil { context = try await store.invitationSendContext(id: invitationID) }
            guard let context else {
                return .finish(.done) // the contact or survey was deleted
            }
            if let reason = Self.reasonNotToSend(context, message: message) {
                if context.invitation.messagesSent != message && context.invitation.status == .sent {
                    return .finish(.done) // this message went out already (a duplicate job)
                }
                try await store.recordSendFailure(lease, invitationID: invitationID, message: message, .cancelled(reason: reason))
                return .recorded
            }
            return try await send(context, token: token, message: message, job: job, lease: lease)
        } catch {
            logger.warning("invitation job \(job.id): database: \(String(reflecting: error))")
            return .finish(.retry(at: retryTime(job), error: "database: \(String(describing: error))"))
        }
    }

    /// Why message `message` must not go out now, if it must not.
    static func reasonNotToSend(_ context: InvitationSendContext, message: Int) -> String? {
        let invitation = context.invitation
        switch invitation.status {
        case .bounced: return "the address bounced"
        case .cancelled: return "the invitation was cancelled"
        case .answered: return "the contact answered"
        case .scheduled, .sent: break
        }
        if invitation.messagesSent != message { return "message \(message) is not the next one (\(invitation.messagesSent) sent)" }
        if let s = context.suppression { return "\(s.email) is suppressed (\(s.reason.rawValue))" }
        if invitation.email == nil { return "no e-mail address" }
        if context.answered { return "the contact answered" }
        return nil
    }

    private func retryTime(_ job: Job) -> Timestamp { backoff.retryTime(of: job, now: store.clock.now()) }

    private func send(_ context: InvitationSendContext, token: String, message: Int, job: Job, lease: JobLease) async throws -> JobHandlerResult {
        let invitationID = context.invitation.id
        let composed: ComposedMessage
        let bytes: [UInt8]
        let recipient: MailAddress
        do {
            recipient = try MailAddress(address: context.invitation.email ?? "", displayName: context.contact.name)
            (composed, bytes) = try compose(context, token: token, message: message, to: recipient)
        } catch {
            // The address or the content cannot be sent at all: no retry will help.
            try await store.recordSendFailure(lease, invitationID: invitationID, message: message,
                                              .cancelled(reason: "cannot compose the message: \(error)"))
            return .recorded
        }
        let accepted = AcceptedMessage(lease: lease, invitationID: invitationID, message: message,
                                       messageID: composed.messageID, token: token)
        let commit = Mutex<CommitState>(.notAsked)
        let store = self.store
        let result: SMTPSendResult
        do {
            result = try await pool.send(bytes, envelope: SMTPEnvelope(sender: settings.from, recipients: [recipient])) { outcomes, deliver in
                guard outcomes.first == .delivered else { return false }
                do {
                    let ok = try await store.commitAccepted(accepted, release: deliver)
                    commit.withLock { $0 = ok ? .committed : .refused }
                    return ok
                } catch {
                    self.logger.warning("invitation \(invitationID): recording the send failed: \(String(reflecting: error))")
                    commit.withLock { $0 = .failed(String(describing: error)) }
                    return false
                }
            }
        } catch {
            switch commit.withLock({ $0 }) {
            case .committed:
                // The dot was sent with the commit and the reply was lost: the server most likely
                // delivered it. Counting it as sent risks one lost message; resending risks a
                // duplicate in the customer's inbox, which is worse.
                logger.warning("invitation \(invitationID): connection lost after the message was committed: \(error)")
                return .recorded
            case .refused:
                return .recorded // another worker holds the job, or the message was sent already
            case .failed(let reason):
                return .finish(.retry(at: retryTime(job), error: "database: \(reason)"))
            case .notAsked:
                return try await recordFailure(of: error, context, message: message, job: job, lease: lease)
            }
        }
        let outcome = result.outcomes.first?.outcome ?? .temporaryFailure(code: 0, text: "no outcome")
        let committed = commit.withLock { $0 } == .committed
        switch outcome {
        case .delivered:
            Metrics.shared.increment("advocate_mail_messages_total", ["outcome": "delivered"])
            return .recorded
        case .temporaryFailure(let code, let text):
            Metrics.shared.increment("advocate_mail_messages_total", ["outcome": "deferred"])
            let failure = SendFailure.temporary(error: "\(code) \(text)", retryAt: retryTime(job))
            if committed { try await store.revertAccepted(accepted, failure: failure) } else {
                try await store.recordSendFailure(lease, invitationID: invitationID, message: message, failure)
            }
        case .permanentFailure(let code, let text):
            Metrics.shared.increment("advocate_mail_messages_total", ["outcome": "bounced"])
            let failure = SendFailure.bounced(error: "\(code) \(text)")
            if committed { try await store.revertAccepted(accepted, failure: failure) } else {
                try await store.recordSendFailure(lease, invitationID: invitationID, message: message, failure)
            }
        }
        return .recorded
    }

    private enum CommitState: Sendable, Equatable {
        case notAsked, committed, refused, failed(String)
    }

    private func recordFailure(of error: any Error, _ context: InvitationSendContext, message: Int, job: Job,
                               lease: JobLease) async throws -> JobHandlerResult {
        let description = String(describing: error)
        if let smtp = error as? SMTPError {
            switch smtp {
            case .smtpUTF8NotOffered, .eightBitMIMENotOffered, .messageTooLarge, .lineTooLong:
                // This message can never pass this server.
                try await store.recordSendFailure(lease, invitationID: context.invitation.id, message: message,
                                                  .cancelled(reason: description))
                return .recorded
            default:
                break
            }
        }
        // Unreachable server, timeouts, refused credentials: a person may fix it; try again
        // later, and after the last attempt the job is dead and visible in the API.
        logger.warning("invitation \(context.invitation.id): \(description)")
        try await store.recordSendFailure(lease, invitationID: context.invitation.id, message: message,
                                          .temporary(error: description, retryAt: retryTime(job)))
        return .recorded
    }

    /// The message, composed and signed.
    func compose(_ context: InvitationSendContext, token: String, message: Int, to recipient: MailAddress) throws -> (ComposedMessage, [UInt8]) {
        let catalog = Catalog.best(for: [context.invitation.locale, context.contact.locale, context.survey.defaultLocale])
        let base = settings.publicURL
        let unsubscribeURL = "\(base)/u/\(token)"
        let content = InvitationEmail.Content(
            productName: context.invitation.productName ?? context.survey.productName, contactName: context.contact.name, message: message,
            scaleStyle: context.survey.settings.scaleStyle, brandColor: context.survey.settings.brandColor,
            subjectOverride: context.variant?.subject, introOverride: context.variant?.intro,
            scoreURL: { "\(base)/r/\(token)/\($0)" }, unsubscribeURL: unsubscribeURL,
            openPixelURL: context.trackOpens ? "\(base)/o/\(token)" : nil)
        let email = InvitationEmail(content, catalog: catalog)
        let mail = MailMessage(from: settings.from, to: [recipient], subject: email.subject, text: email.text, html: email.html,
                               // RFC 8058 one-click needs https; a plain-http public URL (local testing)
                               // still gets List-Unsubscribe with the page link.
                               unsubscribe: .init(uris: [unsubscribeURL], oneClick: base.lowercased().hasPrefix("https://")))
        let now = store.clock.now()
        let date = Date(timeIntervalSince1970: Double(now.milliseconds) / 1000)
        var random = SystemRandomNumberGenerator()
        let composed = try mail.compose(date: date, using: &random)
        let bytes = try settings.dkim.map { try $0.sign(composed.bytes, at: date) } ?? composed.bytes
        return (composed, bytes)
    }
}
