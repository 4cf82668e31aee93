/// The schema, as the ordered list of migrations that builds it.
///
/// Conventions: times are BIGINT milliseconds since the epoch (UTC); local days are INTEGER days
/// since 1970-01-01 in the survey's zone; properties are JSON text with sorted keys. Everything
/// a workspace owns carries `workspace_id`, and every query filters on it.
enum Schema {
    static let migrations: [Migration] = [
        Migration(version: 1, reason: "workspaces, API tokens, surveys, contacts, responses and the NPS rollup") { _ in [
            """
            CREATE TABLE workspaces (
                id {id},
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE api_tokens (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                scopes TEXT NOT NULL DEFAULT 'read,write',
                created_at BIGINT NOT NULL,
                revoked_at BIGINT)
            """,
            """
            CREATE TABLE surveys (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                product_name TEXT NOT NULL,
                kind TEXT NOT NULL,
                default_locale TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                round_days INTEGER NOT NULL,
                settings TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX surveys_workspace ON surveys (workspace_id, id)",
            """
            CREATE TABLE contacts (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                external_id TEXT,
                email TEXT,
                name TEXT,
                locale TEXT,
                time_zone TEXT,
                properties TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX contacts_external_id ON contacts (workspace_id, external_id)",
            "CREATE UNIQUE INDEX contacts_email ON contacts (workspace_id, email)",
            "CREATE INDEX contacts_workspace ON contacts (workspace_id, id)",
            // status: counted answers are in reports; provisional and flagged ones (one-click
            // e-mail hits awaiting a human signal, link-scanner hits) are kept but never counted.
            """
            CREATE TABLE responses (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                contact_id BIGINT REFERENCES contacts(id) ON DELETE CASCADE,
                invitation_id BIGINT,
                score SMALLINT NOT NULL CHECK (score BETWEEN 0 AND 10),
                comment TEXT,
                properties TEXT NOT NULL DEFAULT '{}',
                channel TEXT NOT NULL,
                locale TEXT,
                status TEXT NOT NULL DEFAULT 'counted',
                day INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX responses_contact ON responses (contact_id, survey_id, created_at)",
            "CREATE INDEX responses_workspace ON responses (workspace_id, id)",
            "CREATE INDEX responses_survey_day ON responses (survey_id, day)",
            "CREATE INDEX responses_updated ON responses (workspace_id, updated_at, id)",
            // Score counts per survey, local day and segment: reports read these, never the
            // responses, so their cost depends on days × segments, not on response count.
            // dimension '' / segment '' is the survey as a whole.
            """
            CREATE TABLE nps_rollups (
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                dimension TEXT NOT NULL,
                segment TEXT NOT NULL,
                day INTEGER NOT NULL,
                s0 BIGINT NOT NULL DEFAULT 0, s1 BIGINT NOT NULL DEFAULT 0, s2 BIGINT NOT NULL DEFAULT 0,
                s3 BIGINT NOT NULL DEFAULT 0, s4 BIGINT NOT NULL DEFAULT 0, s5 BIGINT NOT NULL DEFAULT 0,
                s6 BIGINT NOT NULL DEFAULT 0, s7 BIGINT NOT NULL DEFAULT 0, s8 BIGINT NOT NULL DEFAULT 0,
                s9 BIGINT NOT NULL DEFAULT 0, s10 BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (survey_id, dimension, segment, day))
            """,
        ] },
        Migration(version: 2, reason: "NPS rollup clustered by its key on SQLite, so a report reads it without row lookups") { dialect in
            // A report reads every row of one survey and dimension in key order; as a rowid table
            // each index entry cost a second B-tree lookup (40% of report time over two years of data).
            dialect == .postgres ? [] : [
                """
                CREATE TABLE nps_rollups_clustered (
                    survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                    dimension TEXT NOT NULL,
                    segment TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    s0 BIGINT NOT NULL DEFAULT 0, s1 BIGINT NOT NULL DEFAULT 0, s2 BIGINT NOT NULL DEFAULT 0,
                    s3 BIGINT NOT NULL DEFAULT 0, s4 BIGINT NOT NULL DEFAULT 0, s5 BIGINT NOT NULL DEFAULT 0,
                    s6 BIGINT NOT NULL DEFAULT 0, s7 BIGINT NOT NULL DEFAULT 0, s8 BIGINT NOT NULL DEFAULT 0,
                    s9 BIGINT NOT NULL DEFAULT 0, s10 BIGINT NOT NULL DEFAULT 0,
                    PRIMARY KEY (survey_id, dimension, segment, day)) WITHOUT ROWID
                """,
                "INSERT INTO nps_rollups_clustered SELECT survey_id, dimension, segment, day, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10 FROM nps_rollups",
                "DROP TABLE nps_rollups",
                "ALTER TABLE nps_rollups_clustered RENAME TO nps_rollups",
            ]
        },
    ]
}
