import AdvocateCore
import SQLKit

/// Who to invite: a contact by external id, or by e-mail address (made a contact if new).
public enum InvitationTarget: Sendable, Hashable {
    case externalID(String)
    case email(String)
}

/// How to invite: the same for every contact of one request.
public struct InvitationOptions: Sendable, Hashable {
    public var channel: Channel
    /// When the first message is due (now or later).
    public var sendAt: Timestamp
    /// Reminders to non-respondents (0…2).
    public var reminders: Int
    /// Days between messages.
    public var reminderDays: Int
    /// The per-contact throttle in days (0: off).
    public var throttleDays: Int
    public var campaignID: Int64?
    /// Asks about this product instead of the survey's (see `Invitation.productName`).
    public var productName: String?

    public init(channel: Channel = .email, sendAt: Timestamp, reminders: Int = 0,
                reminderDays: Int = InvitationLimits.defaultReminderDays,
                throttleDays: Int = InvitationLimits.defaultThrottleDays, campaignID: Int64? = nil, productName: String? = nil) {
        self.productName = productName
        self.channel = channel
        self.sendAt = sendAt
        self.reminders = reminders
        self.reminderDays = reminderDays
        self.throttleDays = throttleDays
        self.campaignID = campaignID
    }
}

/// What became of one target of an invitations request.
public enum InvitationDecision: Sendable, Hashable {
    case invited(Invitation, contact: Contact)
    case skipped(InvitationSkipReason, contact: Contact?, detail: String)
}

/// A secret for an invitation's links and its hash (the only form stored).
public struct InvitationTokenPair: Sendable, Hashable {
    public var token: String
    public var hash: String
    public init(token: String, hash: String) {
        self.token = token
        self.hash = hash
    }
}

/// Everything needed to send one message of an invitation, read just before sending.
public struct InvitationSendContext: Sendable {
    public var invitation: Invitation
    public var survey: Survey
    public var contact: Contact
    /// The suppression of the invitation's address, if it has one now.
    public var suppression: Suppression?
    /// Whether the contact has answered the survey since the invitation was made.
    public var answered: Bool
    /// The campaign's A/B variant of the message, if the invitation has one.
    public var variant: CampaignVariant?
    /// Whether the campaign tracks opens.
    public var trackOpens: Bool = false
}

/// The kind of the job that sends one message of an e-mail invitation.
public let invitationEmailJobKind = "invitation.email"

extension AdvocateStore {
    /// Invites contacts to a survey: each target is resolved to a contact, checked against the
    /// suppression list and the throttle, and either gets an invitation with a job for its first
    /// message or a reason for being skipped. One transaction: all of it or nothing.
    ///
    /// - Returns: one decision per target, in order; nil when the survey is not in the workspace.
    public func createInvitations(workspaceID: Int64, surveyID: Int64, targets: [InvitationTarget], options: InvitationOptions,
                                  makeToken: @escaping @Sendable () -> InvitationTokenPair) async throws -> [InvitationDecision]? {
        let now = clock.now()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await database.write { sql in
                    guard try await Self.survey(workspaceID: workspaceID, id: surveyID, in: sql) != nil else { return nil }
                    return try await Self.invite(workspaceID: workspaceID, surveyID: surveyID, targets: targets, options: options,
                                                 makeToken: makeToken, now: now, in: sql)
                }
            } catch where attempt < Database.ingestAttempts && Database.isTransient(error) {
                // Another writer created one of the same new contacts first; the retry finds it.
                continue
            }
        }
    }

    static func invite(workspaceID: Int64, surveyID: Int64, targets: [InvitationTarget], options: InvitationOptions,
                               makeToken: @Sendable () -> InvitationTokenPair, now: Timestamp,
                               in sql: any SQLDatabase) async throws -> [InvitationDecision] {
        // Resolve every target to a contact.
        var byExternalID: [String: Contact] = [:]
        var byEmail: [String: Contact] = [:]
        let externalIDs = targets.compactMap { if case .externalID(let id) = $0 { id } else { nil } }
        let emails = targets.compactMap { if case .email(let e) = $0 { e } else { nil } }
        for chunk in Array(Set(externalIDs)).chunked(500) {
            for row in try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND external_id IN (\(binds: Array(chunk)))").all() {
                let c = try decodeContact(row)
                byExternalID[c.externalID!] = c
            }
        }
        for chunk in Array(Set(emails)).chunked(500) {
            for row in try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND email IN (\(binds: Array(chunk)))").all() {
                let c = try decodeContact(row)
                byEmail[c.email!] = c
            }
        }
        let newEmails = Set(emails).filter { byEmail[$0] == nil }.sorted()
        for chunk in newEmails.chunked(500) {
            for row in try await sql.raw("""
                INSERT INTO contacts (workspace_id, email, properties, created_at, updated_at)
                VALUES \(SQLList(chunk.map { SQLQueryString("(\(bind: workspaceID), \(bind: $0), '{}', \(bind: now.milliseconds), \(bind: now.milliseconds))") }))
                RETURNING id, email
                """).all() {
                let email = try row.decode(column: "email", as: String.self)
                byEmail[email] = Contact(id: try row.decode(column: "id", as: Int64.self), workspaceID: workspaceID, externalID: nil,
                                         email: email, name: nil, locale: nil, timeZone: nil, properties: [:], createdAt: now, updatedAt: now)
            }
        }
        let contacts: [Contact?] = targets.map { target in
            switch target {
            case .externalID(let id): return byExternalID[id]
            case .email(let e): return byEmail[e]
            }
        }

        // What stands in the way: suppressions and recent invitations or answers.
        let known = contacts.compactMap { $0 }
        let suppressed = try await suppressions(workspaceID: workspaceID, emails: Set(known.compactMap(\.email)), in: sql)
        let recent = options.throttleDays > 0
            ? try await lastContactTimes(ids: Set(known.map(\.id)), in: sql) : [:]
        let throttleMilliseconds = Int64(options.throttleDays) * Timestamp.millisecondsPerDay

        var decisions: [InvitationDecision] = []
        var seen: Set<Int64> = []
        var invitations: [(Invitation, InvitationTokenPair)] = []
        for (target, contact) in zip(targets, contacts) {
            guard let contact else {
                guard case .externalID(let id) = target else { continue }
                decisions.append(.skipped(.unknownContact, contact: nil, detail: "no contact has external_id \"\(id)\""))
                continue
            }
            guard seen.insert(contact.id).inserted else {
                decisions.append(.skipped(.duplicate, contact: contact, detail: "this contact appears earlier in the request"))
                continue
            }
            guard let email = contact.email else {
                decisions.append(.skipped(.noEmail, contact: contact, detail: "the contact has no e-mail address"))
                continue
            }
            if let s = suppressed[email] {
                decisions.append(.skipped(.suppressed, contact: contact, detail: "\(email) is suppressed (\(s.reason.rawValue))"))
                continue
            }
            if let last = recent[contact.id], options.sendAt.milliseconds - last.milliseconds < throttleMilliseconds,
               last.milliseconds - options.sendAt.milliseconds < throttleMilliseconds {
                let until = last.adding(milliseconds: throttleMilliseconds)
                decisions.append(.skipped(.throttled, contact: contact,
                                          detail: "invited or answered on \(last.rfc3339); the \(options.throttleDays)-day throttle lasts until \(until.rfc3339)"))
                continue
            }
            let token = makeToken()
            let invitation = Invitation(id: 0, workspaceID: workspaceID, surveyID: surveyID, contactID: contact.id,
                                        campaignID: options.campaignID, channel: options.channel, email: email, locale: contact.locale,
                                        status: .scheduled, sendAt: options.sendAt, reminders: options.reminders,
                                        reminderDays: options.reminderDays, createdAt: now, updatedAt: now,
                                        productName: options.productName)
            invitations.append((invitation, token))
            decisions.append(.invited(invitation, contact: contact))
        }

        let ids = try await insertInvitations(invitations, now: now, in: sql)
        var next = ids.makeIterator()
        return decisions.map { decision in
            guard case .invited(var invitation, let contact) = decision else { return decision }
            invitation.id = next.next()!
            return .invited(invitation, contact: contact)
        }
    }

    /// The job that sends message `message` (0: the first, 1 and 2: reminders) of an invitation.
    /// The token rides in the payload because only its hash is stored with the invitation.
    static func invitationMessageJob(workspaceID: Int64, invitationID: Int64, token: String, message: Int, runAt: Timestamp) -> NewJob {
        NewJob(workspaceID: workspaceID, kind: invitationEmailJobKind,
               payload: ["invitation_id": .integer(invitationID), "token": .string(token), "message": .integer(Int64(message))],
               runAt: runAt, maxAttempts: 12)
    }

    /// Writes invitations and the jobs of their first messages; returns their ids in order.
    static func insertInvitations(_ invitations: [(Invitation, InvitationTokenPair)], now: Timestamp,
                                  in sql: any SQLDatabase) async throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(invitations.count)
        for chunk in invitations.chunked(300) {
            let rows = try await sql.raw("""
                INSERT INTO invitations (workspace_id, survey_id, contact_id, campaign_id, variant, channel, token_hash, email, locale,
                    status, send_at, reminders, reminder_days, product_name, created_at, updated_at)
                VALUES \(SQLList(chunk.map { (i, t) in SQLQueryString("""
                    (\(bind: i.workspaceID), \(bind: i.surveyID), \(bind: i.contactID), \(bind: i.campaignID), \(bind: i.variant),
                     \(bind: i.channel.rawValue), \(bind: t.hash), \(bind: i.email), \(bind: i.locale), 'scheduled',
                     \(bind: i.sendAt.milliseconds), \(bind: i.reminders), \(bind: i.reminderDays), \(bind: i.productName),
                     \(bind: now.milliseconds), \(bind: now.milliseconds))
                    """) }))
                RETURNING id, token_hash
                """).all()
            // RETURNING's row order is not promised: match ids by the (unique) token hash.
            var idByHash: [String: Int64] = [:]
            for row in rows { idByHash[try row.decode(column: "token_hash", as: String.self)] = try row.decode(column: "id", as: Int64.self) }
            ids.append(contentsOf: chunk.map { idByHash[$0.1.hash]! })
        }
        for chunk in Array(zip(invitations, ids)).chunked(2_000) {
            try await insertJobs(chunk.map { pair, id in
                invitationMessageJob(workspaceID: pair.0.workspaceID, invitationID: id, token: pair.1.token, message: 0, runAt: pair.0.sendAt)
            }, now: now, in: sql)
        }
        return ids
    }

    /// For each contact, the latest time it was invited (sent or scheduled) or answered.
    static func lastContactTimes(ids: Set<Int64>, in sql: any SQLDatabase) async throws -> [Int64: Timestamp] {
        var result: [Int64: Timestamp] = [:]
        func note(_ id: Int64, _ ms: Int64?) {
            guard let ms else { return }
            if let current = result[id], current.milliseconds >= ms { return }
            result[id] = Timestamp(milliseconds: ms)
        }
        for chunk in Array(ids).chunked(500) {
            for row in try await sql.raw("""
                SELECT contact_id, MAX(COALESCE(sent_at, send_at)) AS t FROM invitations
                WHERE contact_id IN (\(binds: Array(chunk))) AND status IN ('scheduled', 'sent', 'answered') GROUP BY contact_id
                """).all() {
                note(try row.decode(column: "contact_id", as: Int64.self), try row.decode(column: "t", as: Int64?.self))
            }
            for row in try await sql.raw("""
                SELECT contact_id, MAX(created_at) AS t FROM responses WHERE contact_id IN (\(binds: Array(chunk))) AND status <> 'flagged' GROUP BY contact_id
                """).all() {
                note(try row.decode(column: "contact_id", as: Int64.self), try row.decode(column: "t", as: Int64?.self))
            }
        }
        return result
    }

    /// An invitation of the workspace.
    public func invitation(workspaceID: Int64, id: Int64) async throws -> Invitation? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM invitations WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeInvitation)
        }
    }

    /// The invitation whose token hashes to `tokenHash` (a link in a message).
    public func invitation(tokenHash: String) async throws -> Invitation? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM invitations WHERE token_hash = \(bind: tokenHash)").first().map(Self.decodeInvitation)
        }
    }

    /// The workspace's invitations to a survey (or all), newest first.
    public func invitations(workspaceID: Int64, surveyID: Int64?, before cursor: Int64?, limit: Int) async throws -> Page<Invitation> {
        try await database.read { sql in
            let surveyFilter: SQLQueryString = surveyID.map { " AND survey_id = \(bind: $0)" } ?? ""
            let rows = try await sql.raw("""
                SELECT * FROM invitations WHERE workspace_id = \(bind: workspaceID)\(surveyFilter) AND id < \(bind: cursor ?? Int64.max)
                ORDER BY id DESC LIMIT \(literal: limit + 1)
                """).all()
            let items = try rows.prefix(limit).map(Self.decodeInvitation)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// What sending a message of invitation `id` needs, read fresh; nil when it no longer exists
    /// (its contact or survey was deleted).
    public func invitationSendContext(id: Int64) async throws -> InvitationSendContext? {
        try await invitationSendContexts(ids: [id])[id]
    }

    /// `invitationSendContext` for many invitations at once: five queries per 500 invitations
    /// instead of five per message, which is most of the database work of sending.
    public func invitationSendContexts(ids: [Int64]) async throws -> [Int64: InvitationSendContext] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { sql in
            var result: [Int64: InvitationSendContext] = [:]
            for chunk in Array(Set(ids)).chunked(500) {
                let invitations = try await sql.raw("SELECT * FROM invitations WHERE id IN (\(binds: Array(chunk)))").all().map(Self.decodeInvitation)
                guard !invitations.isEmpty else { continue }
                var surveys: [Int64: Survey] = [:]
                for row in try await sql.raw("SELECT * FROM surveys WHERE id IN (\(binds: Array(Set(invitations.map(\.surveyID)))))").all() {
                    let survey = try Self.decodeSurvey(row)
                    surveys[survey.id] = survey
                }
                var contacts: [Int64: Contact] = [:]
                for row in try await sql.raw("SELECT * FROM contacts WHERE id IN (\(binds: Array(Set(invitations.map(\.contactID)))))").all() {
                    let contact = try Self.decodeContact(row)
                    contacts[contact.id] = contact
                }
                var suppressed: [Int64: [String: Suppression]] = [:]
                for (workspaceID, group) in Dictionary(grouping: invitations, by: \.workspaceID) {
                    suppressed[workspaceID] = try await Self.suppressions(workspaceID: workspaceID, emails: Set(group.compactMap(\.email)), in: sql)
                }
                // Answered since invited: through this invitation, or to the same survey by any channel
                // (a scanner's flagged hit is no answer).
                // Two joins, not one with OR: each uses its index (responses_invitation,
                // responses_contact), where an OR join scans the responses table.
                var answered: Set<Int64> = []
                for row in try await sql.raw("""
                    SELECT i.id AS id FROM invitations i JOIN responses r ON r.invitation_id = i.id AND r.status <> 'flagged'
                    WHERE i.id IN (\(binds: Array(chunk)))
                    UNION
                    SELECT i.id AS id FROM invitations i JOIN responses r
                      ON r.contact_id = i.contact_id AND r.survey_id = i.survey_id AND r.created_at >= i.created_at AND r.status <> 'flagged'
                    WHERE i.id IN (\(binds: Array(chunk)))
                    """).all() {
                    answered.insert(try row.decode(column: "id", as: Int64.self))
                }
                var campaigns: [Int64: CampaignDefinition] = [:]
                let campaignIDs = Set(invitations.compactMap(\.campaignID))
                if !campaignIDs.isEmpty {
                    for row in try await sql.raw("SELECT id, definition FROM campaigns WHERE id IN (\(binds: Array(campaignIDs)))").all() {
                        campaigns[try row.decode(column: "id", as: Int64.self)] = CampaignDefinition(stored: try row.decode(column: "definition", as: String.self))
                    }
                }
                for invitation in invitations {
                    guard let survey = surveys[invitation.surveyID], let contact = contacts[invitation.contactID] else { continue }
                    let campaign = invitation.campaignID.flatMap { campaigns[$0] }
                    result[invitation.id] = InvitationSendContext(
                        invitation: invitation, survey: survey, contact: contact,
                        suppression: invitation.email.flatMap { suppressed[invitation.workspaceID]?[$0] },
                        answered: answered.contains(invitation.id),
                        variant: invitation.variant.flatMap { name in campaign?.variants.first { $0.name == name } },
                        trackOpens: campaign?.trackOpens ?? false)
                }
            }
            return result
        }
    }

    static func decodeInvitation(_ row: any SQLRow) throws -> Invitation {
        Invitation(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                   surveyID: try row.decode(column: "survey_id", as: Int64.self), contactID: try row.decode(column: "contact_id", as: Int64.self),
                   campaignID: try row.decode(column: "campaign_id", as: Int64?.self), variant: try row.decode(column: "variant", as: String?.self),
                   channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
                   email: try row.decode(column: "email", as: String?.self), locale: try row.decode(column: "locale", as: String?.self),
                   status: InvitationStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .cancelled,
                   sendAt: Timestamp(milliseconds: try row.decode(column: "send_at", as: Int64.self)),
                   sentAt: try row.decode(column: "sent_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                   messagesSent: try row.decode(column: "messages_sent", as: Int.self), reminders: try row.decode(column: "reminders", as: Int.self),
                   reminderDays: try row.decode(column: "reminder_days", as: Int.self),
                   messageID: try row.decode(column: "message_id", as: String?.self), lastError: try row.decode(column: "last_error", as: String?.self),
                   createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                   updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
                   productName: try row.decode(column: "product_name", as: String?.self))
    }
}
