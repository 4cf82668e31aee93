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
        Migration(version: 3, reason: "the job queue, invitations and the suppression list, for sending e-mail exactly once") { _ in [
            // One queue for every kind of background work. A job is claimable when it is queued
            // and due, or running with an expired lease (its worker died): `available_at` is
            // run_at for the one and lease_until for the other, so one index serves both.
            """
            CREATE TABLE jobs (
                id {id},
                workspace_id BIGINT REFERENCES workspaces(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL DEFAULT '{}',
                state TEXT NOT NULL,
                available_at BIGINT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL,
                lease_owner TEXT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                finished_at BIGINT)
            """,
            "CREATE INDEX jobs_claimable ON jobs (available_at) WHERE state IN ('queued', 'running')",
            "CREATE INDEX jobs_state ON jobs (workspace_id, state, id)",
            // An invitation asks one contact to answer one survey on one channel; its messages
            // (the first and up to two reminders) are jobs. The token in its links is stored
            // only as a hash.
            """
            CREATE TABLE invitations (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                campaign_id BIGINT,
                variant TEXT,
                channel TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                email TEXT,
                locale TEXT,
                status TEXT NOT NULL,
                send_at BIGINT NOT NULL,
                sent_at BIGINT,
                message_id TEXT,
                messages_sent INTEGER NOT NULL DEFAULT 0,
                reminders INTEGER NOT NULL DEFAULT 0,
                reminder_days INTEGER NOT NULL DEFAULT 3,
                clicked_at BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX invitations_contact ON invitations (contact_id, send_at)",
            "CREATE INDEX invitations_workspace ON invitations (workspace_id, id)",
            "CREATE INDEX invitations_survey ON invitations (survey_id, id)",
            // Reminders ask "has this invitation been answered?".
            "CREATE INDEX responses_invitation ON responses (invitation_id)",
            // One list for every channel: an address here is never sent a survey again until its
            // owner re-subscribes.
            """
            CREATE TABLE suppressions (
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                email TEXT NOT NULL,
                reason TEXT NOT NULL,
                detail TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, email))
            """,
        ] },
        Migration(version: 4, reason: "respondent pages: one answer per invitation, score-link hits, anonymous links and the in-app widget") { dialect in [
            // The page saves as the respondent goes: extra answers (JSON), "don't contact me", when
            // they finished, and for flagged hits why. An invitation has at most one response; an
            // anonymous link one per browser (the hash of its cookie).
            "ALTER TABLE responses ADD COLUMN answers TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE responses ADD COLUMN no_contact SMALLINT NOT NULL DEFAULT 0",
            "ALTER TABLE responses ADD COLUMN flag_reason TEXT",
            "ALTER TABLE responses ADD COLUMN completed_at BIGINT",
            "ALTER TABLE responses ADD COLUMN link_id BIGINT",
            "ALTER TABLE responses ADD COLUMN respondent_key TEXT",
            "DROP INDEX responses_invitation",
            "CREATE UNIQUE INDEX responses_invitation ON responses (invitation_id) WHERE invitation_id IS NOT NULL",
            "CREATE UNIQUE INDEX responses_link_respondent ON responses (link_id, respondent_key) WHERE link_id IS NOT NULL",
            // Every hit on a one-click score link, with the scanner signals it showed: bursts are
            // found from the recent hits, and reports count what was discarded.
            """
            CREATE TABLE score_link_hits (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                invitation_id BIGINT NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
                score SMALLINT NOT NULL,
                method TEXT NOT NULL,
                user_agent TEXT,
                signals TEXT NOT NULL,
                at BIGINT NOT NULL)
            """,
            "CREATE INDEX score_link_hits_invitation ON score_link_hits (invitation_id, at)",
            "CREATE INDEX score_link_hits_survey ON score_link_hits (survey_id, workspace_id, at)",
            // Reports count what they left out; these keep that count off the survey's full
            // history (a report over millions of responses reads rollups, not rows).
            "CREATE INDEX score_link_hits_discarded ON score_link_hits (survey_id, workspace_id) WHERE signals <> ''",
            "CREATE INDEX responses_uncounted ON responses (survey_id, workspace_id, status) WHERE status <> 'counted'",
            // Anonymous links (SMS, chat apps, QR codes): anyone with the link may answer, once per browser.
            """
            CREATE TABLE survey_links (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                channel TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                expires_at BIGINT,
                revoked_at BIGINT,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX survey_links_workspace ON survey_links (workspace_id, id)",
            // The widget's settings and signing secret (kept as is: verifying an HMAC needs the key).
            """
            CREATE TABLE widget_settings (
                workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
                settings TEXT NOT NULL DEFAULT '{}',
                secret TEXT,
                updated_at BIGINT NOT NULL)
            """,
            // Each time the widget asked someone, and what they did; `token_hash` names the
            // display in the widget's later calls, `day` (UTC) serves the daily cap.
            """
            CREATE TABLE widget_displays (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                locale TEXT,
                event TEXT,
                day INTEGER NOT NULL,
                shown_at BIGINT NOT NULL,
                answered_at BIGINT,
                dismissed_at BIGINT,
                response_id BIGINT)
            """,
            "CREATE INDEX widget_displays_day ON widget_displays (workspace_id, day, contact_id)",
            "CREATE INDEX widget_displays_contact ON widget_displays (contact_id, shown_at)",
        ] },
        Migration(version: 5, reason: "campaigns with A/B variants and opens, events and their trigger rules") { _ in [
            // A campaign's audience, sampling, schedule, reminders and variants are one JSON
            // definition (CampaignDefinition); its invitations point back to it.
            """
            CREATE TABLE campaigns (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                status TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                launched_at BIGINT)
            """,
            "CREATE INDEX campaigns_workspace ON campaigns (workspace_id, id)",
            "CREATE INDEX invitations_campaign ON invitations (campaign_id, contact_id) WHERE campaign_id IS NOT NULL",
            "ALTER TABLE invitations ADD COLUMN opened_at BIGINT",
            // What happened to a contact in the customer's product ("ticket.closed"), kept so that
            // triggers can be explained and replayed.
            """
            CREATE TABLE events (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                properties TEXT NOT NULL DEFAULT '{}',
                occurred_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX events_workspace ON events (workspace_id, id)",
            "CREATE INDEX events_contact ON events (contact_id, occurred_at)",
            // "Survey X, N hours after event Y, if its properties match".
            """
            CREATE TABLE triggers (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
                event_name TEXT NOT NULL,
                delay_minutes INTEGER NOT NULL,
                conditions TEXT NOT NULL DEFAULT '[]',
                throttle_days INTEGER NOT NULL,
                reminders INTEGER NOT NULL,
                enabled SMALLINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX triggers_event ON triggers (workspace_id, event_name)",
        ] },
        Migration(version: 6, reason: "dashboard accounts: users, workspace memberships with roles, sessions, one-time sign-in links") { _ in [
            // Passwords as bcrypt hashes; the address is the login name.
            """
            CREATE TABLE users (
                id {id},
                email TEXT NOT NULL UNIQUE,
                name TEXT,
                password_hash TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE memberships (
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (workspace_id, user_id))
            """,
            "CREATE INDEX memberships_user ON memberships (user_id)",
            // A signed-in browser: the cookie holds the token, the table its hash.
            """
            CREATE TABLE sessions (
                id {id},
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL)
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            // Set-a-password links (first user, invitations, resets): used once, then void.
            """
            CREATE TABLE user_links (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                purpose TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT)
            """,
        ] },
        Migration(version: 7, reason: "Delighted compatibility and imports: a token's survey, imported responses' source ids, tags and notes, an invitation's product name") { _ in [
            // The survey a token's /v1 (Delighted-compatible) calls act on: Delighted had one per API key.
            "ALTER TABLE api_tokens ADD COLUMN survey_id BIGINT REFERENCES surveys(id) ON DELETE SET NULL",
            // Where an imported or Delighted-created response came from ("delighted:123"): what
            // makes running an import twice import nothing twice.
            "ALTER TABLE responses ADD COLUMN source_id TEXT",
            "CREATE UNIQUE INDEX responses_source ON responses (workspace_id, source_id) WHERE source_id IS NOT NULL",
            // Labels people (or a former tool) put on a response: a JSON array of strings.
            "ALTER TABLE responses ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'",
            """
            CREATE TABLE response_notes (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
                author TEXT,
                text TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX response_notes_response ON response_notes (response_id, id)",
            // Delighted's question_product_name: the product this one invitation asks about.
            "ALTER TABLE invitations ADD COLUMN product_name TEXT",
        ] },
        Migration(version: 8, reason: "themes: keyword rules per workspace, each response's themes by rule or by hand, and re-tagging progress") { _ in [
            // rules: a JSON array of {"text", "language"} (docs/verbatims.md).
            """
            CREATE TABLE themes (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                rules TEXT NOT NULL DEFAULT '[]',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX themes_name ON themes (workspace_id, name)",
            // origin 'rule' rows are rewritten whenever rules are applied again; 'hand' rows are a
            // person's decision (applied 1: added, 0: removed) and win over the rules.
            """
            CREATE TABLE response_themes (
                response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
                theme_id BIGINT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                origin TEXT NOT NULL,
                applied SMALLINT NOT NULL,
                decided_by TEXT,
                decided_at BIGINT,
                PRIMARY KEY (response_id, theme_id))
            """,
            "CREATE INDEX response_themes_theme ON response_themes (theme_id, response_id)",
            // One run of applying the rules to every old comment, resumable from after_response_id.
            """
            CREATE TABLE theme_retags (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                total BIGINT NOT NULL,
                done BIGINT NOT NULL DEFAULT 0,
                after_response_id BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                finished_at BIGINT,
                superseded SMALLINT NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX theme_retags_workspace ON theme_retags (workspace_id, id)",
            // Bumped by every change of a workspace's themes: ingest re-reads the rules only then.
            "ALTER TABLE workspaces ADD COLUMN themes_version BIGINT NOT NULL DEFAULT 0",
        ] },
        Migration(version: 9, reason: "signed webhooks: endpoints with their secrets, deliveries and every attempt") { _ in [
            // The secret is kept as is, like the widget's: signing needs the key itself, so a
            // hash would not do. The API shows it once; the one before a rotation signs too
            // until previous_secret_expires_at. events: comma-separated event types; format: the
            // body sent (json, or a Slack-compatible message).
            """
            CREATE TABLE webhooks (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                format TEXT NOT NULL DEFAULT 'json',
                secret TEXT NOT NULL,
                previous_secret TEXT,
                previous_secret_expires_at BIGINT,
                enabled SMALLINT NOT NULL,
                disabled_reason TEXT,
                disabled_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX webhooks_workspace ON webhooks (workspace_id, id)",
            // One event for one endpoint, with the exact body its signatures cover; a job per
            // delivery sends it. The last attempt is copied here so that lists need no join.
            """
            CREATE TABLE webhook_deliveries (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                body TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_status_code INTEGER,
                last_duration_ms INTEGER,
                last_error TEXT,
                retry_until BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                delivered_at BIGINT)
            """,
            "CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id)",
            """
            CREATE TABLE webhook_attempts (
                id {id},
                delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
                at BIGINT NOT NULL,
                status_code INTEGER,
                duration_ms INTEGER NOT NULL,
                error TEXT)
            """,
            "CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id)",
        ] },
        Migration(version: 10, reason: "closing the loop: alert rules, each rule's firings (once per response), follow-up cases and their history") { _ in [
            // conditions and actions: JSON as the API shows them (docs/alerts.md). assign_turn
            // counts the rule's round-robin assignments, taken with one UPDATE … RETURNING so
            // that concurrent firings never take the same turn.
            """
            CREATE TABLE alert_rules (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                survey_id BIGINT REFERENCES surveys(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                combine TEXT NOT NULL,
                conditions TEXT NOT NULL,
                actions TEXT NOT NULL,
                enabled SMALLINT NOT NULL,
                assign_turn BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX alert_rules_workspace ON alert_rules (workspace_id, id)",
            // The primary key is what makes a rule fire once per response: retries, re-runs
            // and concurrent updates insert nothing the second time, and so do nothing.
            """
            CREATE TABLE alert_firings (
                rule_id BIGINT NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
                response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                fired_at BIGINT NOT NULL,
                PRIMARY KEY (rule_id, response_id))
            """,
            // One case per response, however many rules ask for one.
            """
            CREATE TABLE cases (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
                survey_id BIGINT NOT NULL,
                rule_id BIGINT REFERENCES alert_rules(id) ON DELETE SET NULL,
                owner_email TEXT,
                status TEXT NOT NULL,
                outcome TEXT,
                due_at BIGINT NOT NULL,
                first_contact_at BIGINT,
                resolved_at BIGINT,
                responded_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX cases_response ON cases (response_id)",
            "CREATE INDEX cases_workspace ON cases (workspace_id, id)",
            "CREATE INDEX cases_updated ON cases (workspace_id, updated_at, id)",
            "CREATE INDEX cases_due ON cases (workspace_id, status, due_at)",
            // Notes, replies and every change, in order: the case's history.
            """
            CREATE TABLE case_events (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                author TEXT,
                text TEXT NOT NULL,
                at BIGINT NOT NULL)
            """,
            "CREATE INDEX case_events_case ON case_events (case_id, id)",
        ] },
        Migration(version: 11, reason: "workspace invitations for people, each user's time zone and digest setting per workspace, digests sent once per period") { _ in [
            // An invitation to join a workspace: the e-mailed link holds the token, the table its hash.
            """
            CREATE TABLE member_invitations (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                email TEXT NOT NULL,
                role TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                accepted_at BIGINT,
                revoked_at BIGINT)
            """,
            "CREATE INDEX member_invitations_workspace ON member_invitations (workspace_id, id)",
            "ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'",
            // off, daily or weekly; no row is off. The secret signs the digest's one-click unsubscribe
            // link (an HMAC needs the key itself, so it is kept as is, like the webhooks' secrets).
            """
            CREATE TABLE digest_settings (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                frequency TEXT NOT NULL,
                secret TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, workspace_id))
            """,
            // The unique key that makes a digest go out once per period, across restarts and runners.
            """
            CREATE TABLE digest_sends (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                period TEXT NOT NULL,
                sent_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, workspace_id, period))
            """,
        ] },
        Migration(version: 12, reason: "privacy: each workspace's retention policy for old answers") { _ in [
            // No row is off. action: delete or anonymise (RetentionPolicy); last_run_at is when
            // the daily job last finished it, shown on the settings page.
            """
            CREATE TABLE retention_policies (
                workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
                action TEXT NOT NULL,
                months INTEGER NOT NULL,
                updated_at BIGINT NOT NULL,
                last_run_at BIGINT,
                last_run_count BIGINT)
            """,
        ] },
        Migration(version: 13, reason: "the audit log: who changed what in a workspace's administration, when and from where") { _ in [
            // actor is "user:ID", "token:ID" or "operator"; its label (an e-mail, a token's name) is
            // kept as it was then, so the log still reads after the user or token is gone.
            // changes is a small JSON object of what changed, never a secret.
            """
            CREATE TABLE audit_log (
                id {id},
                workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                actor_label TEXT NOT NULL,
                action TEXT NOT NULL,
                target_type TEXT NOT NULL,
                target_id TEXT,
                changes TEXT NOT NULL,
                ip TEXT)
            """,
            "CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id)",
            "CREATE INDEX audit_log_actor ON audit_log (workspace_id, actor, id)",
            "CREATE INDEX audit_log_action ON audit_log (workspace_id, action, id)",
        ] },
        Migration(version: 14, reason: "key-driver and funnel rollups kept by triggers, so a report never reads comments or invitations one by one") { dialect in
            RollupTriggers.statements(dialect)
        },
        Migration(version: 15, reason: "a survey's responses by the time they changed, so a filtered report reads only what changed since it last looked") { _ in [
            // AnswerColumns keeps each survey's answers in memory for reports filtered by several
            // segments and brings them up to date from this index (`answerColumns(surveyID:)`).
            "CREATE INDEX responses_survey_updated ON responses (survey_id, updated_at, id)",
        ] },
        Migration(version: 16, reason: "comments indexed by trigrams (FTS5 on SQLite, pg_trgm on PostgreSQL), so a search reads only the comments that can match") { dialect in
            CommentSearch.statements(dialect)
        },
        Migration(version: 17, reason: "a workspace's contacts by the time they changed, so a filtered funnel reads only the contacts changed since it last looked") { _ in [
            // The contacts' properties are held as columns for funnels filtered by segments
            // (`AdvocateStore.funnelFromColumns`) and brought up to date from this index.
            "CREATE INDEX contacts_workspace_updated ON contacts (workspace_id, updated_at, id)",
        ] },
        Migration(version: 18, reason: "searches of one or two characters answered from the comment index's trigrams, not by reading every comment") { dialect in
            CommentSearch.shortTextStatements(dialect)
        },
    ]
}
