import AdvocateCore
import Foundation
import SQLKit

/// One time the widget asked someone.
public struct WidgetDisplay: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var surveyID: Int64
    public var contactID: Int64
    public var locale: String?
    public var shownAt: Timestamp
    public var answeredAt: Timestamp?
    public var dismissedAt: Timestamp?
    public var responseID: Int64?
}

/// A workspace's widget settings and its signing secret.
public struct WidgetConfiguration: Sendable, Hashable {
    public var settings: WidgetSettings
    /// The key the host's backend signs user ids with; nil until one is made.
    public var secret: String?
}

/// Why the widget cannot be configured as asked.
public enum WidgetConfigurationError: Error, Sendable, Hashable {
    case unknownSurvey(Int64)
}

extension AdvocateStore {
    /// The widget configuration of the workspace (defaults when never set).
    public func widgetConfiguration(workspaceID: Int64) async throws -> WidgetConfiguration {
        try await database.read { sql in try await Self.widgetConfiguration(workspaceID: workspaceID, in: sql) }
    }

    static func widgetConfiguration(workspaceID: Int64, in sql: any SQLDatabase) async throws -> WidgetConfiguration {
        guard let row = try await sql.raw("SELECT settings, secret FROM widget_settings WHERE workspace_id = \(bind: workspaceID)").first() else {
            return WidgetConfiguration(settings: WidgetSettings(), secret: nil)
        }
        return WidgetConfiguration(settings: WidgetSettings(stored: try row.decode(column: "settings", as: String.self)),
                                   secret: try row.decode(column: "secret", as: String?.self))
    }

    /// Replaces the widget settings; refuses a survey of another workspace.
    public func saveWidgetSettings(workspaceID: Int64, _ settings: WidgetSettings,
                                   audit: AuditActor? = nil) async throws -> Result<WidgetConfiguration, WidgetConfigurationError> {
        let now = clock.now()
        return try await database.write { sql in
            if let surveyID = settings.surveyID, try await Self.survey(workspaceID: workspaceID, id: surveyID, in: sql) == nil {
                return .failure(.unknownSurvey(surveyID))
            }
            try await sql.raw("""
                INSERT INTO widget_settings (workspace_id, settings, updated_at) VALUES (\(bind: workspaceID), \(bind: settings.json.serialized()), \(bind: now.milliseconds))
                ON CONFLICT (workspace_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
                """).run()
            try await Self.audit(audit, workspaceID: workspaceID, action: "widget.settings_changed", target: ("widget", nil),
                                 changes: ["settings": settings.json], at: now, in: sql)
            return .success(try await Self.widgetConfiguration(workspaceID: workspaceID, in: sql))
        }
    }

    /// Replaces the signing secret: identities signed with the old one are refused from now on.
    public func setWidgetSecret(workspaceID: Int64, _ secret: String, audit: AuditActor? = nil) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                INSERT INTO widget_settings (workspace_id, secret, updated_at) VALUES (\(bind: workspaceID), \(bind: secret), \(bind: now.milliseconds))
                ON CONFLICT (workspace_id) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at
                """).run()
            try await Self.audit(audit, workspaceID: workspaceID, action: "widget.secret_rotated", target: ("widget", nil), at: now, in: sql)
        }
    }

    /// Decides whether the widget asks `contact` now and, if so, records the display (in one
    /// transaction, so concurrent checks cannot overshoot the daily cap on PostgreSQL: the
    /// workspace's settings row is locked).
    public func openWidgetDisplay(workspaceID: Int64, contact: Contact, event: String?, locale: String,
                                  tokenHash: String) async throws -> Result<WidgetDisplay, WidgetHideReason> {
        let now = clock.now()
        let today = Int(now.milliseconds / Timestamp.millisecondsPerDay)
        return try await database.write { sql in
            let lock: SQLQueryString = self.database.dialect == .postgres ? " FOR UPDATE" : ""
            let configuration = try await sql.raw("SELECT settings FROM widget_settings WHERE workspace_id = \(bind: workspaceID)\(lock)").first()
            let settings = try configuration.map { WidgetSettings(stored: try $0.decode(column: "settings", as: String.self)) } ?? WidgetSettings()
            guard settings.enabled, let surveyID = settings.surveyID else { return .failure(.disabled) }

            var history = WidgetHistory()
            if case .string(let text)? = contact.properties["signed_up_at"] { history.signedUpAt = Timestamp(rfc3339: text) }
            history.lastAnsweredAt = try await sql.raw("""
                SELECT MAX(created_at) AS t FROM responses
                WHERE contact_id = \(bind: contact.id) AND survey_id = \(bind: surveyID) AND status = 'counted'
                """).first()?.decode(column: "t", as: Int64?.self).map(Timestamp.init(milliseconds:))
            history.lastDismissedAt = try await sql.raw("""
                SELECT MAX(dismissed_at) AS t FROM widget_displays WHERE contact_id = \(bind: contact.id)
                """).first()?.decode(column: "t", as: Int64?.self).map(Timestamp.init(milliseconds:))
            let shownToday = try await sql.raw("""
                SELECT contact_id FROM widget_displays WHERE workspace_id = \(bind: workspaceID) AND day = \(bind: today) GROUP BY contact_id
                """).all().map { try $0.decode(column: "contact_id", as: Int64.self) }
            history.shownToday = shownToday.contains(contact.id)
            history.othersShownToday = shownToday.count - (history.shownToday ? 1 : 0)
            if let email = contact.email {
                history.suppressed = try await Self.suppressions(workspaceID: workspaceID, emails: [email], in: sql)[email] != nil
            }
            if let reason = WidgetEligibility.decide(settings, history: history, event: event, contactID: contact.id, now: now) {
                return .failure(reason)
            }
            let id = try await sql.raw("""
                INSERT INTO widget_displays (workspace_id, survey_id, contact_id, token_hash, locale, event, day, shown_at)
                VALUES (\(bind: workspaceID), \(bind: surveyID), \(bind: contact.id), \(bind: tokenHash), \(bind: locale), \(bind: event),
                        \(bind: today), \(bind: now.milliseconds))
                RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            return .success(WidgetDisplay(id: id, workspaceID: workspaceID, surveyID: surveyID, contactID: contact.id, locale: locale,
                                          shownAt: now, answeredAt: nil, dismissedAt: nil, responseID: nil))
        }
    }

    /// The display with this token hash.
    public func widgetDisplay(tokenHash: String) async throws -> WidgetDisplay? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM widget_displays WHERE token_hash = \(bind: tokenHash)").first().map { row in
                WidgetDisplay(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64.self),
                              surveyID: try row.decode(column: "survey_id", as: Int64.self), contactID: try row.decode(column: "contact_id", as: Int64.self),
                              locale: try row.decode(column: "locale", as: String?.self),
                              shownAt: Timestamp(milliseconds: try row.decode(column: "shown_at", as: Int64.self)),
                              answeredAt: try row.decode(column: "answered_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                              dismissedAt: try row.decode(column: "dismissed_at", as: Int64?.self).map(Timestamp.init(milliseconds:)),
                              responseID: try row.decode(column: "response_id", as: Int64?.self))
            }
        }
    }

    /// Records that the user dismissed the widget (the first time counts; closing the thank-you
    /// after an answer is not a dismissal).
    public func dismissWidget(_ display: WidgetDisplay) async throws {
        let now = clock.now()
        try await database.write { sql in
            try await sql.raw("""
                UPDATE widget_displays SET dismissed_at = COALESCE(dismissed_at, \(bind: now.milliseconds)) WHERE id = \(bind: display.id) AND answered_at IS NULL
                """).run()
        }
    }
}
