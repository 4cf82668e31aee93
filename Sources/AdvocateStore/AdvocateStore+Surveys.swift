import AdvocateCore
import SQLKit

extension AdvocateStore {
    /// Creates a survey from a validated create input.
    public func createSurvey(workspaceID: Int64, _ input: SurveyInput) async throws -> Survey {
        let now = clock.now()
        var survey = Survey(id: 0, workspaceID: workspaceID, name: input.name ?? "", productName: input.productName ?? "",
                            kind: input.kind ?? .relationship, defaultLocale: input.defaultLocale ?? "en",
                            timeZone: input.timeZone ?? .utc, roundDays: input.roundDays ?? Survey.defaultRoundDays,
                            settings: try input.settings.map { try SurveySettings.decode($0, path: "settings", over: SurveySettings()) } ?? SurveySettings(),
                            createdAt: now, updatedAt: now)
        let s = survey
        survey.id = try await database.write { sql in
            try await sql.raw("""
                INSERT INTO surveys (workspace_id, name, product_name, kind, default_locale, time_zone, round_days, settings, created_at, updated_at)
                VALUES (\(bind: s.workspaceID), \(bind: s.name), \(bind: s.productName), \(bind: s.kind.rawValue), \(bind: s.defaultLocale),
                        \(bind: s.timeZone.identifier), \(bind: s.roundDays), \(bind: s.settings.json.serialized()), \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
        }
        return survey
    }

    /// A survey of the workspace, or nil (also for another workspace's survey).
    public func survey(workspaceID: Int64, id: Int64) async throws -> Survey? {
        try await database.read { try await Self.survey(workspaceID: workspaceID, id: id, in: $0) }
    }

    /// The workspace's surveys, oldest first.
    /// Ids of the workspace's employee (eNPS) surveys, whose individual answers are never shown.
    public func employeeSurveyIDs(workspaceID: Int64) async throws -> [Int64] {
        try await database.read { sql in
            try await sql.raw("SELECT id FROM surveys WHERE workspace_id = \(bind: workspaceID) AND kind = \(bind: SurveyKind.employee.rawValue) ORDER BY id")
                .all().map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    public func surveys(workspaceID: Int64, after cursor: Int64?, limit: Int) async throws -> Page<Survey> {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT * FROM surveys WHERE workspace_id = \(bind: workspaceID) AND id > \(bind: cursor ?? 0) ORDER BY id LIMIT \(literal: limit + 1)
                """).all()
            let surveys = try rows.prefix(limit).map(Self.decodeSurvey)
            return Page(items: surveys, nextCursor: rows.count > limit ? surveys.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// Applies a validated patch; nil when the survey does not exist in the workspace.
    ///
    /// A new time zone moves responses to other local days, so the rollup is rebuilt in the same
    /// transaction: reports never mix the old and new calendars.
    public func updateSurvey(workspaceID: Int64, id: Int64, _ patch: SurveyInput) async throws -> Survey? {
        let now = clock.now()
        return try await database.write { sql in
            guard var survey = try await Self.survey(workspaceID: workspaceID, id: id, lockingIn: self.database.dialect, in: sql) else { return nil }
            let oldZone = survey.timeZone
            if let v = patch.name { survey.name = v }
            if let v = patch.productName { survey.productName = v }
            if let v = patch.kind { survey.kind = v }
            if let v = patch.defaultLocale { survey.defaultLocale = v }
            if let v = patch.timeZone { survey.timeZone = v }
            if let v = patch.roundDays { survey.roundDays = v }
            if let v = patch.settings { survey.settings = try SurveySettings.decode(v, path: "settings", over: survey.settings) }
            survey.updatedAt = now
            try await sql.raw("""
                UPDATE surveys SET name = \(bind: survey.name), product_name = \(bind: survey.productName), kind = \(bind: survey.kind.rawValue),
                    default_locale = \(bind: survey.defaultLocale), time_zone = \(bind: survey.timeZone.identifier),
                    round_days = \(bind: survey.roundDays), settings = \(bind: survey.settings.json.serialized()), updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)
                """).run()
            if survey.timeZone != oldZone {
                try await self.database.rebuildRollups(surveyID: id, zone: survey.timeZone, in: sql)
            }
            return survey
        }
    }

    /// Deletes a survey with all its responses; false when it does not exist in the workspace.
    public func deleteSurvey(workspaceID: Int64, id: Int64, audit: AuditActor? = nil) async throws -> Bool {
        let now = clock.now()
        let deleted = try await database.write { sql in
            guard let survey = try await Self.survey(workspaceID: workspaceID, id: id, lockingIn: self.database.dialect, in: sql) else { return false }
            try await Self.audit(audit, workspaceID: workspaceID, action: "survey.deleted", target: ("survey", String(id)),
                                 changes: ["name": .string(survey.name)], at: now, in: sql)
            // Explicit deletes rather than relying on cascades alone: SQLite connections opened by
            // other tools may have foreign keys off.
            try await sql.raw("DELETE FROM nps_rollups WHERE survey_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM responses WHERE survey_id = \(bind: id) AND workspace_id = \(bind: workspaceID)").run()
            try await sql.raw("DELETE FROM surveys WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)").run()
            return true
        }
        if deleted {
            // Its answers and invitations held for reports would otherwise stay until a restart.
            database.answerColumns.forget(id)
            database.funnelColumns.forget(id)
        }
        return deleted
    }

    /// The survey; with `lockingIn: .postgres` also locked FOR UPDATE, taken first so that a change
    /// waits for (and is waited for by) ingest transactions that hold the survey FOR SHARE.
    static func survey(workspaceID: Int64, id: Int64, lockingIn dialect: Dialect? = nil, in sql: any SQLDatabase) async throws -> Survey? {
        let lock: SQLQueryString = dialect == .postgres ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT * FROM surveys WHERE id = \(bind: id) AND workspace_id = \(bind: workspaceID)\(lock)")
            .first().map(decodeSurvey)
    }

    static func decodeSurvey(_ row: any SQLRow) throws -> Survey {
        let zoneName = try row.decode(column: "time_zone", as: String.self)
        guard let zone = SurveyTimeZone(validated: zoneName) else {
            throw StoreError.corrupt("survey has an unknown time zone \(zoneName)")
        }
        return Survey(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                      name: try row.decode(column: "name", as: String.self),
                      productName: try row.decode(column: "product_name", as: String.self),
                      kind: SurveyKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .relationship,
                      defaultLocale: try row.decode(column: "default_locale", as: String.self), timeZone: zone,
                      roundDays: try row.decode(column: "round_days", as: Int.self),
                      settings: SurveySettings(stored: try row.decode(column: "settings", as: String.self)),
                      createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                      updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }
}
