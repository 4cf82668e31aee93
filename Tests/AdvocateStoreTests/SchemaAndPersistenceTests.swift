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
}
