import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import Testing

@Suite("Surveys and contacts in the store")
struct SurveyAndContactStoreTests {
    @Test("surveys are created, listed by cursor, changed and deleted", arguments: TestBackend.available)
    func surveyLifecycle(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await store.makeSurvey(ws.id).id) }
            let first = try await store.surveys(workspaceID: ws.id, after: nil, limit: 2)
            #expect(first.items.map(\.id) == Array(ids.prefix(2)))
            let second = try await store.surveys(workspaceID: ws.id, after: Cursor.decode(try #require(first.nextCursor)), limit: 10)
            #expect(second.items.map(\.id) == Array(ids.dropFirst(2)))
            #expect(second.nextCursor == nil)

            let changed = try await store.updateSurvey(workspaceID: ws.id, id: ids[0], SurveyInput(name: "Renamed", roundDays: 30))
            #expect(changed?.name == "Renamed")
            #expect(changed?.roundDays == 30)
            #expect(changed?.productName == "Acme")

            #expect(try await store.deleteSurvey(workspaceID: ws.id, id: ids[0]))
            #expect(try await store.survey(workspaceID: ws.id, id: ids[0]) == nil)
            #expect(try await !store.deleteSurvey(workspaceID: ws.id, id: ids[0]))
        }
    }

    @Test("deleting a survey removes its responses and report", arguments: TestBackend.available)
    func deleteSurveyRemovesResponses(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let other = try await store.makeSurvey(ws.id)
            try await store.answer(ws.id, survey: survey.id, score: 9)
            try await store.answer(ws.id, survey: other.id, score: 2)
            #expect(try await store.deleteSurvey(workspaceID: ws.id, id: survey.id))
            #expect(try await store.allResponses(ws.id).map(\.surveyID) == [other.id])
            #expect(try await store.rollupTally(survey.id).n == 0)
            #expect(try await store.rollupTally(other.id).n == 1)
        }
    }

    @Test("one workspace cannot read, change or delete another's surveys, contacts or responses", arguments: TestBackend.available)
    func workspaceIsolation(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let a = try await store.makeWorkspace("a")
            let b = try await store.makeWorkspace("b")
            let survey = try await store.makeSurvey(a.id)
            let outcome = try await store.answer(a.id, survey: survey.id, contact: "shared-id", score: 9)

            #expect(try await store.survey(workspaceID: b.id, id: survey.id) == nil)
            #expect(try await store.updateSurvey(workspaceID: b.id, id: survey.id, SurveyInput(name: "x")) == nil)
            #expect(try await !store.deleteSurvey(workspaceID: b.id, id: survey.id))
            #expect(try await store.response(workspaceID: b.id, id: outcome.id) == nil)
            #expect(try await store.allResponses(b.id).isEmpty)
            #expect(try await store.contact(workspaceID: b.id, externalID: "shared-id") == nil)
            #expect(try await !store.eraseContact(workspaceID: b.id, externalID: "shared-id"))
            // B answering A's survey is refused and writes nothing.
            await #expect(throws: ValidationError.self) { try await store.answer(b.id, survey: survey.id, score: 1) }
            // The same external id in B is a different person.
            let (bContact, created) = try await store.upsertContact(workspaceID: b.id, ContactInput(externalID: "shared-id"))
            #expect(created)
            #expect(bContact.workspaceID == b.id)
            #expect(try await store.surveys(workspaceID: b.id, after: nil, limit: 10).items.isEmpty)
            #expect(try await store.rollupTally(survey.id).n == 1)
        }
    }

    @Test("contact upsert creates, then merges properties and null removes a property", arguments: TestBackend.available)
    func contactUpsertMerges(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let (created, wasCreated) = try await store.upsertContact(workspaceID: ws.id, ContactInput(
                externalID: "u-1", email: "ayse@example.com", name: "Ayşe", locale: "tr", timeZone: "Europe/Istanbul",
                properties: ["plan": .string("paid"), "mrr": .integer(120)]))
            #expect(wasCreated)
            let (updated, wasCreatedAgain) = try await store.upsertContact(workspaceID: ws.id, ContactInput(
                externalID: "u-1", properties: ["mrr": .null, "country": .string("TR")]))
            #expect(!wasCreatedAgain)
            #expect(updated.id == created.id)
            #expect(updated.properties == ["plan": .string("paid"), "country": .string("TR")])
            #expect(updated.email == "ayse@example.com")
            #expect(updated.locale == "tr")
        }
    }

    @Test("an e-mail that belongs to another contact is a conflict and changes nothing", arguments: TestBackend.available)
    func emailConflict(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "a", email: "x@example.com"))
            _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "b", email: "y@example.com"))
            await #expect(throws: ConflictError.self) {
                try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "b", email: "x@example.com", name: "B"))
            }
            let b = try await store.contact(workspaceID: ws.id, externalID: "b")
            #expect(b?.email == "y@example.com")
            #expect(b?.name == nil)
        }
    }

    @Test("erasing a contact removes their responses and the report stops counting them", arguments: TestBackend.available)
    func eraseContact(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await store.answer(ws.id, survey: survey.id, contact: "gone", score: 0, properties: ["plan": .string("paid")])
            try await store.answer(ws.id, survey: survey.id, contact: "stays", score: 10, properties: ["plan": .string("paid")])
            #expect(try await store.eraseContact(workspaceID: ws.id, externalID: "gone"))
            #expect(try await store.contact(workspaceID: ws.id, externalID: "gone") == nil)
            #expect(try await store.allResponses(ws.id).count == 1)
            #expect(try await store.rollupTally(survey.id) == Tally(promoters: 1, passives: 0, detractors: 0))
            #expect(try await store.rollupTally(survey.id, dimension: "plan", segment: "paid") == Tally(promoters: 1, passives: 0, detractors: 0))
            #expect(try await !store.eraseContact(workspaceID: ws.id, externalID: "gone"))
        }
    }
}
