import Foundation
import AdvocateCore
@testable import AdvocateStore
import AdvocateTestSupport
import NPS
import SQLKit
import Synchronization
import Testing

@Suite("Schema and persistence")
struct SchemaAndPersistenceTests {
    @Test("migrations bring a new database to the latest version and rerun as a no-op", arguments: TestBackend.available)
    func migrationsAreIdempotent(backend: TestBackend) async throws {
        let db = try await TestDatabase.make(backend)
        defer { db.remove() }
        let first = try await db.openStore()
        #expect(try await first.schemaVersion() == AdvocateStore.latestSchemaVersion)
        await first.close()
        let second = try await db.openStore()
        #expect(try await second.schemaVersion() == AdvocateStore.latestSchemaVersion)
        await second.close()
    }

    @Test("answers, contacts and reports survive closing and reopening the database", arguments: TestBackend.available)
    func dataSurvivesRestart(backend: TestBackend) async throws {
        let db = try await TestDatabase.make(backend)
        defer { db.remove() }
        let store = try await db.openStore()
        let ws = try await store.makeWorkspace()
        let survey = try await store.makeSurvey(ws.id)
        try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 10, comment: "Çok iyi")
        try await store.answer(ws.id, survey: survey.id, score: 3)
        await store.close()

        let reopened = try await db.openStore()
        let responses = try await reopened.allResponses(ws.id)
        #expect(responses.map(\.score.value) == [10, 3])
        #expect(responses[0].comment == "Çok iyi")
        #expect(try await reopened.contact(workspaceID: ws.id, externalID: "u1") != nil)
        #expect(try await reopened.rollupTally(survey.id) == Tally(promoters: 1, passives: 0, detractors: 1))
        await reopened.close()
    }

    @Test("a bulk load commits without waiting for the disk, then restores the writer's settings and leaves everything in the database file, also when it fails",
          arguments: TestBackend.available)
    func bulkLoadIsDurableAtTheEnd(backend: TestBackend) async throws {
        let db = try await TestDatabase.make(backend)
        defer { db.remove() }
        let store = try await db.openStore()
        let ws = try await store.makeWorkspace()
        let survey = try await store.makeSurvey(ws.id)
        @Sendable func settings() async throws -> [Int] {
            guard backend == .sqlite else { return [] }
            return try await store.database.write { sql in
                [try await sql.raw("PRAGMA synchronous").first()!.decode(column: "synchronous", as: Int.self),
                 try await sql.raw("PRAGMA wal_autocheckpoint").first()!.decode(column: "wal_autocheckpoint", as: Int.self)]
            }
        }
        let usual = backend == .sqlite ? [2, 1000] : []
        #expect(try await settings() == usual)
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            try await store.bulkLoad {
                try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 9)
                #expect(try await settings() == (backend == .sqlite ? [1, 0] : []))
                try await store.answer(ws.id, survey: survey.id, contact: "u2", score: 2)
                throw Stop()
            }
        }
        #expect(try await settings() == usual)
        try await store.bulkLoad { try await store.answer(ws.id, survey: survey.id, contact: "u3", score: 10) }
        #expect(try await settings() == usual)
        if case .sqlite(let dir) = db.location {
            // The final checkpoint emptied the WAL: every page is in the database file itself.
            let wal = try FileManager.default.attributesOfItem(atPath: dir + "/advocate.sqlite-wal")[.size] as? Int
            #expect(wal == 0)
        }
        await store.close()
        let reopened = try await db.openStore()
        #expect(try await reopened.allResponses(ws.id).map(\.score.value) == [9, 2, 10])
        await reopened.close()
    }

    @Test("a commit action runs once, before the write returns, for a transaction that commits (even one that wrote nothing), and never for one that rolls back",
          arguments: TestBackend.available)
    func commitActionRunsExactlyWithTheCommit(backend: TestBackend) async throws {
        let db = try await TestDatabase.make(backend)
        defer { db.remove() }
        let store = try await db.openStore()
        let ws = try await store.makeWorkspace()
        let runs = Mutex<[String]>([])

        let renamed = try await store.database.write({ sql in
            try await sql.raw("UPDATE workspaces SET name = 'Renamed' WHERE id = \(bind: ws.id)").run()
            return "renamed"
        }, atCommit: { label in runs.withLock { $0.append(label) } })
        #expect(runs.withLock { $0 } == [renamed])

        _ = try await store.database.write({ _ in "nothing written" }, atCommit: { label in runs.withLock { $0.append(label) } })
        #expect(runs.withLock { $0 } == ["renamed", "nothing written"])

        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.database.write({ sql -> String in
                try await sql.raw("UPDATE workspaces SET name = 'Rolled back' WHERE id = \(bind: ws.id)").run()
                throw Refused()
            }, atCommit: { label in runs.withLock { $0.append(label) } })
        }
        // Other transactions' commits (the hook sees every commit on SQLite) run nothing.
        _ = try await store.database.write { sql in
            try await sql.raw("UPDATE workspaces SET name = 'Plain' WHERE id = \(bind: ws.id)").run()
        }
        #expect(runs.withLock { $0 } == ["renamed", "nothing written"])
        let name = try await store.database.read { sql in
            try await sql.raw("SELECT name FROM workspaces WHERE id = \(bind: ws.id)").first()?.decode(column: "name", as: String.self)
        }
        #expect(name == "Plain")
        await store.close()
    }

    /// What makes e-mail sending exactly-once on SQLite (docs/mail.md): the action that releases
    /// held-back messages must run only once the commit would survive a kill -9 of this process,
    /// i.e. once its frames are in the WAL file. A copy of the files taken inside the action is
    /// what a restart after a kill at that instant would find.
    @Test("on SQLite a commit action runs once the commit is in the WAL: a copy of the files taken inside it holds the commit, also for the first commit of a restarted WAL")
    func sqliteCommitActionRunsAfterTheWALWrite() async throws {
        let db = try await TestDatabase.make(.sqlite)
        defer { db.remove() }
        guard case .sqlite(let directory) = db.location else { return }
        let store = try await db.openStore()
        let ws = try await store.makeWorkspace()
        let file = (directory as NSString).appendingPathComponent("advocate.sqlite")

        @Sendable func snapshot(_ name: String) -> String {
            let target = (directory as NSString).appendingPathComponent("snapshot-\(name)")
            try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: file + suffix) {
                try? FileManager.default.copyItem(atPath: file + suffix, toPath: (target as NSString).appendingPathComponent("advocate.sqlite" + suffix))
            }
            return target
        }
        func rename(to name: String) async throws -> String {
            try await store.database.write({ sql in
                try await sql.raw("UPDATE workspaces SET name = \(bind: name) WHERE id = \(bind: ws.id)").run()
                return name
            }, atCommit: { name in _ = snapshot(name) })
        }
        func nameInSnapshot(_ name: String) async throws -> String? {
            let copy = try await Database.openFile((directory as NSString).appendingPathComponent("snapshot-\(name)/advocate.sqlite"), readOnly: true)
            let name = try await copy.read { sql in
                try await sql.raw("SELECT name FROM workspaces WHERE id = \(bind: ws.id)").first()?.decode(column: "name", as: String.self)
            }
            await copy.close()
            return name
        }

        _ = try await rename(to: "in the WAL")
        #expect(try await nameInSnapshot("in the WAL") == "in the WAL")
        // After a checkpoint that empties the WAL, the next commit writes and syncs a new WAL
        // header before its frames: the action must wait for the frames, not that first sync.
        try await store.database.bulkLoad {}
        _ = try await rename(to: "after a restart")
        #expect(try await nameInSnapshot("after a restart") == "after a restart")
        _ = try await rename(to: "again")
        #expect(try await nameInSnapshot("again") == "again")
        await store.close()
    }

    @Test("a database at each earlier schema version, holding answers, upgrades to exactly the schema of a new one and keeps its answers",
          arguments: TestBackend.available)
    func upgradesFromEveryEarlierVersion(backend: TestBackend) async throws {
        let fresh = try await TestDatabase.make(backend)
        defer { fresh.remove() }
        let newest = try await Database.open(fresh.location, postgresConnections: 2)
        let expected = try await Self.schema(of: newest)
        await newest.close()
        #expect(expected.count > 40, "the schema description reads tables, columns and indexes: \(expected.count) lines")

        // Versions need not be contiguous: branches own numbers (8 themes, 9 webhooks) and may land in either order.
        for version in Schema.migrations.map(\.version).dropLast() {
            let db = try await TestDatabase.make(backend)
            defer { db.remove() }
            let database = try await Database.open(db.location, migrate: false, postgresConnections: 2)
            try await Migrator.migrate(database, upTo: version)
            #expect(try await Migrator.currentVersion(database) == version)
            // What version 1 could hold: a workspace, a survey, a contact and their answers with
            // the rollup the report reads.
            try await database.write { sql in
                try await sql.raw("INSERT INTO workspaces (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', 0)").run()
                try await sql.raw("""
                    INSERT INTO surveys (id, workspace_id, name, product_name, kind, default_locale, time_zone, round_days, created_at, updated_at)
                    VALUES (1, 1, 'Q4', 'Acme', 'relationship', 'tr', 'Europe/Istanbul', 90, 0, 0)
                    """).run()
                try await sql.raw("""
                    INSERT INTO contacts (id, workspace_id, external_id, email, properties, created_at, updated_at)
                    VALUES (1, 1, 'cus_1', 'ada@example.com', '{"plan":"pro"}', 0, 0)
                    """).run()
                try await sql.raw("""
                    INSERT INTO responses (id, workspace_id, survey_id, contact_id, score, comment, properties, channel, day, created_at, updated_at)
                    VALUES (1, 1, 1, 1, 10, 'Çok iyi, 很好', '{"plan":"pro"}', 'api', 20414, 1763769600000, 1763769600000),
                           (2, 1, 1, NULL, 3, NULL, '{}', 'link', 20414, 1763769600000, 1763769600000)
                    """).run()
                try await sql.raw("INSERT INTO nps_rollups (survey_id, dimension, segment, day, s3, s10) VALUES (1, '', '', 20414, 1, 1)").run()
            }
            try await Migrator.migrate(database)
            #expect(try await Migrator.currentVersion(database) == AdvocateStore.latestSchemaVersion)
            let upgraded = try await Self.schema(of: database)
            #expect(upgraded == expected, "from version \(version): \(Set(upgraded).symmetricDifference(expected).sorted().prefix(6))")

            let store = AdvocateStore(database: database, clock: ManualClock(Timestamp(rfc3339: "2026-11-30T09:00:00Z")!))
            let survey = try #require(try await store.survey(workspaceID: 1, id: 1))
            #expect(try await store.rollupTally(survey.id) == Tally(promoters: 1, passives: 0, detractors: 1), "from version \(version)")
            let answers = try await store.allResponses(1)
            #expect(answers.map(\.comment) == ["Çok iyi, 很好", nil], "from version \(version)")
            var search = ResponseFilter()
            search.search = "iyi, 很"
            #expect(try await store.allResponses(1, filter: search).map(\.id) == [1], "from version \(version)")
            if backend == .sqlite {
                // Found through the index the upgrade filled, not only by LIKE.
                let indexed = try await database.read { sql in
                    try await sql.raw("SELECT rowid AS id FROM response_comments_fts WHERE response_comments_fts MATCH '\"iyi, 很\"'").all()
                        .map { try $0.decode(column: "id", as: Int64.self) }
                }
                #expect(indexed == [1], "from version \(version)")
            }
            await store.close()
        }
    }

    @Test("two instances migrating one new PostgreSQL database at once both start, and each migration is applied once",
          .enabled(if: TestBackend.available.contains(.postgres)))
    func concurrentMigrationsOnPostgres() async throws {
        let db = try await TestDatabase.make(.postgres)
        async let first = Database.open(db.location, postgresConnections: 2)
        async let second = Database.open(db.location, postgresConnections: 2)
        let (a, b) = try await (first, second)
        let applied = try await a.read { sql in
            try await sql.raw("SELECT version FROM schema_migrations ORDER BY version").all().map { try $0.decode(column: "version", as: Int.self) }
        }
        #expect(applied == Schema.migrations.map(\.version))
        #expect(try await Migrator.currentVersion(b) == AdvocateStore.latestSchemaVersion)
        await a.close()
        await b.close()
    }

    /// Tables, columns (type, nullability, default) and indexes, one line each, sorted.
    static func schema(of database: Database) async throws -> [String] {
        try await database.read { sql in
            switch database.dialect {
            case .sqlite:
                var lines: [String] = []
                let objects = try await sql.raw("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'").all()
                for o in objects {
                    let type = try o.decode(column: "type", as: String.self), name = try o.decode(column: "name", as: String.self)
                    lines.append("\(type) \(name) on \(try o.decode(column: "tbl_name", as: String.self))")
                    guard type == "table" else { continue }
                    for c in try await sql.raw("SELECT name, type, \"notnull\" AS nn, dflt_value, pk FROM pragma_table_info(\(bind: name))").all() {
                        lines.append("column \(name).\(try c.decode(column: "name", as: String.self)) \(try c.decode(column: "type", as: String.self)) notnull=\(try c.decode(column: "nn", as: Int.self)) default=\(try c.decode(column: "dflt_value", as: String?.self) ?? "-") pk=\(try c.decode(column: "pk", as: Int.self))")
                    }
                }
                return lines.sorted()
            case .postgres:
                let columns = try await sql.raw("""
                    SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '-') AS d
                    FROM information_schema.columns WHERE table_schema = 'public' AND table_name != 'schema_migrations'
                    """).all().map { c in
                        "column \(try c.decode(column: "table_name", as: String.self)).\(try c.decode(column: "column_name", as: String.self)) \(try c.decode(column: "data_type", as: String.self)) nullable=\(try c.decode(column: "is_nullable", as: String.self)) default=\(try c.decode(column: "d", as: String.self))"
                    }
                let indexes = try await sql.raw("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'").all()
                    .map { "index \(try $0.decode(column: "indexdef", as: String.self))" }
                return (columns + indexes).sorted()
            }
        }
    }
}
