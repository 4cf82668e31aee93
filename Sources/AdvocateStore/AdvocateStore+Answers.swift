import AdvocateCore
import NPS
import SQLKit

/// Whose answer a respondent page or the widget is saving: one response per invitation, per
/// browser of an anonymous link, or per widget display.
public enum AnswerOwner: Sendable, Hashable {
    case invitation(Invitation)
    /// `respondentKey` is the hash of the browser's cookie.
    case link(SurveyLink, respondentKey: String)
    case widget(WidgetDisplay)

    var workspaceID: Int64 {
        switch self {
        case .invitation(let i): i.workspaceID
        case .link(let l, _): l.workspaceID
        case .widget(let d): d.workspaceID
        }
    }

    var surveyID: Int64 {
        switch self {
        case .invitation(let i): i.surveyID
        case .link(let l, _): l.surveyID
        case .widget(let d): d.surveyID
        }
    }

    var contactID: Int64? {
        switch self {
        case .invitation(let i): i.contactID
        case .link: nil
        case .widget(let d): d.contactID
        }
    }

    var channel: Channel {
        switch self {
        case .invitation(let i): i.channel
        case .link(let l, _): l.channel
        case .widget: .inApp
        }
    }
}

/// What became of one hit on a score link.
public struct ScoreLinkOutcome: Sendable, Hashable {
    /// Empty when the hit may be a person's.
    public var signals: [ScannerSignal]
    /// The answer after the hit.
    public var answer: RespondentAnswer?
}

extension AdvocateStore {
    /// The answer saved so far for `owner`, if any.
    public func answer(for owner: AnswerOwner) async throws -> RespondentAnswer? {
        try await database.read { sql in try await Self.loadAnswer(owner, lock: false, in: sql)?.answer }
    }

    /// Records a hit on score link `score` of an invitation. A hit that may be a person's saves
    /// the score as provisional (not counted until a human signal); one that looks like a link
    /// scanner is flagged. A counted answer is never changed by a hit: the page asks to confirm.
    public func recordScoreLinkHit(invitation: Invitation, score: Int, method: String, userAgent: String?) async throws -> ScoreLinkOutcome {
        let now = clock.now()
        return try await retryingWrite { sql in
            let since = now.adding(milliseconds: -60_000).milliseconds
            let recent = try await sql.raw("""
                SELECT score, at FROM score_link_hits WHERE invitation_id = \(bind: invitation.id) AND at >= \(bind: since)
                """).all().map { ScoreLinkHit(score: try $0.decode(column: "score", as: Int.self),
                                                at: Timestamp(milliseconds: try $0.decode(column: "at", as: Int64.self))) }
            let signals = ScannerDetection.signals(method: method, userAgent: userAgent, score: score, at: now,
                                                   earlierHits: recent, deliveredAt: invitation.channel == .email ? invitation.sentAt : nil)
            let agent = userAgent.map { String($0.unicodeScalars.prefix(300)) }
            try await sql.raw("""
                INSERT INTO score_link_hits (workspace_id, survey_id, invitation_id, score, method, user_agent, signals, at)
                VALUES (\(bind: invitation.workspaceID), \(bind: invitation.surveyID), \(bind: invitation.id), \(bind: score),
                        \(bind: method), \(bind: agent), \(bind: signals.map(\.rawValue).joined(separator: ",")), \(bind: now.milliseconds))
                """).run()
            let owner = AnswerOwner.invitation(invitation)
            let existing = try await Self.loadAnswer(owner, lock: self.database.dialect == .postgres, in: sql)
            if let existing, existing.answer.status == .counted {
                return ScoreLinkOutcome(signals: signals, answer: existing.answer)
            }
            if signals.isEmpty {
                try await sql.raw("""
                    UPDATE invitations SET clicked_at = COALESCE(clicked_at, \(bind: now.milliseconds)) WHERE id = \(bind: invitation.id)
                    """).run()
                let answer = try await self.apply(AnswerChange(score: score), to: owner, existing: existing, status: .provisional,
                                                  flagReason: nil, now: now, in: sql)
                return ScoreLinkOutcome(signals: signals, answer: answer)
            }
            // A burst also condemns the provisional score its first hit saved.
            let answer = try await self.apply(AnswerChange(score: score), to: owner, existing: existing, status: .flagged,
                                              flagReason: signals.map(\.rawValue).joined(separator: ","), now: now, in: sql)
            return ScoreLinkOutcome(signals: signals, answer: answer)
        }
    }

    /// Saves a respondent's change. A human change counts the answer (a flagged or provisional
    /// one becomes counted); a scanner's keeps it flagged. Nil when there is nothing to save yet
    /// (no score given and none saved before).
    public func saveAnswer(_ change: AnswerChange, for owner: AnswerOwner) async throws -> RespondentAnswer? {
        let now = clock.now()
        return try await retryingWrite { sql in
            let existing = try await Self.loadAnswer(owner, lock: self.database.dialect == .postgres, in: sql)
            guard change.score != nil || existing != nil else { return nil }
            let status: ResponseStatus = change.human ? .counted : .flagged
            let reason = change.human ? nil : (existing?.answer.flagReason ?? ScannerSignal.userAgent.rawValue)
            return try await self.apply(change, to: owner, existing: existing, status: status, flagReason: reason, now: now, in: sql)
        }
    }


    struct StoredAnswer {
        var answer: RespondentAnswer
        var day: CalendarDay
        var channel: Channel
        var locale: String?
        var properties: Properties
        var createdAt: Timestamp
    }

    /// - Parameter lock: FOR UPDATE (PostgreSQL only: SQLite has one writer and no such clause).
    static func loadAnswer(_ owner: AnswerOwner, lock: Bool, in sql: any SQLDatabase) async throws -> StoredAnswer? {
        let forUpdate: SQLQueryString = lock ? " FOR UPDATE" : ""
        let query: SQLQueryString
        switch owner {
        case .invitation(let i):
            query = "SELECT * FROM responses WHERE invitation_id = \(bind: i.id)"
        case .link(let l, let key):
            query = "SELECT * FROM responses WHERE link_id = \(bind: l.id) AND respondent_key = \(bind: key)"
        case .widget(let d):
            // The display row is the lock (its response may not exist yet): two first answers of
            // one display at once (a double click) then make one response, not two.
            guard let id = try await sql.raw("SELECT response_id FROM widget_displays WHERE id = \(bind: d.id)\(forUpdate)").first()?
                .decode(column: "response_id", as: Int64?.self) else { return nil }
            query = "SELECT * FROM responses WHERE id = \(bind: id) AND workspace_id = \(bind: d.workspaceID)"
        }
        guard let row = try await sql.raw(lock ? query + forUpdate : query).first() else { return nil }
        let answers: [String: JSONValue]
        if case .object(let o)? = try? JSONValue.parse(try row.decode(column: "answers", as: String.self)) { answers = o } else { answers = [:] }
        let answer = RespondentAnswer(
            responseID: try row.decode(column: "id", as: Int64.self), score: try row.decode(column: "score", as: Int.self),
            comment: try row.decode(column: "comment", as: String?.self), answers: answers,
            status: ResponseStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .counted,
            noContact: try row.decode(column: "no_contact", as: Int.self) != 0,
            completedAt: try row.decode(column: "completed_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
            flagReason: try row.decode(column: "flag_reason", as: String?.self))
        return StoredAnswer(answer: answer, day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                            channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? owner.channel,
                            locale: try row.decode(column: "locale", as: String?.self),
                            properties: Properties(jsonText: try row.decode(column: "properties", as: String.self)),
                            createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    /// Writes the answer with `status`, keeping the NPS rollup equal to the counted answers.
    private func apply(_ change: AnswerChange, to owner: AnswerOwner, existing: StoredAnswer?, status: ResponseStatus,
                       flagReason: String?, now: Timestamp, in sql: any SQLDatabase) async throws -> RespondentAnswer {
        // A scanner never overwrites a person's answer.
        if let existing, existing.answer.status == .counted, status != .counted { return existing.answer }
        let lock: SQLQueryString = database.dialect == .postgres ? " FOR SHARE" : ""
        guard let zoneName = try await sql.raw("SELECT time_zone FROM surveys WHERE id = \(bind: owner.surveyID)\(lock)").first()?
            .decode(column: "time_zone", as: String.self) else { throw StoreError.corrupt("answer for a missing survey") }
        let zone = SurveyTimeZone(validated: zoneName) ?? .utc

        var answer = existing?.answer ?? RespondentAnswer(responseID: 0, score: change.score ?? 0, comment: nil, answers: [:],
                                                          status: status, noContact: false, completedAt: nil, flagReason: nil)
        if let score = change.score { answer.score = score }
        if let comment = change.comment { answer.comment = comment }
        for (id, value) in change.answers { answer.answers[id] = value }
        if let v = change.noContact { answer.noContact = v }
        if change.complete, answer.completedAt == nil { answer.completedAt = now }
        answer.status = status
        answer.flagReason = status == .counted ? nil : flagReason
        let locale = change.locale ?? existing?.locale

        var delta = RollupDelta()
        if let existing, existing.answer.status == .counted, let old = Score(existing.answer.score) {
            delta.add(surveyID: owner.surveyID, day: existing.day, score: old, channel: existing.channel, locale: existing.locale,
                      properties: existing.properties, sign: -1)
        }
        let answersText = JSONValue.object(answer.answers).serialized()
        if let existing {
            try await sql.raw("""
                UPDATE responses SET score = \(bind: answer.score), comment = \(bind: answer.comment), answers = \(bind: answersText),
                    no_contact = \(bind: answer.noContact ? 1 : 0), completed_at = \(bind: answer.completedAt?.milliseconds),
                    status = \(bind: status.rawValue), flag_reason = \(bind: answer.flagReason), locale = \(bind: locale),
                    updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: answer.responseID)
                """).run()
            if status == .counted, let score = Score(answer.score) {
                delta.add(surveyID: owner.surveyID, day: existing.day, score: score, channel: existing.channel, locale: locale,
                          properties: existing.properties, sign: 1)
            }
        } else {
            var properties: Properties = [:]
            if let contactID = owner.contactID,
               let text = try await sql.raw("SELECT properties FROM contacts WHERE id = \(bind: contactID)").first()?
                .decode(column: "properties", as: String.self) {
                properties = Properties(jsonText: text)
            }
            if case .link(let link, _) = owner { properties["link"] = .string(link.name) }
            let day = zone.day(containing: now)
            var invitationID: Int64?
            var linkID: Int64?
            var respondentKey: String?
            switch owner {
            case .invitation(let i): invitationID = i.id
            case .link(let l, let key): linkID = l.id; respondentKey = key
            case .widget: break
            }
            answer.responseID = try await sql.raw("""
                INSERT INTO responses (workspace_id, survey_id, contact_id, invitation_id, link_id, respondent_key, score, comment,
                    answers, no_contact, completed_at, properties, channel, locale, status, flag_reason, day, created_at, updated_at)
                VALUES (\(bind: owner.workspaceID), \(bind: owner.surveyID), \(bind: owner.contactID), \(bind: invitationID), \(bind: linkID),
                    \(bind: respondentKey), \(bind: answer.score), \(bind: answer.comment), \(bind: answersText),
                    \(bind: answer.noContact ? 1 : 0), \(bind: answer.completedAt?.milliseconds), \(bind: properties.jsonText),
                    \(bind: owner.channel.rawValue), \(bind: locale), \(bind: status.rawValue), \(bind: answer.flagReason),
                    \(bind: day.daysSinceEpoch), \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            if status == .counted, let score = Score(answer.score) {
                delta.add(surveyID: owner.surveyID, day: day, score: score, channel: owner.channel, locale: locale,
                          properties: properties, sign: 1)
            }
        }
        try await delta.apply(in: sql)
        // Only counted answers are news: never a provisional one-click score or a flagged scanner hit.
        if status == .counted {
            if existing == nil || existing?.answer.status != .counted {
                try await Self.emitResponseEvent(.responseCreated, responseID: answer.responseID, workspaceID: owner.workspaceID,
                                                 database: database, now: now, in: sql)
            } else if existing?.answer != answer {
                try await Self.emitResponseEvent(.responseUpdated, responseID: answer.responseID, workspaceID: owner.workspaceID,
                                                 database: database, now: now, in: sql)
            }
            if existing?.answer != answer {
                try await Self.enqueueAlertEvaluations([(owner.workspaceID, answer.responseID)], now: now, in: sql)
            }
        }
        switch owner {
        case .invitation(let i) where status == .counted:
            try await sql.raw("""
                UPDATE invitations SET status = 'answered', updated_at = \(bind: now.milliseconds)
                WHERE id = \(bind: i.id) AND status IN ('scheduled', 'sent')
                """).run()
        case .widget(let d) where status == .counted:
            try await sql.raw("""
                UPDATE widget_displays SET response_id = \(bind: answer.responseID), answered_at = COALESCE(answered_at, \(bind: now.milliseconds))
                WHERE id = \(bind: d.id)
                """).run()
        default:
            break
        }
        return answer
    }

    /// Hits on score links of the survey, and how many of them were taken for scanners (what
    /// reports call discarded). Two counts, each answered from an index alone.
    public func scoreLinkHits(workspaceID: Int64, surveyID: Int64) async throws -> (total: Int, discarded: Int) {
        try await database.read { sql in
            let total = try await sql.raw("""
                SELECT COUNT(*) AS n FROM score_link_hits WHERE survey_id = \(bind: surveyID) AND workspace_id = \(bind: workspaceID)
                """).first()!.decode(column: "n", as: Int.self)
            let discarded = try await sql.raw("""
                SELECT COUNT(*) AS n FROM score_link_hits WHERE survey_id = \(bind: surveyID) AND signals <> '' AND workspace_id = \(bind: workspaceID)
                """).first()!.decode(column: "n", as: Int.self)
            return (total, discarded)
        }
    }

    /// Responses of the survey that are not counted, by status (for reports).
    public func uncountedResponses(workspaceID: Int64, surveyID: Int64) async throws -> [ResponseStatus: Int] {
        try await database.read { sql in
            var result: [ResponseStatus: Int] = [:]
            for row in try await sql.raw("""
                SELECT status, COUNT(*) AS n FROM responses WHERE survey_id = \(bind: surveyID) AND status <> 'counted'
                  AND workspace_id = \(bind: workspaceID) GROUP BY status
                """).all() {
                if let s = ResponseStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                    result[s] = try row.decode(column: "n", as: Int.self)
                }
            }
            return result
        }
    }
}
