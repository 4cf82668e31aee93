import Logging
import SQLKit

/// "The comment contains this text": the response list's search, answered from a trigram index
/// (migration 16) instead of reading every comment.
///
/// The match itself is defined as it always was, by `LOWER(comment) LIKE LOWER('%text%')`:
/// PostgreSQL folds case by its own rules, SQLite folds ASCII letters only. The index only
/// narrows the rows that condition is checked on, so adding it changed no result:
///
/// - SQLite: an FTS5 table with the `trigram` tokenizer over `responses.comment` (external
///   content, kept by triggers on every insert, change and delete of a response). It folds case
///   for every script, more than LIKE does, so its matches are a superset of LIKE's and LIKE
///   then decides. Text of fewer than three characters (common in Chinese and Japanese: 客服,
///   慢) is no trigram, but starts one wherever enough characters follow it: the index is asked
///   for the trigrams that start with it, and the comments whose last two characters hold it
///   come from their own indexes (`Plan.trigrams`). When it has very many candidates, it is
///   common, and reading the comments newest first fills a page sooner.
/// - PostgreSQL: a `pg_trgm` GIN index on `lower(comment)`, which the planner uses for that same
///   LIKE when it is selective (and, by itself, for any length of text).
///
/// Deletes are secure on SQLite: an erased or retired comment's trigrams leave the index's pages
/// in the same transaction, not at some later merge.
enum CommentSearch {
    static let table = "response_comments_fts"
    static let postgresIndex = "responses_comment_trgm"
    /// SQLite: the index's trigrams with the number of comments holding each (migration 18), read
    /// by a range of terms (it reads only those terms' lists).
    static let trigrams = "response_comments_fts_terms"
    /// SQLite: comments by their last two characters, and by their last one, ASCII letters in
    /// lower case (migration 18). The expressions are written here once, as the indexes and the
    /// queries must spell them alike for SQLite to use the indexes.
    static let lastTwoIndex = "responses_comment_last_two", lastTwo = "lower(substr(comment, -2))"
    static let lastOneIndex = "responses_comment_last_one", lastOne = "lower(substr(comment, -1))"

    /// Fewer characters than a trigram cannot be looked up in the index as a phrase.
    static let shortestIndexedText = 3

    /// A short text that starts more trigrams than this, or whose candidates are more comments
    /// than `mostShortTextMatches`, is common: reading comments newest first fills a page sooner
    /// than gathering every candidate would.
    static let mostShortTextTrigrams = 400
    static let mostShortTextMatches = 20_000
    /// On PostgreSQL a GIN index yields its candidates only all at once, in a bitmap, about 2 µs
    /// each at 1M (問題, 15,000 candidates: 45 ms; read newest first: 16 ms), so fewer pay.
    static let mostPostgresShortTextMatches = 5_000

    /// How one search finds its candidate comments; `LIKE` then decides every match.
    enum Plan: Sendable, Hashable {
        /// The index matches the text as a phrase (three characters or more, SQLite).
        case phrase(String)
        /// Text of one or two characters on SQLite, as the index folds it (`text`). An occurrence
        /// followed by enough characters to make a trigram starts one: the FTS5 query `trigrams`
        /// names every trigram that starts with the text (nil when none does). The others are
        /// among a comment's last two characters, read from their own indexes: for two
        /// characters, a comment ending with them; for one, a comment whose last character, or
        /// the one before it, is it (terms from `text` up to `beyond`, excluded). Comments of
        /// one or two characters are found that way too.
        case trigrams(String?, text: String, beyond: String)
        /// Text of one or two characters on PostgreSQL, which pg_trgm cannot narrow: the comments
        /// holding each of its characters, from a GIN index of each comment's characters
        /// (`postgresCharactersIndex`), chosen when the index's statistics say few comments hold
        /// them (`postgresShortTextIsRare`).
        case characters
        /// Comments are read and checked one by one (text the index cannot narrow; on
        /// PostgreSQL, longer text too, whose trigram index the planner picks by itself).
        case scan
    }

    /// The plan for `text` (nil: no search), looking up the index's trigrams when it is short.
    static func plan(_ text: String?, dialect: Dialect, on sql: any SQLDatabase) async throws -> Plan? {
        guard let text else { return nil }
        guard dialect == .sqlite else {
            guard ftsPhrase(text) == nil else { return .scan }
            return try await postgresShortTextIsRare(text, on: sql) ? .characters : .scan
        }
        if let phrase = ftsPhrase(text) { return .phrase(phrase) }
        guard let folded = foldedAsTheIndexFolds(text), let beyond = successor(folded) else { return .scan }
        let rows = try await sql.raw("""
            SELECT term, doc FROM \(unsafeRaw: trigrams) WHERE term >= \(bind: folded) AND term < \(bind: beyond)
            LIMIT \(literal: mostShortTextTrigrams + 1)
            """).all()
        guard rows.count <= mostShortTextTrigrams else { return .scan }
        var candidates = 0
        var query: [String] = []
        for row in rows {
            candidates += try row.decode(column: "doc", as: Int.self)
            query.append(quoted(try row.decode(column: "term", as: String.self)))
        }
        guard candidates <= mostShortTextMatches else { return .scan }
        let plan = Plan.trigrams(query.isEmpty ? nil : query.joined(separator: " OR "), text: folded, beyond: beyond)
        // Counted up to the limit only, so a common ending costs no more than the limit.
        let endings: SQLQueryString = "SELECT COUNT(*) AS n FROM (\(endingWith(plan)) LIMIT \(literal: mostShortTextMatches + 1)) AS endings"
        candidates += try await sql.raw(endings).first()?.decode(column: "n", as: Int.self) ?? 0
        return candidates <= mostShortTextMatches ? plan : .scan
    }

    /// Whether few enough comments hold every character of `text` for the characters' index to
    /// beat reading newest first, by PostgreSQL's own statistics of that index: the share of
    /// comments holding each of its most common characters (a character not listed is rarer than
    /// the rarest listed). Its planner, left to itself, took the index for common text too (`x`:
    /// 80 ms, against 17 ms reading newest first, at 1M), and counting the candidates costs as
    /// much, as a GIN index is read whole before the first row. No statistics yet: not rare.
    private static func postgresShortTextIsRare(_ text: String, on sql: any SQLDatabase) async throws -> Bool {
        guard let row = try await sql.raw("""
            SELECT s.most_common_elems::text::text[] AS characters, s.most_common_elem_freqs AS shares, c.reltuples AS comments
            FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
            WHERE s.schemaname = current_schema() AND s.tablename = \(bind: postgresCharactersIndex) AND s.most_common_elems IS NOT NULL
            """).first() else { return false }
        let characters = try row.decode(column: "characters", as: [String].self)
        let shares = try row.decode(column: "shares", as: [Float].self)
        let comments = Double(try row.decode(column: "comments", as: Float.self))
        // After one share per character come the least and greatest of them, and the nulls' share.
        guard shares.count >= characters.count + 2 else { return false }
        var share: [String: Float] = [:]
        for (character, value) in zip(characters, shares) { share[character] = value }
        let rarest = shares[characters.count]
        var fewest: Float = 1
        for scalar in text.lowercased().unicodeScalars { fewest = min(fewest, share[String(scalar)] ?? rarest) }
        return Double(fewest) * comments <= Double(mostPostgresShortTextMatches)
    }

    /// The comments whose last two characters hold a short text (`Plan.trigrams`).
    private static func endingWith(_ plan: Plan) -> SQLQueryString {
        guard case .trigrams(_, let text, let beyond) = plan else { return "SELECT NULL AS id WHERE 0" }
        if text.unicodeScalars.count == 2 {
            return "SELECT id FROM responses WHERE comment IS NOT NULL AND \(unsafeRaw: lastTwo) = \(bind: text)"
        }
        return """
            SELECT id FROM responses WHERE comment IS NOT NULL AND \(unsafeRaw: lastTwo) >= \(bind: text) AND \(unsafeRaw: lastTwo) < \(bind: beyond) \
            UNION ALL SELECT id FROM responses WHERE comment IS NOT NULL AND \(unsafeRaw: lastOne) = \(bind: text)
            """
    }

    /// The SQL condition on `responses` for "the comment contains `text`". `joined`: the query
    /// already reads the index's matches (`newestMatches`), so only LIKE is left to check.
    static func condition(_ text: String, plan: Plan, joined: Bool = false) -> SQLQueryString {
        var q: SQLQueryString = ""
        switch plan {
        case .phrase(let phrase) where !joined:
            q += " AND responses.id IN (SELECT rowid FROM \(unsafeRaw: table) WHERE \(unsafeRaw: table) MATCH \(bind: phrase))"
        case .trigrams(let query, _, _):
            q += " AND responses.id IN ("
            if let query { q += "SELECT rowid FROM \(unsafeRaw: table) WHERE \(unsafeRaw: table) MATCH \(bind: query) UNION ALL " }
            q += endingWith(plan)
            q += ")"
        case .characters:
            // The index's expression, spelled alike; `lower` folds as LIKE's LOWER does.
            q += " AND responses.comment IS NOT NULL AND \(unsafeRaw: postgresCharacters("responses.comment"))"
            q += " @> regexp_split_to_array(lower(\(bind: text)), '')"
        case .phrase, .scan:
            break
        }
        q += " AND LOWER(responses.comment) LIKE LOWER(\(bind: ResponseFilter.containing(text))) ESCAPE '\\'"
        return q
    }

    /// The least string greater than every string that starts with `text`: its last character
    /// raised by one (text compares byte by byte in UTF-8, which is code point order); nil for
    /// the last code point of all.
    static func successor(_ text: String) -> String? {
        var scalars = Array(text.unicodeScalars)
        guard let last = scalars.popLast() else { return nil }
        let raised = last.value == 0xD7FF ? 0xE000 : last.value + 1
        guard let next = Unicode.Scalar(raised) else { return nil }
        scalars.append(next)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// For a list newest first on SQLite whose search the index matches as a phrase: the start
    /// of the FROM clause reading the index's matches newest first, each joined to its response,
    /// and the column to order and page by. The matches then drive the query and a page stops
    /// reading as soon as it is full; as `id IN (matches)` SQLite read every match and sorted
    /// them first (2.7 s for "problem" at 1,000,000 answers, against 0.5 ms this way). CROSS
    /// JOIN keeps that order of the loops.
    static func newestMatches(_ plan: Plan?) -> (from: SQLQueryString, id: String)? {
        guard case .phrase(let phrase) = plan else { return nil }
        return ("\(unsafeRaw: table) CROSS JOIN responses ON responses.id = \(unsafeRaw: table).rowid WHERE \(unsafeRaw: table) MATCH \(bind: phrase) AND",
                "\(table).rowid")
    }

    /// The FTS5 query matching `text` as one phrase, every character literal; nil when the text
    /// is too short for trigrams. Characters are counted as the tokenizer reads them (Unicode
    /// scalars; it skips NUL), not as Swift's graphemes.
    static func ftsPhrase(_ text: String) -> String? {
        guard text.unicodeScalars.lazy.filter({ $0 != "\0" }).count >= shortestIndexedText else { return nil }
        return quoted(text)
    }

    /// `text` as an FTS5 string (in double quotes, its own quotes doubled): AND, NEAR, `*`, `^`
    /// and `:` mean nothing inside.
    private static func quoted(_ text: String) -> String {
        var phrase = "\""
        for c in text {
            if c == "\"" { phrase.append("\"") }
            phrase.append(c)
        }
        return phrase + "\""
    }

    /// `text` as the index stores it (the tokenizer folds case), for looking it up among the
    /// trigrams; nil when that folding cannot be reproduced here with certainty. ASCII letters
    /// fold to lower case as everywhere, and characters without case (Chinese, Japanese, Arabic,
    /// digits, punctuation) are stored as they are; any other letter (İ, Ä, Ж) leaves the text to
    /// a scan rather than risk missing a comment.
    static func foldedAsTheIndexFolds(_ text: String) -> String? {
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\0" { return nil }
            if scalar.isASCII {
                folded.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            } else if scalar.properties.changesWhenCaseMapped {
                return nil
            } else {
                folded.append(scalar)
            }
        }
        return folded.isEmpty ? nil : String(folded)
    }

    /// PostgreSQL: each comment's characters (code points) after `lower`, for searches of one
    /// or two characters (migration 18).
    static let postgresCharactersIndex = "responses_comment_characters"
    static func postgresCharacters(_ text: String) -> String { "regexp_split_to_array(lower(\(text)), '')" }

    /// Migration 18, on SQLite: the index's trigrams as a table (a view of the index, no data of
    /// its own), and comments by their last characters. Nothing on PostgreSQL, whose index needs
    /// neither.
    static func shortTextStatements(_ dialect: Dialect) -> [String] {
        guard dialect == .sqlite else {
            return ["CREATE INDEX \(postgresCharactersIndex) ON responses USING gin (\(postgresCharacters("comment"))) WHERE comment IS NOT NULL"]
        }
        return [
            "CREATE VIRTUAL TABLE \(trigrams) USING fts5vocab(\(table), 'row')",
            "CREATE INDEX \(lastTwoIndex) ON responses (\(lastTwo)) WHERE comment IS NOT NULL",
            "CREATE INDEX \(lastOneIndex) ON responses (\(lastOne)) WHERE comment IS NOT NULL",
        ]
    }

    /// Migration 16: the index, filled from the comments already stored.
    static func statements(_ dialect: Dialect) -> [String] {
        switch dialect {
        case .sqlite: return sqliteStatements
        case .postgres: return [postgresStatement]
        }
    }

    // Only rows with a comment are indexed: the triggers skip the others, so an import of
    // answers without comments pays nothing. columnsize=0 because nothing ranks the matches.
    private static let sqliteStatements = [
        """
        CREATE VIRTUAL TABLE \(table) USING fts5(comment, content='responses', content_rowid='id', columnsize=0,
            tokenize='trigram case_sensitive 0')
        """,
        "INSERT INTO \(table) (\(table), rank) VALUES ('secure-delete', 1)",
        "INSERT INTO \(table) (rowid, comment) SELECT id, comment FROM responses WHERE comment IS NOT NULL",
        """
        CREATE TRIGGER \(table)_insert AFTER INSERT ON responses WHEN new.comment IS NOT NULL BEGIN
            INSERT INTO \(table) (rowid, comment) VALUES (new.id, new.comment);
        END
        """,
        // An external-content index forgets a row only when told exactly what it indexed.
        """
        CREATE TRIGGER \(table)_delete AFTER DELETE ON responses WHEN old.comment IS NOT NULL BEGIN
            INSERT INTO \(table) (\(table), rowid, comment) VALUES ('delete', old.id, old.comment);
        END
        """,
        """
        CREATE TRIGGER \(table)_update AFTER UPDATE OF comment ON responses WHEN old.comment IS NOT new.comment BEGIN
            INSERT INTO \(table) (\(table), rowid, comment) SELECT 'delete', old.id, old.comment WHERE old.comment IS NOT NULL;
            INSERT INTO \(table) (rowid, comment) SELECT new.id, new.comment WHERE new.comment IS NOT NULL;
        END
        """,
    ]

    // pg_trgm ships with PostgreSQL's contrib and is a trusted extension (PostgreSQL 13+): the
    // database's owner may create it without being a superuser. Where it cannot be created,
    // search keeps working without the index (`warnIfUnindexed` says so at every start). The
    // operator class is named with the schema the extension lives in, which need not be ours.
    private static let postgresStatement = """
        DO $$
        DECLARE trgm_schema text;
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
            EXECUTE format('CREATE INDEX \(postgresIndex) ON responses USING gin (lower(comment) %I.gin_trgm_ops)', trgm_schema);
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'advocate: comment search has no trigram index (%)', SQLERRM;
        END
        $$
        """
}

extension Database {
    /// Logs, on PostgreSQL, when comment search has no index to use (pg_trgm could not be created).
    func warnIfCommentSearchUnindexed() async {
        guard dialect == .postgres else { return }
        let indexed = try? await read { sql in
            try await sql.raw("SELECT 1 AS found FROM pg_indexes WHERE indexname = \(bind: CommentSearch.postgresIndex)").first() != nil
        }
        if indexed == false {
            logger.warning("""
                comment search reads every comment: the pg_trgm extension could not be created (it needs PostgreSQL's contrib \
                package and a user who owns the database); see docs/deploy.md
                """)
        }
    }
}
