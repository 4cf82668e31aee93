import AdvocateCore
import NPS
import SQLKit

/// The dry run (or the record of a launch) of a campaign: how many, why not, when, which variant.
public struct CampaignPlanSummary: Sendable, Hashable {
    public var preview: CampaignAudiencePreview
    /// Contacts to invite per variant name ("" without variants).
    public var byVariant: [String: Int]
    /// First and last send time of the invitations.
    public var firstSendAt: Timestamp?
    public var lastSendAt: Timestamp?
}

/// Why a campaign cannot do what was asked.
public enum CampaignRefusal: Error, Sendable, Hashable {
    case notFound
    case notDraft(CampaignStatus)
    case alreadyCancelled
    /// A one-off campaign that would send nothing (its dry run says why).
    case nobodyToInvite(CampaignPlanSummary)
}

/// One variant's funnel.
public struct CampaignFunnel: Sendable, Hashable {
    public var variant: String
    public var invited = 0
    public var sent = 0
    public var bounced = 0
    public var opened = 0
    public var clicked = 0
    public var answered = 0
    public var commented = 0
    /// Counted answers' scores.
    public var tally = Tally(promoters: 0, passives: 0, detractors: 0)

    public var delivered: Int { sent - bounced }
}

/// The kind of the job that keeps a recurring campaign inviting.
public let campaignCadenceJobKind = "campaign.cadence"

extension AdvocateStore {
    // MARK: - CRUD

    public func createCampaign(workspaceID: Int64, surveyID: Int64, name: String, definition: CampaignDefinition) async throws -> Campaign? {
        let now = clock.now()
        return try await database.write { sql in
            guard try await Self.survey(workspaceID: workspaceID, id: surveyID, in: sql) != nil else { return nil }
            let id = try await sql.raw("""
                INSERT INTO campaigns (workspace_id, survey_id, name, status, definition, created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: surveyID), \(bind: name), 'draft', \(bind: definition.json.serialized()),
                        \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            return Campaign(id: id, workspaceID: workspaceID, surveyID: surveyID, name: name, status: .draft, definition: definition,
                            createdAt: now, updatedAt: now, launchedAt: nil)
        }
    }

    public func campaign(workspaceID: Int64, id: Int64) async throws -> Campaign? {
        try await database.read { sql in try await Self.campaign(workspaceID: workspaceID, id: id, lock: false, in: sql) }
    }

    public func campaigns(workspaceID: Int64, before cursor: Int64?, limit: Int) async throws -> Page<Campaign> {
        try await database.read { sql in
            var q: SQLQueryString = "SELECT * FROM campaigns WHERE workspace_id = \(bind: workspaceID)"
            if let cursor { q += " AND id < \(bind: cursor)" }
            q += " ORDER BY id DESC LIMIT \(literal: limit + 1)"
            let rows = try await sql.raw(q).all()
            let items = try rows.prefix(limit).map(Self.decodeCampaign)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// Changes a draft's name or definition.
    public func updateCampaign(workspaceID: Int64, id: Int64, name: String?, definition: CampaignDefinition) async throws -> Result<Campaign, CampaignRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard var campaign = try await Self.campaign(workspaceID: workspaceID, id: id, lock: self.database.dialect == .postgres, in: sql) else {
                return .failure(.notFound)
            }
            guard campaign.status == .draft else { return .failure(.notDraft(campaign.status)) }
            if let name { campaign.name = name }
            campaign.definition = definition
            campaign.updatedAt = now
            try await sql.raw("""
                UPDATE campaigns SET name = \(bind: campaign.name), definition = \(bind: definition.json.serialized()), updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id)
                """).run()
            return .success(campaign)
        }
    }

    /// Deletes a draft (a launched campaign is cancelled instead: its invitations stay on record).
    public func deleteCampaign(workspaceID: Int64, id: Int64) async throws -> Result<Void, CampaignRefusal> {
        try await database.write { sql in
            guard let campaign = try await Self.campaign(workspaceID: workspaceID, id: id, lock: self.database.dialect == .postgres, in: sql) else {
                return .failure(.notFound)
            }
            guard campaign.status == .draft else { return .failure(.notDraft(campaign.status)) }
            try await sql.raw("DELETE FROM campaigns WHERE id = \(bind: id)").run()
            return .success(())
        }
    }

    // MARK: - Preview and launch

    /// The dry run: what launching now would do. Writes nothing.
    public func previewCampaign(_ campaign: Campaign) async throws -> CampaignPlanSummary {
        let now = clock.now()
        return try await database.read { sql in
            guard let survey = try await Self.survey(workspaceID: campaign.workspaceID, id: campaign.surveyID, in: sql) else {
                throw StoreError.corrupt("campaign of a missing survey")
            }
            return Self.summary(try await Self.plan(campaign, survey: survey, now: now, in: sql))
        }
    }

    /// Launches a draft: plans it and writes its invitations with their first jobs (and, for a
    /// recurring campaign, its first cadence job), in one transaction.
    public func launchCampaign(workspaceID: Int64, id: Int64, makeToken: @escaping @Sendable () -> InvitationTokenPair) async throws
        -> Result<(Campaign, CampaignPlanSummary), CampaignRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard var campaign = try await Self.campaign(workspaceID: workspaceID, id: id, lock: self.database.dialect == .postgres, in: sql) else {
                return .failure(.notFound)
            }
            guard campaign.status == .draft else { return .failure(.notDraft(campaign.status)) }
            guard let survey = try await Self.survey(workspaceID: workspaceID, id: campaign.surveyID, in: sql) else { return .failure(.notFound) }
            let planned = try await Self.plan(campaign, survey: survey, now: now, in: sql)
            let summary = Self.summary(planned)
            // A cadence may find people later; a one-off that invites nobody is a mistake to report.
            if summary.preview.wouldSend == 0, campaign.definition.recurringDays == nil { return .failure(.nobodyToInvite(summary)) }
            try await Self.invite(planned, campaign: campaign, now: now, makeToken: makeToken, in: sql)
            campaign.status = .launched
            campaign.launchedAt = now
            campaign.updatedAt = now
            try await sql.raw("""
                UPDATE campaigns SET status = 'launched', launched_at = \(bind: now.milliseconds), updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id)
                """).run()
            if campaign.definition.recurringDays != nil {
                try await Self.insertJobs([Self.cadenceJob(campaign, runAt: now.adding(days: 1))], now: now, in: sql)
            }
            return .success((campaign, summary))
        }
    }

    /// Stops a campaign: invitations not sent yet are cancelled (their jobs then end without
    /// sending), reminders of sent ones are not sent, and a cadence stops.
    public func cancelCampaign(workspaceID: Int64, id: Int64) async throws -> Result<(Campaign, cancelledInvitations: Int), CampaignRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard var campaign = try await Self.campaign(workspaceID: workspaceID, id: id, lock: self.database.dialect == .postgres, in: sql) else {
                return .failure(.notFound)
            }
            guard campaign.status != .cancelled else { return .failure(.alreadyCancelled) }
            let cancelled = try await sql.raw("""
                UPDATE invitations SET status = 'cancelled', last_error = 'the campaign was cancelled', updated_at = \(bind: now.milliseconds)
                WHERE campaign_id = \(bind: id) AND status = 'scheduled' RETURNING id
                """).all().count
            // Sent invitations keep their status; their reminders stop.
            try await sql.raw("""
                UPDATE invitations SET reminders = 0, updated_at = \(bind: now.milliseconds)
                WHERE campaign_id = \(bind: id) AND status = 'sent'
                """).run()
            try await sql.raw("""
                UPDATE campaigns SET status = 'cancelled', updated_at = \(bind: now.milliseconds) WHERE id = \(bind: id)
                """).run()
            campaign.status = .cancelled
            campaign.updatedAt = now
            return .success((campaign, cancelled))
        }
    }

    /// One run of a recurring campaign's cadence: invites the contacts of the audience whose
    /// last invitation by this campaign is `recurringDays` old (or who joined the audience since),
    /// then schedules the next run a day later. False when the campaign no longer recurs.
    public func runCampaignCadence(campaignID: Int64, makeToken: @escaping @Sendable () -> InvitationTokenPair) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT * FROM campaigns WHERE id = \(bind: campaignID)").first() else { return false }
            let campaign = try Self.decodeCampaign(row)
            guard campaign.status == .launched, campaign.definition.recurringDays != nil,
                  let survey = try await Self.survey(workspaceID: campaign.workspaceID, id: campaign.surveyID, in: sql) else { return false }
            var definition = campaign.definition
            definition.start = now
            definition.spreadDays = 0
            var due = campaign
            due.definition = definition
            let planned = try await Self.plan(due, survey: survey, now: now, in: sql)
            try await Self.invite(planned, campaign: due, now: now, makeToken: makeToken, in: sql)
            // A run retried after a crash must not start a second daily chain.
            let next = Self.cadenceJob(campaign, runAt: now.adding(days: 1))
            let queued = try await sql.raw("""
                SELECT id FROM jobs WHERE kind = \(bind: campaignCadenceJobKind) AND state = 'queued' AND payload = \(bind: next.payload.jsonText)
                """).first()
            if queued == nil { try await Self.insertJobs([next], now: now, in: sql) }
            return true
        }
    }

    static func cadenceJob(_ campaign: Campaign, runAt: Timestamp) -> NewJob {
        NewJob(workspaceID: campaign.workspaceID, kind: campaignCadenceJobKind, payload: ["campaign_id": .integer(campaign.id)],
               runAt: runAt, maxAttempts: 12)
    }

    struct PlannedContact {
        var contact: Contact
        var decision: CampaignDecision
        var variant: CampaignVariant?
        var sendAt: Timestamp?
    }

    /// Every contact of the workspace that matches the audience, with its decision, variant and
    /// send time: the one computation behind both the dry run and the launch.
    static func plan(_ campaign: Campaign, survey: Survey, now: Timestamp, in sql: any SQLDatabase) async throws -> [PlannedContact] {
        let definition = campaign.definition
        let audience = try await sql.raw("SELECT * FROM contacts WHERE workspace_id = \(bind: campaign.workspaceID) ORDER BY id").all()
            .map(decodeContact).filter(definition.audience.matches)
        guard !audience.isEmpty else { return [] }
        let suppressed = try await suppressions(workspaceID: campaign.workspaceID, emails: Set(audience.compactMap(\.email)), in: sql)
        let recent = definition.throttle.days > 0 ? try await lastContactTimes(ids: Set(audience.map(\.id)), in: sql) : [:]
        // Already asked by this campaign (for a cadence: within the last period).
        let since = definition.recurringDays.map { now.adding(days: -$0).milliseconds } ?? Int64.min
        var invited: Set<Int64> = []
        for row in try await sql.raw("""
            SELECT contact_id FROM invitations WHERE campaign_id = \(bind: campaign.id) AND COALESCE(sent_at, send_at) > \(bind: since)
            """).all() {
            invited.insert(try row.decode(column: "contact_id", as: Int64.self))
        }
        let start = max(definition.start ?? now, now)
        var planned = audience.map { contact -> PlannedContact in
            let suppression = contact.email.flatMap { suppressed[$0] }
            let decision = CampaignDecision.decide(
                sampling: definition.sampling.outcome(for: contact, seed: definition.seed),
                isDuplicate: invited.contains(contact.id), hasEmail: contact.email != nil,
                isSuppressed: suppression != nil && suppression?.reason != .bounced, hasBounced: suppression?.reason == .bounced,
                throttle: definition.throttle.decision(lastInvitedAt: recent[contact.id], lastRespondedAt: nil, now: start))
            return PlannedContact(contact: contact, decision: decision, variant: nil, sendAt: nil)
        }
        guard let schedule = SendSchedule(start: start, spreadDays: definition.spreadDays, localTime: definition.localTime,
                                          surveyTimeZone: survey.timeZone, seed: definition.seed) else { return planned }
        let sending = planned.filter { $0.decision == .send }.map(\.contact)
        let times = Dictionary(schedule.sends(for: sending).map { ($0.contactID, $0.sendAt) }, uniquingKeysWith: { a, _ in a })
        for i in planned.indices where planned[i].decision == .send {
            planned[i].sendAt = times[planned[i].contact.id]
            planned[i].variant = definition.variant(for: planned[i].contact.id)
        }
        return planned
    }

    static func summary(_ planned: [PlannedContact]) -> CampaignPlanSummary {
        var byVariant: [String: Int] = [:]
        for p in planned where p.decision == .send { byVariant[p.variant?.name ?? "", default: 0] += 1 }
        let times = planned.compactMap(\.sendAt)
        return CampaignPlanSummary(preview: CampaignAudiencePreview(planned.map(\.decision)), byVariant: byVariant,
                                   firstSendAt: times.min(), lastSendAt: times.max())
    }

    private static func invite(_ planned: [PlannedContact], campaign: Campaign, now: Timestamp,
                               makeToken: @Sendable () -> InvitationTokenPair, in sql: any SQLDatabase) async throws {
        let reminders = campaign.definition.reminders
        let invitations: [(Invitation, InvitationTokenPair)] = planned.compactMap { p in
            guard p.decision == .send, let sendAt = p.sendAt else { return nil }
            let invitation = Invitation(id: 0, workspaceID: campaign.workspaceID, surveyID: campaign.surveyID, contactID: p.contact.id,
                                        campaignID: campaign.id, variant: p.variant?.name, channel: .email, email: p.contact.email,
                                        locale: p.contact.locale, status: .scheduled, sendAt: sendAt, reminders: reminders.count,
                                        reminderDays: reminders.afterDays, createdAt: now, updatedAt: now)
            return (invitation, makeToken())
        }
        _ = try await insertInvitations(invitations, now: now, in: sql)
    }

    // MARK: - Funnel

    /// Each variant's funnel (one entry named "" without variants), in the campaign's variant order.
    public func campaignFunnel(_ campaign: Campaign) async throws -> [CampaignFunnel] {
        let funnels = try await invitationFunnels(where: "i.campaign_id = \(bind: campaign.id)", byVariant: true)
        let order = campaign.definition.variants.isEmpty ? [""] : campaign.definition.variants.map(\.name)
        return order.map { funnels[$0] ?? CampaignFunnel(variant: $0) }
    }

    /// The funnel of a survey's invitations made between two instants (sent → delivered →
    /// opened → clicked → answered → commented), whatever sent them.
    public func surveyFunnel(surveyID: Int64, from: Timestamp?, to: Timestamp?) async throws -> CampaignFunnel {
        var filter: SQLQueryString = "i.survey_id = \(bind: surveyID)"
        if let from { filter += " AND i.created_at >= \(bind: from.milliseconds)" }
        if let to { filter += " AND i.created_at < \(bind: to.milliseconds)" }
        return try await invitationFunnels(where: filter, byVariant: false)[""] ?? CampaignFunnel(variant: "")
    }

    /// Funnels of the invitations `filter` selects (alias `i`), per A/B variant or as one.
    private func invitationFunnels(where filter: SQLQueryString, byVariant: Bool) async throws -> [String: CampaignFunnel] {
        // PostgreSQL refuses GROUP BY a constant: one funnel is an aggregate without groups.
        let group: SQLQueryString = byVariant ? "COALESCE(i.variant, '')" : "''"
        let grouping: SQLQueryString = byVariant ? " GROUP BY COALESCE(i.variant, '')" : ""
        return try await database.read { sql in
            var funnels: [String: CampaignFunnel] = [:]
            for row in try await sql.raw("""
                SELECT \(group) AS variant, COUNT(*) AS invited,
                       SUM(CASE WHEN i.messages_sent > 0 OR i.status = 'bounced' THEN 1 ELSE 0 END) AS sent,
                       SUM(CASE WHEN i.status = 'bounced' THEN 1 ELSE 0 END) AS bounced,
                       SUM(CASE WHEN i.opened_at IS NOT NULL THEN 1 ELSE 0 END) AS opened,
                       SUM(CASE WHEN i.clicked_at IS NOT NULL THEN 1 ELSE 0 END) AS clicked
                FROM invitations i WHERE \(filter)\(grouping)
                """).all() {
                let name = try row.decode(column: "variant", as: String.self)
                var f = CampaignFunnel(variant: name)
                f.invited = try row.decode(column: "invited", as: Int?.self) ?? 0
                f.sent = try row.decode(column: "sent", as: Int?.self) ?? 0
                f.bounced = try row.decode(column: "bounced", as: Int?.self) ?? 0
                f.opened = try row.decode(column: "opened", as: Int?.self) ?? 0
                f.clicked = try row.decode(column: "clicked", as: Int?.self) ?? 0
                funnels[name] = f
            }
            for row in try await sql.raw("""
                SELECT \(group) AS variant, r.score AS score, r.comment AS comment
                FROM invitations i JOIN responses r ON r.invitation_id = i.id AND r.status = 'counted'
                WHERE \(filter)
                """).all() {
                let name = try row.decode(column: "variant", as: String.self)
                guard let score = Score(try row.decode(column: "score", as: Int.self)) else { continue }
                funnels[name, default: CampaignFunnel(variant: name)].answered += 1
                funnels[name, default: CampaignFunnel(variant: name)].tally.add(score)
                if try row.decode(column: "comment", as: String?.self) != nil { funnels[name, default: CampaignFunnel(variant: name)].commented += 1 }
            }
            return funnels
        }
    }

    // MARK: - Rows

    static func campaign(workspaceID: Int64, id: Int64, lock: Bool, in sql: any SQLDatabase) async throws -> Campaign? {
        let forUpdate: SQLQueryString = lock ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT * FROM campaigns WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)\(forUpdate)")
            .first().map(decodeCampaign)
    }

    static func decodeCampaign(_ row: any SQLRow) throws -> Campaign {
        Campaign(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                 surveyID: try row.decode(column: "survey_id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                 status: CampaignStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .draft,
                 definition: CampaignDefinition(stored: try row.decode(column: "definition", as: String.self)),
                 createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                 updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
                 launchedAt: try row.decode(column: "launched_at", as: Int64?.self).map(Timestamp.init(milliseconds:)))
    }
}

extension AdvocateStore {
    /// Records the first time an invitation's message was opened (its tracking image loaded).
    public func recordOpen(tokenHash: String) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                UPDATE invitations SET opened_at = \(bind: now.milliseconds) WHERE token_hash = \(bind: tokenHash) AND opened_at IS NULL
                """).run()
        }
    }
}
