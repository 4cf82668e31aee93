/// The SQL of the key-driver and funnel rollups (migration 14): tables, backfill and the
/// triggers that keep them in step.
///
/// Triggers, not Swift, keep these two rollups because the rows they count change in many places
/// (answers, one-click scores turning into answers, comments edited, tagging, re-tagging, a
/// person adding or removing a theme, every e-mail event of an invitation, erasure, retention,
/// cascades from deleted contacts, themes and surveys): a trigger runs in the transaction of every
/// one of them, including writes added later, so the rollup cannot drift from the rows.
///
/// Every change is written as "take the old row's contribution away, add the new row's". A delete
/// that cascades is counted exactly once: an answer and its invitation (no foreign key between
/// them) each subtract what they can still see of the other, so whichever goes first; a response's
/// themes, which its deletion cascades to after the row is gone, are subtracted just before it goes.
enum RollupTriggers {
    /// Invitations are counted per quarter hour of their creation (UTC): every zone's midnight is
    /// on a quarter hour, so any local day's bounds are whole slots, and a survey's zone change
    /// moves nothing.
    static let funnelSlotMilliseconds: Int64 = 900_000

    static func statements(_ dialect: Dialect) -> [String] {
        let clustered = dialect == .sqlite ? " WITHOUT ROWID" : ""
        return [
            // The funnel of a period that is not on quarter hours, or filtered, reads the
            // invitations of the period only.
            "CREATE INDEX invitations_survey_created ON invitations (survey_id, created_at)",
            // Commenters per survey, local day and theme, by category; theme 0 is every commenter.
            """
            CREATE TABLE driver_rollups (
                survey_id BIGINT NOT NULL,
                day INTEGER NOT NULL,
                theme_id BIGINT NOT NULL,
                promoters BIGINT NOT NULL DEFAULT 0, passives BIGINT NOT NULL DEFAULT 0, detractors BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (survey_id, day, theme_id))\(clustered)
            """,
            // The funnel of the invitations created in each quarter hour, with their counted answers.
            """
            CREATE TABLE funnel_rollups (
                survey_id BIGINT NOT NULL,
                slot BIGINT NOT NULL,
                invited BIGINT NOT NULL DEFAULT 0, sent BIGINT NOT NULL DEFAULT 0, bounced BIGINT NOT NULL DEFAULT 0,
                opened BIGINT NOT NULL DEFAULT 0, clicked BIGINT NOT NULL DEFAULT 0, answered BIGINT NOT NULL DEFAULT 0,
                promoters BIGINT NOT NULL DEFAULT 0, passives BIGINT NOT NULL DEFAULT 0, detractors BIGINT NOT NULL DEFAULT 0,
                commented BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (survey_id, slot))\(clustered)
            """,
            """
            INSERT INTO driver_rollups (survey_id, day, theme_id, promoters, passives, detractors)
            SELECT survey_id, day, 0, \(categorySums("score")) FROM responses
            WHERE status = 'counted' AND comment IS NOT NULL GROUP BY survey_id, day
            """,
            """
            INSERT INTO driver_rollups (survey_id, day, theme_id, promoters, passives, detractors)
            SELECT r.survey_id, r.day, rt.theme_id, \(categorySums("r.score")) FROM response_themes rt JOIN responses r ON r.id = rt.response_id
            WHERE rt.applied = 1 AND r.status = 'counted' AND r.comment IS NOT NULL GROUP BY r.survey_id, r.day, rt.theme_id
            """,
            """
            INSERT INTO funnel_rollups (survey_id, slot, invited, sent, bounced, opened, clicked, answered, promoters, passives, detractors, commented)
            SELECT survey_id, created_at / \(funnelSlotMilliseconds), COUNT(*), SUM(\(sentFlag("invitations"))), SUM(\(bouncedFlag("invitations"))),
                   SUM(\(openedFlag("invitations"))), SUM(\(clickedFlag("invitations"))), 0, 0, 0, 0, 0
            FROM invitations GROUP BY survey_id, created_at / \(funnelSlotMilliseconds)
            """,
            """
            INSERT INTO funnel_rollups (survey_id, slot, answered, promoters, passives, detractors, commented)
            SELECT i.survey_id, i.created_at / \(funnelSlotMilliseconds), COUNT(*), \(categorySums("r.score")),
                   SUM(CASE WHEN r.comment IS NOT NULL THEN 1 ELSE 0 END)
            FROM responses r JOIN invitations i ON i.id = r.invitation_id WHERE r.status = 'counted'
            GROUP BY i.survey_id, i.created_at / \(funnelSlotMilliseconds)
            \(funnelUpsert)
            """,
        ] + (dialect == .sqlite ? sqliteTriggers : postgresTriggers)
    }

    // MARK: - What one row contributes

    private static func category(_ score: String, sign: String) -> String {
        "\(sign)(CASE WHEN \(score) >= 9 THEN 1 ELSE 0 END), \(sign)(CASE WHEN \(score) IN (7, 8) THEN 1 ELSE 0 END), \(sign)(CASE WHEN \(score) <= 6 THEN 1 ELSE 0 END)"
    }

    private static func categorySums(_ score: String) -> String {
        "SUM(CASE WHEN \(score) >= 9 THEN 1 ELSE 0 END), SUM(CASE WHEN \(score) IN (7, 8) THEN 1 ELSE 0 END), SUM(CASE WHEN \(score) <= 6 THEN 1 ELSE 0 END)"
    }

    private static func sentFlag(_ i: String) -> String { "CASE WHEN \(i).messages_sent > 0 OR \(i).status = 'bounced' THEN 1 ELSE 0 END" }
    private static func bouncedFlag(_ i: String) -> String { "CASE WHEN \(i).status = 'bounced' THEN 1 ELSE 0 END" }
    private static func openedFlag(_ i: String) -> String { "CASE WHEN \(i).opened_at IS NOT NULL THEN 1 ELSE 0 END" }
    private static func clickedFlag(_ i: String) -> String { "CASE WHEN \(i).clicked_at IS NOT NULL THEN 1 ELSE 0 END" }

    private static let driverUpsert = """
        ON CONFLICT (survey_id, day, theme_id) DO UPDATE SET promoters = driver_rollups.promoters + excluded.promoters,
        passives = driver_rollups.passives + excluded.passives, detractors = driver_rollups.detractors + excluded.detractors
        """

    private static let funnelUpsert = "ON CONFLICT (survey_id, slot) DO UPDATE SET "
        + ["invited", "sent", "bounced", "opened", "clicked", "answered", "promoters", "passives", "detractors", "commented"]
            .map { "\($0) = funnel_rollups.\($0) + excluded.\($0)" }.joined(separator: ", ")

    /// A response `r` (NEW or OLD) as a commenter of its day: every commenter, then each applied theme.
    private static func responseAsCommenter(_ r: String, sign: String) -> [String] {
        [
            """
            INSERT INTO driver_rollups (survey_id, day, theme_id, promoters, passives, detractors)
            VALUES (\(r).survey_id, \(r).day, 0, \(category("\(r).score", sign: sign))) \(driverUpsert)
            """,
            """
            INSERT INTO driver_rollups (survey_id, day, theme_id, promoters, passives, detractors)
            SELECT \(r).survey_id, \(r).day, rt.theme_id, \(category("\(r).score", sign: sign)) FROM response_themes rt
            WHERE rt.response_id = \(r).id AND rt.applied = 1 \(driverUpsert)
            """,
        ]
    }

    /// A theme row `t` (NEW or OLD) of a commenter still present.
    private static func themeRow(_ t: String, sign: String) -> String {
        """
        INSERT INTO driver_rollups (survey_id, day, theme_id, promoters, passives, detractors)
        SELECT r.survey_id, r.day, \(t).theme_id, \(category("r.score", sign: sign)) FROM responses r
        WHERE r.id = \(t).response_id AND r.status = 'counted' AND r.comment IS NOT NULL \(driverUpsert)
        """
    }

    /// A counted answer `r` (NEW or OLD) to an invitation still present.
    private static func answerOfInvitation(_ r: String, sign: String) -> String {
        """
        INSERT INTO funnel_rollups (survey_id, slot, answered, promoters, passives, detractors, commented)
        SELECT i.survey_id, i.created_at / \(funnelSlotMilliseconds), \(sign)1, \(category("\(r).score", sign: sign)),
               \(sign)(CASE WHEN \(r).comment IS NOT NULL THEN 1 ELSE 0 END)
        FROM invitations i WHERE i.id = \(r).invitation_id \(funnelUpsert)
        """
    }

    /// An invitation `i` (NEW or OLD) with the counted answers to it still present.
    private static func invitation(_ i: String, sign: String) -> String {
        """
        INSERT INTO funnel_rollups (survey_id, slot, invited, sent, bounced, opened, clicked, answered, promoters, passives, detractors, commented)
        SELECT \(i).survey_id, \(i).created_at / \(funnelSlotMilliseconds), \(sign)1, \(sign)(\(sentFlag(i))), \(sign)(\(bouncedFlag(i))),
               \(sign)(\(openedFlag(i))), \(sign)(\(clickedFlag(i))), \(sign)COUNT(*),
               \(["r.score >= 9", "r.score IN (7, 8)", "r.score <= 6", "r.comment IS NOT NULL"]
                   .map { "\(sign)COALESCE(SUM(CASE WHEN \($0) THEN 1 ELSE 0 END), 0)" }.joined(separator: ", "))
        FROM responses r WHERE r.invitation_id = \(i).id AND r.status = 'counted' \(funnelUpsert)
        """
    }

    // MARK: - When

    private static func commenter(_ r: String) -> String { "\(r).status = 'counted' AND \(r).comment IS NOT NULL" }
    private static func answer(_ r: String) -> String { "\(r).status = 'counted' AND \(r).invitation_id IS NOT NULL" }

    /// Whether an update touches what either rollup counts of a response; `distinct` is the
    /// dialect's null-safe inequality.
    private static func responseChanged(_ distinct: String) -> String {
        ["status", "score", "day", "survey_id", "invitation_id"].map { "OLD.\($0) \(distinct) NEW.\($0)" }.joined(separator: " OR ")
            + " OR (OLD.comment IS NULL) \(distinct) (NEW.comment IS NULL)"
    }

    private static func invitationChanged(_ distinct: String) -> String {
        ["survey_id", "created_at", "status"].map { "OLD.\($0) \(distinct) NEW.\($0)" }.joined(separator: " OR ")
            + " OR (OLD.messages_sent > 0) \(distinct) (NEW.messages_sent > 0)"
            + " OR (OLD.opened_at IS NULL) \(distinct) (NEW.opened_at IS NULL) OR (OLD.clicked_at IS NULL) \(distinct) (NEW.clicked_at IS NULL)"
    }

    private static func themeChanged(_ distinct: String) -> String {
        ["applied", "theme_id", "response_id"].map { "OLD.\($0) \(distinct) NEW.\($0)" }.joined(separator: " OR ")
    }

    // MARK: - SQLite

    private static var sqliteTriggers: [String] {
        func trigger(_ name: String, _ event: String, when: String, _ body: [String], before: Bool = false) -> String {
            "CREATE TRIGGER \(name) \(before ? "BEFORE" : "AFTER") \(event) WHEN \(when) BEGIN\n" + body.map { $0 + ";\n" }.joined() + "END"
        }
        let changed = responseChanged("IS NOT")
        return [
            trigger("rollups_response_insert_commenter", "INSERT ON responses", when: commenter("NEW"), responseAsCommenter("NEW", sign: "")),
            trigger("rollups_response_insert_answer", "INSERT ON responses", when: answer("NEW"), [answerOfInvitation("NEW", sign: "")]),
            trigger("rollups_response_update_old_commenter", "UPDATE ON responses", when: "(\(changed)) AND \(commenter("OLD"))",
                    responseAsCommenter("OLD", sign: "-")),
            trigger("rollups_response_update_new_commenter", "UPDATE ON responses", when: "(\(changed)) AND \(commenter("NEW"))",
                    responseAsCommenter("NEW", sign: "")),
            trigger("rollups_response_update_old_answer", "UPDATE ON responses", when: "(\(changed)) AND \(answer("OLD"))",
                    [answerOfInvitation("OLD", sign: "-")]),
            trigger("rollups_response_update_new_answer", "UPDATE ON responses", when: "(\(changed)) AND \(answer("NEW"))",
                    [answerOfInvitation("NEW", sign: "")]),
            trigger("rollups_response_delete_commenter", "DELETE ON responses", when: commenter("OLD"), responseAsCommenter("OLD", sign: "-"),
                    before: true),
            trigger("rollups_response_delete_answer", "DELETE ON responses", when: answer("OLD"), [answerOfInvitation("OLD", sign: "-")]),
            trigger("rollups_theme_insert", "INSERT ON response_themes", when: "NEW.applied = 1", [themeRow("NEW", sign: "")]),
            trigger("rollups_theme_update_old", "UPDATE ON response_themes", when: "(\(themeChanged("IS NOT"))) AND OLD.applied = 1",
                    [themeRow("OLD", sign: "-")]),
            trigger("rollups_theme_update_new", "UPDATE ON response_themes", when: "(\(themeChanged("IS NOT"))) AND NEW.applied = 1",
                    [themeRow("NEW", sign: "")]),
            trigger("rollups_theme_delete", "DELETE ON response_themes", when: "OLD.applied = 1", [themeRow("OLD", sign: "-")]),
            trigger("rollups_invitation_insert", "INSERT ON invitations", when: "1", [invitation("NEW", sign: "")]),
            trigger("rollups_invitation_update", "UPDATE ON invitations", when: invitationChanged("IS NOT"),
                    [invitation("OLD", sign: "-"), invitation("NEW", sign: "")]),
            trigger("rollups_invitation_delete", "DELETE ON invitations", when: "1", [invitation("OLD", sign: "-")]),
        ]
    }

    // MARK: - PostgreSQL

    private static var postgresTriggers: [String] {
        func function(_ name: String, _ body: [String], returning: String = "NULL") -> String {
            "CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n" + body.map { $0 + ";\n" }.joined()
                + "RETURN \(returning);\nEND\n$$"
        }
        func when(_ condition: String, _ statements: [String]) -> String {
            "IF \(condition) THEN\n" + statements.map { $0 + ";\n" }.joined() + "END IF"
        }
        let changed = responseChanged("IS DISTINCT FROM")
        // A commenter's themes are taken away before the row goes: its theme rows are deleted by
        // the cascade only after it, when they can no longer find its day and score.
        let responses = [
            when("TG_OP = 'UPDATE' AND (\(changed))", [when(commenter("OLD"), responseAsCommenter("OLD", sign: "-"))]),
            when("TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (\(changed)))", [when(answer("OLD"), [answerOfInvitation("OLD", sign: "-")])]),
            when("TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (\(changed)))", [
                when(commenter("NEW"), responseAsCommenter("NEW", sign: "")),
                when(answer("NEW"), [answerOfInvitation("NEW", sign: "")]),
            ]),
        ]
        let themes = [
            when("TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (\(themeChanged("IS DISTINCT FROM"))))", [when("OLD.applied = 1", [themeRow("OLD", sign: "-")])]),
            when("TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (\(themeChanged("IS DISTINCT FROM"))))", [when("NEW.applied = 1", [themeRow("NEW", sign: "")])]),
        ]
        let invitations = [
            when("TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (\(invitationChanged("IS DISTINCT FROM"))))", [invitation("OLD", sign: "-")]),
            when("TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (\(invitationChanged("IS DISTINCT FROM"))))", [invitation("NEW", sign: "")]),
        ]
        return [
            function("rollups_of_responses", responses),
            "CREATE TRIGGER rollups_responses AFTER INSERT OR UPDATE OR DELETE ON responses FOR EACH ROW EXECUTE FUNCTION rollups_of_responses()",
            // A BEFORE trigger must return the row, or the delete would not happen.
            function("rollups_of_deleted_commenter", [when(commenter("OLD"), responseAsCommenter("OLD", sign: "-"))], returning: "OLD"),
            "CREATE TRIGGER rollups_deleted_commenter BEFORE DELETE ON responses FOR EACH ROW EXECUTE FUNCTION rollups_of_deleted_commenter()",
            function("rollups_of_response_themes", themes),
            "CREATE TRIGGER rollups_response_themes AFTER INSERT OR UPDATE OR DELETE ON response_themes FOR EACH ROW EXECUTE FUNCTION rollups_of_response_themes()",
            function("rollups_of_invitations", invitations),
            "CREATE TRIGGER rollups_invitations AFTER INSERT OR UPDATE OR DELETE ON invitations FOR EACH ROW EXECUTE FUNCTION rollups_of_invitations()",
        ]
    }
}
