import AdvocateCore
import AdvocateStore
import Crypto
import Foundation
import Logging
import Mail
import NPS

/// Sends the digest e-mails (job kind `digest.run`): every quarter of an hour it looks for users
/// whose digest is due (08:00 in their zone, DigestSchedule), takes each period's one send in the
/// store (a unique key, so a digest goes once per period across restarts and runners), sends it,
/// and queues its next run. A message that fails gives its period back to be tried next run.
public struct DigestMailer: JobHandler {
    public static let jobKind = "digest.run"
    /// How often it looks: a digest arrives within this of 08:00.
    public static let intervalMilliseconds: Int64 = 15 * 60_000

    public let kind = DigestMailer.jobKind
    private let store: AdvocateStore
    private let pool: SMTPPool
    private let settings: MailSettings
    private let logger: Logger

    public init(store: AdvocateStore, pool: SMTPPool, settings: MailSettings, logger: Logger = Logger(label: "advocate.digest")) {
        self.store = store
        self.pool = pool
        self.settings = settings
        self.logger = logger
    }

    /// Queues the first run (at start-up; a waiting run is kept).
    public static func start(store: AdvocateStore) async throws {
        try await store.scheduleRecurringJob(kind: jobKind, at: store.clock.now())
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        let now = store.clock.now()
        do {
            var sent = 0
            for recipient in try await store.digestRecipients() {
                guard let period = DigestSchedule.due(recipient.frequency, zone: recipient.user.timeZone, now: now),
                      // A period due before the user asked for the digest is not sent.
                      DigestSchedule.sendTime(of: period.to.advanced(by: 1), zone: recipient.user.timeZone) >= recipient.since,
                      try await store.claimDigest(userID: recipient.user.id, workspaceID: recipient.workspaceID, period: period.key) else { continue }
                do {
                    try await send(recipient, period: period)
                    sent += 1
                } catch {
                    logger.warning("digest for user \(recipient.user.id) in workspace \(recipient.workspaceID): \(String(describing: error))")
                    try await store.releaseDigest(userID: recipient.user.id, workspaceID: recipient.workspaceID, period: period.key)
                }
            }
            if sent > 0 { logger.info("sent \(sent) digests") }
            try await store.scheduleRecurringJob(kind: kind, at: now.adding(milliseconds: Self.intervalMilliseconds))
            return .finish(.done)
        } catch {
            return .finish(.retry(at: now.adding(milliseconds: Self.intervalMilliseconds), error: "database: \(String(describing: error))"))
        }
    }

    private func send(_ recipient: DigestRecipient, period: DigestSchedule.Period) async throws {
        let report = try await Self.report(store: store, workspaceID: recipient.workspaceID, workspaceName: recipient.workspaceName,
                                           frequency: recipient.frequency, period: period)
        let unsubscribe = "\(settings.publicURL)/digest/unsubscribe/\(DigestUnsubscribeToken.make(userID: recipient.user.id, workspaceID: recipient.workspaceID, secret: recipient.secret))"
        let content = DigestEmail.content(report, base: settings.publicURL, unsubscribeURL: unsubscribe)
        let to = try MailAddress(address: recipient.user.email, displayName: recipient.user.name)
        let message = MailMessage(from: settings.from, to: [to], subject: content.subject, text: content.text, html: content.html,
                                  unsubscribe: .init(uris: [unsubscribe], oneClick: settings.publicURL.lowercased().hasPrefix("https://")))
        let bytes = try MailComposer(settings: settings, clock: store.clock).bytes(of: message)
        let result = try await pool.send(bytes, envelope: SMTPEnvelope(sender: settings.from, recipients: [to]), beforeDelivery: nil)
        guard result.outcomes.first?.outcome == .delivered else {
            throw DigestFailure(description: "the server refused it: \(String(describing: result.outcomes.first?.outcome))")
        }
        Metrics.shared.increment("advocate_mail_messages_total", ["outcome": "delivered"])
    }

    struct DigestFailure: Error, CustomStringConvertible { let description: String }

    /// The figures of every survey of the workspace for a period, against the one before: the
    /// rollup's tallies (by the survey's own days), the invitation funnel, the newest detractors
    /// who commented and the key drivers.
    public static func report(store: AdvocateStore, workspaceID: Int64, workspaceName: String, frequency: DigestFrequency,
                              period: DigestSchedule.Period) async throws -> DigestReport {
        var surveys: [DigestReport.SurveyFigures] = []
        for survey in try await store.surveys(workspaceID: workspaceID, after: nil, limit: 100).items {
            let zone = survey.timeZone
            let from = period.from.start(in: zone), to = period.to.advanced(by: 1).start(in: zone)
            let current = try await store.report(survey: survey, from: period.from, to: period.to, interval: .day, by: nil).summary.tally
            let previous = try await store.report(survey: survey, from: period.previousFrom, to: period.previousTo, interval: .day, by: nil).summary.tally
            let funnel = try await store.surveyFunnel(surveyID: survey.id, from: from, to: to)
            var filter = ResponseFilter()
            filter.surveyID = survey.id
            filter.category = .detractor
            filter.hasComment = true
            filter.from = from
            filter.to = to
            let detractors = try await store.responses(workspaceID: workspaceID, filter: filter, before: nil, limit: DigestEmail.maxDetractors).items
            let drivers = try await store.keyDrivers(workspaceID: workspaceID, surveyID: survey.id, from: period.from, to: period.to, filter: ReportFilter(nil),
                                                     limit: 200_000)
            let reasons = KeyDrivers.topReasons(drivers.drivers, limit: 3)
            surveys.append(DigestReport.SurveyFigures(
                id: survey.id, name: survey.name, tally: current, previous: previous, sent: funnel.sent, answered: funnel.answered,
                commented: drivers.commenters.n,
                detractors: detractors.map { DigestReport.Detractor(responseID: $0.id, score: $0.score.value, comment: $0.comment ?? "") },
                recommend: reasons.recommend.compactMap { drivers.names[$0.theme] },
                dontRecommend: reasons.dontRecommend.compactMap { drivers.names[$0.theme] }))
        }
        return DigestReport(workspaceName: workspaceName, frequency: frequency, period: period, surveys: surveys)
    }
}

/// The digest's one-click unsubscribe token: `{user}.{workspace}.{hex HMAC-SHA256}` under the
/// user's digest secret for that workspace, so it works without signing in, for that one digest only.
public enum DigestUnsubscribeToken {
    public static func make(userID: Int64, workspaceID: Int64, secret: String) -> String {
        "\(userID).\(workspaceID).\(mac(userID: userID, workspaceID: workspaceID, secret: secret))"
    }

    /// The user and workspace a token names (not yet verified: `verify` with their secret).
    public static func parse(_ token: String) -> (userID: Int64, workspaceID: Int64)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 64, let user = Int64(parts[0]), let workspace = Int64(parts[1]) else { return nil }
        return (user, workspace)
    }

    /// Whether the token was made with `secret` (constant time).
    public static func verify(_ token: String, secret: String) -> Bool {
        guard let (user, workspace) = parse(token) else { return false }
        return ConstantTime.equal(make(userID: user, workspaceID: workspace, secret: secret).utf8, token.utf8)
    }

    private static func mac(userID: Int64, workspaceID: Int64, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array("digest-unsubscribe|\(userID)|\(workspaceID)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }
}
