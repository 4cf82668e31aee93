import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
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
}
