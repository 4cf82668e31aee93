import AdvocateCore
import SQLKit

/// A workspace's retention policy and when it was last applied.
public struct RetentionState: Sendable, Hashable {
    public var policy: RetentionPolicy
    public var updatedAt: Timestamp
    public var lastRunAt: Timestamp?
    /// Responses deleted or anonymised by the last run.
    public var lastRunCount: Int64?
}

extension AdvocateStore {
    /// The workspace's retention policy; nil when off.
    public func retention(workspaceID: Int64) async throws -> RetentionState? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM retention_policies WHERE workspace_id = \(bind: workspaceID)").first().map { row in
                RetentionState(
                    policy: RetentionPolicy(action: RetentionPolicy.Action(rawValue: try row.decode(column: "action", as: String.self)) ?? .anonymise,
                                            months: try row.decode(column: "months", as: Int.self)),
                    updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
                    lastRunAt: try row.decode(column: "last_run_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                    lastRunCount: try row.decode(column: "last_run_count", as: Int64?.self))
            }
        }
    }

    /// Sets (or, with nil, turns off) the workspace's retention policy, logged as `retention.updated`
    /// or `retention.disabled` with `audit`.
    public func setRetention(workspaceID: Int64, _ policy: RetentionPolicy?, audit: AuditActor? = nil) async throws {
        let now = clock.now()
        try await database.write { sql in
            guard let policy else {
                let removed = try await sql.raw("DELETE FROM retention_policies WHERE workspace_id = \(bind: workspaceID) RETURNING workspace_id").first()
                if removed != nil {
                    try await Self.audit(audit, workspaceID: workspaceID, action: "retention.disabled", target: ("retention_policy", nil), at: now, in: sql)
                }
                return
            }
            // Saving the policy already in force changes nothing, so it leaves no audit entry.
            let changed = try await sql.raw("""
                INSERT INTO retention_policies (workspace_id, action, months, updated_at)
                VALUES (\(bind: workspaceID), \(bind: policy.action.rawValue), \(bind: policy.months), \(bind: now.milliseconds))
                ON CONFLICT (workspace_id) DO UPDATE SET action = EXCLUDED.action, months = EXCLUDED.months, updated_at = EXCLUDED.updated_at
                WHERE retention_policies.action <> EXCLUDED.action OR retention_policies.months <> EXCLUDED.months
                RETURNING workspace_id
                """).first()
            if changed != nil {
                try await Self.audit(audit, workspaceID: workspaceID, action: "retention.updated", target: ("retention_policy", nil),
                                     changes: ["action": .string(policy.action.rawValue), "months": .integer(Int64(policy.months))], at: now, in: sql)
            }
        }
    }

    /// Workspaces that have a retention policy.
    public func workspacesWithRetention() async throws -> [Int64] {
        try await database.read { sql in
            try await sql.raw("SELECT workspace_id FROM retention_policies ORDER BY workspace_id").all()
                .map { try $0.decode(column: "workspace_id", as: Int64.self) }
        }
    }

    /// Applies the workspace's policy to every answer it reaches, `batchSize` at a time (one
    /// transaction each, so ingest never waits long), and records the run. Running it again
    /// finds nothing more to do. Returns how many responses were deleted or anonymised.
    @discardableResult
    public func applyRetention(workspaceID: Int64, batchSize: Int = 1_000) async throws -> Int64 {
        guard let state = try await retention(workspaceID: workspaceID) else { return 0 }
        let now = clock.now()
        // Days are the survey's local days; "today" in UTC is within a day of each of them.
        let firstKept = state.policy.firstKeptDay(today: SurveyTimeZone.utc.day(containing: now))
        var total: Int64 = 0
        while true {
            let n = try await retentionBatch(workspaceID: workspaceID, policy: state.policy, before: firstKept, limit: batchSize, now: now)
            total += Int64(n)
            if n < batchSize { break }
        }
        let count = total
        try await database.write { sql in
            try await sql.raw("""
                UPDATE retention_policies SET last_run_at = \(bind: now.milliseconds), last_run_count = \(bind: count)
                WHERE workspace_id = \(bind: workspaceID)
                """).run()
        }
        return total
    }

    private func retentionBatch(workspaceID: Int64, policy: RetentionPolicy, before day: CalendarDay, limit: Int, now: Timestamp) async throws -> Int {
        try await database.write { sql in
            // Anonymised answers no longer match, so a batch never takes the same answer twice.
            let pending: SQLQueryString = policy.action == .delete ? "" : """
                 AND (contact_id IS NOT NULL OR comment IS NOT NULL OR answers <> '{}' OR tags <> '[]' OR invitation_id IS NOT NULL
                      OR respondent_key IS NOT NULL OR source_id IS NOT NULL)
                """
            let ids = try await sql.raw("""
                SELECT id FROM responses WHERE workspace_id = \(bind: workspaceID) AND day < \(bind: day.daysSinceEpoch)
                    AND survey_id IN (SELECT id FROM surveys WHERE workspace_id = \(bind: workspaceID))\(pending)
                LIMIT \(literal: limit)
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
            guard !ids.isEmpty else { return 0 }
            let inBatch: SQLQueryString = "id IN (\(binds: ids))"
            switch policy.action {
            case .delete:
                // Notes, themes, alert firings and cases go with the responses.
                let delta = try await Self.uncount(workspaceID: workspaceID, where: inBatch, in: sql)
                try await sql.raw("DELETE FROM responses WHERE workspace_id = \(bind: workspaceID) AND \(inBatch)").run()
                try await delta.apply(in: sql)
            case .anonymise:
                // Score, day, channel, locale and segments stay: the reports do not change.
                try await sql.raw("""
                    UPDATE responses SET contact_id = NULL, comment = NULL, answers = '{}', tags = '[]', invitation_id = NULL,
                        respondent_key = NULL, source_id = NULL, updated_at = \(bind: now.milliseconds)
                    WHERE workspace_id = \(bind: workspaceID) AND \(inBatch)
                    """).run()
                for table in ["response_notes", "response_themes", "cases"] {
                    try await sql.raw("""
                        DELETE FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspaceID) AND response_id IN (\(binds: ids))
                        """).run()
                }
            }
            return ids.count
        }
    }
}
