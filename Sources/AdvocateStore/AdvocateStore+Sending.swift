import AdvocateCore
import SQLKit

/// A message the mail server has all of but has not yet been told to deliver (the final dot of
/// SMTP DATA is held back until this is committed).
public struct AcceptedMessage: Sendable, Hashable {
    /// The worker's hold on the message's job.
    public var lease: JobLease
    public var invitationID: Int64
    /// 0 for the first message, 1 and 2 for reminders.
    public var message: Int
    public var messageID: String
    /// The invitation's token, carried on to the next reminder's job.
    public var token: String

    public init(lease: JobLease, invitationID: Int64, message: Int, messageID: String, token: String) {
        self.lease = lease
        self.invitationID = invitationID
        self.message = message
        self.messageID = messageID
        self.token = token
    }
}

/// A message waiting for its commit, with what to do the moment it is committed.
struct PendingRelease: Sendable {
    var message: AcceptedMessage
    var release: @Sendable () -> Void
}

/// Why a message of an invitation was not delivered.
public enum SendFailure: Sendable, Hashable {
    /// Worth trying again later (a 4xx reply, the server unreachable): the job is retried at `retryAt`.
    case temporary(error: String, retryAt: Timestamp)
    /// The address refused it for good (a 5xx reply to RCPT TO or to the data): the invitation
    /// bounced and the address is suppressed.
    case bounced(error: String)
    /// Not to be sent (suppressed since scheduling, already answered, no address): the job ends.
    case cancelled(reason: String)
}

extension AdvocateStore {
    /// Commits, before the mail server is told to deliver, that message `message` of an
    /// invitation is sent, and schedules the next reminder. Returns false, committing nothing for
    /// it, when the worker's lease is gone or the message was already sent (by a worker whose
    /// lease ran out): the caller must then not let the server deliver it.
    ///
    /// Concurrent calls share one transaction (group commit).
    ///
    /// `release` (which tells the mail server to deliver) is called for each message the
    /// transaction records, at the instant of its commit (`Database.write(_:atCommit:)`): a crash
    /// between the two would leave a message recorded but never delivered, or delivered but not
    /// recorded, so there is no thread hop, fsync or round trip between them.
    public func commitAccepted(_ message: AcceptedMessage, release: @escaping @Sendable () -> Void = {}) async throws -> Bool {
        try await sendLedger.submit(PendingRelease(message: message, release: release))
    }

    static func commitAccepted(_ messages: [AcceptedMessage], now: Timestamp, in sql: any SQLDatabase) async throws -> [Bool] {
        var results = [Bool](repeating: false, count: messages.count)
        var reminders: [NewJob] = []
        // In job id order, as the lease heartbeat (`extendLeases`) locks them: the same rows
        // taken in two orders deadlock on PostgreSQL.
        for (index, m) in messages.enumerated().sorted(by: { $0.element.lease.jobID < $1.element.lease.jobID }) {
            guard try await finishJob(m.lease, .done, now: now, in: sql) else { continue }
            let row = try await sql.raw("""
                UPDATE invitations SET messages_sent = \(bind: m.message + 1),
                    status = CASE WHEN status = 'scheduled' THEN 'sent' ELSE status END,
                    sent_at = COALESCE(sent_at, \(bind: now.milliseconds)), message_id = \(bind: m.messageID), last_error = NULL,
                    updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: m.invitationID) AND messages_sent = \(bind: m.message) AND status IN ('scheduled', 'sent')
                RETURNING workspace_id, reminders, reminder_days
                """).first()
            guard let row else { continue }
            let workspaceID = try row.decode(column: "workspace_id", as: Int64.self)
            if m.message < min(try row.decode(column: "reminders", as: Int.self), InvitationLimits.maxReminders) {
                let days = try row.decode(column: "reminder_days", as: Int.self)
                reminders.append(invitationMessageJob(workspaceID: workspaceID, invitationID: m.invitationID, token: m.token,
                                                      message: m.message + 1, runAt: now.adding(days: days)))
            }
            results[index] = true
        }
        try await insertJobs(reminders, now: now, in: sql)
        return results
    }

    /// Records that a message committed by `commitAccepted` was then not delivered after all
    /// (the server refused the data or the connection broke before its reply): the message is
    /// un-counted and, when temporary, its job is queued again.
    public func revertAccepted(_ message: AcceptedMessage, failure: SendFailure) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                UPDATE invitations SET messages_sent = \(bind: message.message),
                    status = CASE WHEN \(bind: message.message) = 0 THEN 'scheduled' ELSE status END,
                    sent_at = CASE WHEN \(bind: message.message) = 0 THEN NULL ELSE sent_at END, updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: message.invitationID) AND messages_sent = \(bind: message.message + 1)
                """).run()
            // Take the job back from done so the failure below is recorded like any other.
            try await sql.raw("""
                UPDATE jobs SET state = 'running', lease_owner = \(bind: message.lease.owner), finished_at = NULL
                WHERE id = \(bind: message.lease.jobID) AND state = 'done'
                """).run()
            _ = try await Self.recordFailure(message.lease, invitationID: message.invitationID, message: message.message,
                                         failure, now: now, in: sql)
        }
    }

    /// Records a message that was not sent: the job is retried, ended or dead, and the invitation
    /// says why. Returns false when the lease no longer holds the job.
    @discardableResult
    public func recordSendFailure(_ lease: JobLease, invitationID: Int64, message: Int, _ failure: SendFailure) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            try await Self.recordFailure(lease, invitationID: invitationID, message: message, failure, now: now, in: sql)
        }
    }

    private static func recordFailure(_ lease: JobLease, invitationID: Int64, message: Int, _ failure: SendFailure,
                                      now: Timestamp, in sql: any SQLDatabase) async throws -> Bool {
        let n = now.milliseconds
        switch failure {
        case .temporary(let error, let retryAt):
            guard try await finishJob(lease, .retry(at: retryAt, error: error), now: now, in: sql) else { return false }
            let dead = try await sql.raw("SELECT state FROM jobs WHERE id = \(bind: lease.jobID)").first()?
                .decode(column: "state", as: String.self) == JobState.dead.rawValue
            // Out of attempts: a first message that never went out cancels the invitation.
            let status: SQLQueryString = dead && message == 0 ? "'cancelled'" : "status"
            try await sql.raw("""
                UPDATE invitations SET last_error = \(bind: error), status = \(status), updated_at = \(bind: n) WHERE id = \(bind: invitationID)
                """).run()
        case .bounced(let error):
            guard try await finishJob(lease, .done, now: now, in: sql) else { return false }
            guard let row = try await sql.raw("""
                UPDATE invitations SET status = CASE WHEN \(bind: message) = 0 THEN 'bounced' ELSE status END,
                    last_error = \(bind: error), updated_at = \(bind: n)
                WHERE id = \(bind: invitationID) RETURNING workspace_id, email
                """).first() else { return true }
            if let email = try row.decode(column: "email", as: String?.self) {
                _ = try await suppress(workspaceID: try row.decode(column: "workspace_id", as: Int64.self), email: email,
                                       reason: .bounced, detail: error, now: now, in: sql)
            }
        case .cancelled(let reason):
            guard try await finishJob(lease, .done, now: now, in: sql) else { return false }
            try await sql.raw("""
                UPDATE invitations SET status = CASE WHEN status = 'scheduled' THEN 'cancelled' ELSE status END,
                    last_error = \(bind: reason), updated_at = \(bind: n) WHERE id = \(bind: invitationID)
                """).run()
        }
        return true
    }
}
