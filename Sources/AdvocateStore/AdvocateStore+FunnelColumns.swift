import AdvocateCore
import NPS
import SQLKit

extension AdvocateStore {
    /// The funnel of a survey's invitations made between two quarter hours, filtered by segments
    /// (the invitation's channel and language, the contact's properties), counted from the
    /// invitations and contacts held as columns (`FunnelColumns`, the contacts as `AnswerColumns`)
    /// instead of reading every invitation of the period with its contact. Nil when the columns
    /// cannot answer: campaign or variant asked, a bound off a quarter hour, or the held
    /// invitations still disagree with `funnel_rollups` after the days that differ were read again.
    func funnelFromColumns(surveyID: Int64, from: Timestamp?, to: Timestamp?, filter: ReportFilter) async throws -> CampaignFunnel? {
        let size = RollupTriggers.funnelSlotMilliseconds
        guard filter.campaignID == nil, filter.variant == nil, (from?.milliseconds ?? 0) % size == 0, (to?.milliseconds ?? 0) % size == 0 else { return nil }
        let (low, high) = (from.map { $0.milliseconds / size }, to.map { $0.milliseconds / size })
        var columns = database.funnelColumns.entry(surveyID) ?? FunnelColumns()
        let rollup = try await funnelRollupByDay(surveyID: surveyID, from: low, to: high)
        let differing = Self.differingDays(columns.dailyFunnels(from: low, to: high), rollup)
        if !differing.isEmpty {
            try await readInvitations(surveyID: surveyID, days: differing.sorted(), into: &columns)
            // Each day read is what was committed then, right or not for later: keep it.
            database.funnelColumns.keep(columns, for: surveyID)
            guard Self.differingDays(columns.dailyFunnels(from: low, to: high), rollup).isEmpty else { return nil }
        }
        let conditions = filter.storedConditions
        let onContact = conditions.filter { $0.key != ReportDimension.channel && $0.key != ReportDimension.locale }
        var passes: (Int64) -> Bool = { _ in true }
        if !onContact.isEmpty {
            // Read after the invitations: every contact they name was committed by then.
            guard let contacts = try await contactColumns(surveyID: surveyID) else { return nil }
            if let byID = contacts.matchesByID(onContact) {
                passes = { id in id >= 0 && id < byID.count && byID[Int(id)] }
            } else {
                let matches = contacts.matches(onContact)
                passes = { id in contacts.index(of: id).map { matches[$0] } ?? false }
            }
        }
        return columns.funnel(from: low, to: high, channels: conditions[ReportDimension.channel], locales: conditions[ReportDimension.locale],
                              contact: passes)
    }

    private static func differingDays(_ a: [Int64: CampaignFunnel], _ b: [Int64: CampaignFunnel]) -> Set<Int64> {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
    }

    /// `funnel_rollups` of the slots `from..<to` summed per UTC day, days summing to nothing left out.
    private func funnelRollupByDay(surveyID: Int64, from: Int64?, to: Int64?) async throws -> [Int64: CampaignFunnel] {
        var condition: SQLQueryString = "survey_id = \(bind: surveyID)"
        if let from { condition += " AND slot >= \(bind: from)" }
        if let to { condition += " AND slot < \(bind: to)" }
        let fields = ["invited", "sent", "bounced", "opened", "clicked", "answered", "promoters", "passives", "detractors", "commented"]
        // One text column, not ten: decoding per column, not the database, is the cost.
        let packed = fields.map { "CAST(CAST(SUM(\($0)) AS BIGINT) AS TEXT)" }.joined(separator: " || ',' || ")
        let query: SQLQueryString = """
            SELECT CAST(slot / \(unsafeRaw: String(FunnelColumns.slotsPerDay)) AS BIGINT) AS d, \(unsafeRaw: packed) AS counts
            FROM funnel_rollups WHERE \(condition) GROUP BY slot / \(unsafeRaw: String(FunnelColumns.slotsPerDay))
            """
        return try await database.read { sql in
            var result: [Int64: CampaignFunnel] = [:]
            for row in try await sql.raw(query).all() {
                let text = try row.decode(column: "counts", as: String.self)
                let n = text.split(separator: ",").compactMap { Int($0) }
                guard n.count == fields.count else { throw StoreError.corrupt("funnel rollup sums are not ten numbers: \(text)") }
                var f = CampaignFunnel(variant: "")
                (f.invited, f.sent, f.bounced, f.opened, f.clicked, f.answered, f.commented) = (n[0], n[1], n[2], n[3], n[4], n[5], n[9])
                f.tally = Tally(promoters: n[6], passives: n[7], detractors: n[8])
                guard f != CampaignFunnel(variant: "") else { continue }
                result[try row.decode(column: "d", as: Int64.self)] = f
            }
            return result
        }
    }

    /// Reads the survey's invitations made on the UTC `days` (whole days), each with its counted answer.
    private func readInvitations(surveyID: Int64, days: [Int64], into columns: inout FunnelColumns) async throws {
        let dayMilliseconds = FunnelColumns.slotsPerDay * RollupTriggers.funnelSlotMilliseconds
        // Runs of consecutive days, a week at most, one query each.
        var runs: [ClosedRange<Int64>] = []
        for day in days {
            if let last = runs.last, last.upperBound == day - 1, last.count < 7 { runs[runs.count - 1] = last.lowerBound...day } else { runs.append(day...day) }
        }
        for run in runs {
            try Task.checkCancellation()
            let query: SQLQueryString = """
                SELECT i.created_at, i.contact_id, i.channel, i.locale, i.status, i.messages_sent,
                       CASE WHEN i.opened_at IS NULL THEN 0 ELSE 1 END AS opened, CASE WHEN i.clicked_at IS NULL THEN 0 ELSE 1 END AS clicked,
                       r.score, CASE WHEN r.comment IS NULL THEN 0 ELSE 1 END AS commented
                FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id AND r.status = 'counted'
                WHERE i.survey_id = \(bind: surveyID) AND i.created_at >= \(bind: run.lowerBound * dayMilliseconds)
                AND i.created_at < \(bind: (run.upperBound + 1) * dayMilliseconds)
                """
            var read: [Int64: [FunnelColumns.Invitation]] = [:]
            for row in try await database.read({ sql in try await sql.raw(query).all() }) {
                let slot = try row.decode(column: "created_at", as: Int64.self) / RollupTriggers.funnelSlotMilliseconds
                let invitation = columns.invitation(
                    slot: slot, contactID: try row.decode(column: "contact_id", as: Int64.self),
                    channel: try row.decode(column: "channel", as: String.self), locale: try row.decode(column: "locale", as: String?.self),
                    status: try row.decode(column: "status", as: String.self), messagesSent: try row.decode(column: "messages_sent", as: Int.self),
                    opened: try row.decode(column: "opened", as: Int.self) == 1, clicked: try row.decode(column: "clicked", as: Int.self) == 1,
                    score: try row.decode(column: "score", as: Int?.self).flatMap { Score($0) }, commented: try row.decode(column: "commented", as: Int.self) == 1)
                read[FunnelColumns.day(of: slot), default: []].append(invitation)
            }
            for day in run { columns.replace(day: day, with: read[day] ?? []) }
        }
    }

    /// The contacts of the survey's workspace as columns of their properties, up to date: the
    /// rows changed since the last look (by `updated_at`, index `contacts_workspace_updated`,
    /// migration 17). Nil when the survey is gone.
    func contactColumns(surveyID: Int64) async throws -> AnswerColumns? {
        guard let workspaceID = try await database.read({ sql in
            try await sql.raw("SELECT workspace_id FROM surveys WHERE id = \(bind: surveyID)").first()?.decode(column: "workspace_id", as: Int64.self)
        }) else { return nil }
        let cache = database.contactColumns
        var held = cache.entry(workspaceID) ?? HeldColumns()
        let readAt = clock.now().milliseconds
        var after = held.cursor
        let pageSize = 20_000
        while true {
            try Task.checkCancellation()
            let start = after
            let rows = try await database.read { sql in
                try await sql.raw("""
                    SELECT id, properties, updated_at FROM contacts
                    WHERE workspace_id = \(bind: workspaceID) AND updated_at >= \(bind: start.updatedAt) AND (updated_at > \(bind: start.updatedAt) OR id > \(bind: start.id))
                    ORDER BY updated_at, id LIMIT \(literal: pageSize)
                    """).all()
            }
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self), updatedAt = try row.decode(column: "updated_at", as: Int64.self)
                // A contact is held like an answer of no day: only its properties are asked.
                held.columns.set(id: id, day: 0, score: Score(0), channel: .api, locale: nil,
                                 properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)))
                after = (updatedAt, id)
                held.read(updatedAt: updatedAt, id: id)
            }
            if rows.count < pageSize { break }
        }
        held.readAt = readAt
        cache.keep(held, for: workspaceID)
        return held.columns
    }
}
