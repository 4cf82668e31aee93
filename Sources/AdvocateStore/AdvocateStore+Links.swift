import AdvocateCore
import SQLKit

/// What a respondent page needs, read in one go.
public struct SurveyVisit: Sendable {
    public var survey: Survey
    /// Who is answering, when known (invitations and contact links).
    public var contact: Contact?
    /// What they answered so far.
    public var answer: RespondentAnswer?
    /// The product asked about: the invitation's when it names one, else the survey's.
    public var productName: String { productOverride ?? survey.productName }
    var productOverride: String?

    public init(survey: Survey, contact: Contact?, answer: RespondentAnswer?, productOverride: String? = nil) {
        self.survey = survey
        self.contact = contact
        self.answer = answer
        self.productOverride = productOverride
    }
}

/// Why a link for one contact was not made.
public enum ContactLinkRefusal: Error, Sendable, Hashable {
    case unknownSurvey
    case unknownContact
    case suppressed(SuppressionReason)
}

extension AdvocateStore {
    /// The invitation with this token hash and its page's survey, contact and answer.
    public func invitationVisit(tokenHash: String) async throws -> (Invitation, SurveyVisit)? {
        try await database.read { sql in
            guard let invitation = try await sql.raw("SELECT * FROM invitations WHERE token_hash = \(bind: tokenHash)").first()
                .map(Self.decodeInvitation),
                let survey = try await Self.survey(workspaceID: invitation.workspaceID, id: invitation.surveyID, in: sql) else { return nil }
            let contact = try await sql.raw("""
                SELECT * FROM contacts WHERE id = \(bind: invitation.contactID) AND workspace_id = \(bind: invitation.workspaceID)
                """).first().map(Self.decodeContact)
            let answer = try await Self.loadAnswer(.invitation(invitation), lock: false, in: sql)?.answer
            return (invitation, SurveyVisit(survey: survey, contact: contact, answer: answer, productOverride: invitation.productName))
        }
    }

    /// The anonymous link with this token hash, and the answer this browser gave through it.
    public func linkVisit(tokenHash: String, respondentKey: String?) async throws -> (SurveyLink, SurveyVisit)? {
        try await database.read { sql in
            guard let link = try await sql.raw("SELECT * FROM survey_links WHERE token_hash = \(bind: tokenHash)").first().map(Self.decodeLink),
                  let survey = try await Self.survey(workspaceID: link.workspaceID, id: link.surveyID, in: sql) else { return nil }
            var answer: RespondentAnswer?
            if let respondentKey { answer = try await Self.loadAnswer(.link(link, respondentKey: respondentKey), lock: false, in: sql)?.answer }
            return (link, SurveyVisit(survey: survey, contact: nil, answer: answer))
        }
    }

    /// Makes an anonymous link; nil when the survey is not in the workspace.
    public func createLink(workspaceID: Int64, surveyID: Int64, name: String, channel: Channel, expiresAt: Timestamp?,
                           tokenHash: String) async throws -> SurveyLink? {
        let now = clock.now()
        return try await database.write { sql in
            guard try await Self.survey(workspaceID: workspaceID, id: surveyID, in: sql) != nil else { return nil }
            let id = try await sql.raw("""
                INSERT INTO survey_links (workspace_id, survey_id, name, channel, token_hash, expires_at, created_at)
                VALUES (\(bind: workspaceID), \(bind: surveyID), \(bind: name), \(bind: channel.rawValue), \(bind: tokenHash),
                        \(bind: expiresAt?.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            return SurveyLink(id: id, workspaceID: workspaceID, surveyID: surveyID, name: name, channel: channel,
                              expiresAt: expiresAt, revokedAt: nil, createdAt: now)
        }
    }

    /// The workspace's anonymous links, newest first.
    public func links(workspaceID: Int64, surveyID: Int64?, before cursor: Int64?, limit: Int) async throws -> Page<SurveyLink> {
        var q: SQLQueryString = "SELECT * FROM survey_links WHERE workspace_id = \(bind: workspaceID)"
        if let surveyID { q += " AND survey_id = \(bind: surveyID)" }
        if let cursor { q += " AND id < \(bind: cursor)" }
        q += " ORDER BY id DESC LIMIT \(literal: limit + 1)"
        let query = q
        return try await database.read { sql in
            let rows = try await sql.raw(query).all()
            let items = try rows.prefix(limit).map(Self.decodeLink)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// One anonymous link of the workspace.
    public func link(workspaceID: Int64, id: Int64) async throws -> SurveyLink? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM survey_links WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeLink)
        }
    }

    /// Stops a link taking answers (answers already given stay); nil when there is no such link.
    public func revokeLink(workspaceID: Int64, id: Int64) async throws -> SurveyLink? {
        let now = clock.now()
        return try await database.write { sql in
            try await sql.raw("""
                UPDATE survey_links SET revoked_at = COALESCE(revoked_at, \(bind: now.milliseconds))
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)
                """).run()
            return try await sql.raw("SELECT * FROM survey_links WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeLink)
        }
    }

    /// A personal link for one contact: an invitation on `channel` that is handed out rather
    /// than e-mailed (so it counts for the throttle like any invitation, and obeys suppression).
    public func createContactLink(workspaceID: Int64, surveyID: Int64, externalID: String, channel: Channel,
                                  tokenHash: String) async throws -> Result<(Invitation, Contact), ContactLinkRefusal> {
        let now = clock.now()
        return try await database.write { sql in
            guard try await Self.survey(workspaceID: workspaceID, id: surveyID, in: sql) != nil else { return .failure(.unknownSurvey) }
            guard let contact = try await sql.raw("""
                SELECT * FROM contacts WHERE workspace_id = \(bind: workspaceID) AND external_id = \(bind: externalID)
                """).first().map(Self.decodeContact) else { return .failure(.unknownContact) }
            if let email = contact.email, let s = try await Self.suppressions(workspaceID: workspaceID, emails: [email], in: sql)[email] {
                return .failure(.suppressed(s.reason))
            }
            let id = try await sql.raw("""
                INSERT INTO invitations (workspace_id, survey_id, contact_id, channel, token_hash, email, locale, status, send_at, sent_at,
                    created_at, updated_at)
                VALUES (\(bind: workspaceID), \(bind: surveyID), \(bind: contact.id), \(bind: channel.rawValue), \(bind: tokenHash),
                    \(bind: contact.email), \(bind: contact.locale), 'sent', \(bind: now.milliseconds), \(bind: now.milliseconds),
                    \(bind: now.milliseconds), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            let invitation = Invitation(id: id, workspaceID: workspaceID, surveyID: surveyID, contactID: contact.id, channel: channel,
                                        email: contact.email, locale: contact.locale, status: .sent, sendAt: now, sentAt: now,
                                        createdAt: now, updatedAt: now)
            return .success((invitation, contact))
        }
    }

    static func decodeLink(_ row: any SQLRow) throws -> SurveyLink {
        SurveyLink(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                   surveyID: try row.decode(column: "survey_id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                   channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .link,
                   expiresAt: try row.decode(column: "expires_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                   revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                   createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)))
    }
}
