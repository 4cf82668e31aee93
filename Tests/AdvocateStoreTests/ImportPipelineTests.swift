import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import Testing

/// `recordImport`: an import's chunks, the next planned while the last is written.
@Suite("Import pipeline: chunks planned one ahead land as recording them one by one does")
struct ImportPipelineTests {
    /// Chunks of imported answers: people who answer in several chunks, a contact that exists
    /// before the import (with properties the answers snapshot), a source id recorded before the
    /// import and one repeated two chunks later, comments, tags, notes and a property.
    static func chunks(survey: Int64) -> [[ResponseSubmission]] {
        var random = SeededGenerator(seed: 8)
        var result: [[ResponseSubmission]] = []
        var n = 0
        for chunk in 0..<6 {
            var items: [ResponseSubmission] = []
            for _ in 0..<(20 + chunk) {
                n += 1
                let person = Int.random(in: 0..<25, using: &random)
                var s = ResponseSubmission(surveyID: survey, contact: ContactInput(email: "p\(person)@example.test", name: "Person \(person)"),
                                           score: Score(Int.random(in: 0...10, using: &random))!,
                                           comment: n % 3 == 0 ? "comment \(n)" : nil,
                                           properties: ["Plan": .string(person % 2 == 0 ? "paid" : "free")],
                                           createdAt: Timestamp(milliseconds: 1_700_000_000_000 + Int64(n) * 3_600_000), channel: .import)
                s.sourceID = "delighted:\(n)"
                s.tags = n % 4 == 0 ? ["pricing"] : []
                s.notes = n % 5 == 0 ? ["Called back"] : []
                items.append(s)
            }
            result.append(items)
        }
        result[3][1].sourceID = result[1][2].sourceID   // a repeat two chunks later: recorded once
        result[4][0].sourceID = "delighted:before"       // recorded before the import
        return result
    }

    /// What a workspace holds, without ids: each response by source id, with its contact's e-mail.
    static func contents(_ store: AdvocateStore, _ workspaceID: Int64, survey: Int64) async throws -> [String] {
        var emails: [Int64: String] = [:]
        var lines: [String] = []
        for r in try await store.allResponses(workspaceID) {
            if let id = r.contactID, emails[id] == nil { emails[id] = try await store.contact(workspaceID: workspaceID, id: id)?.email }
            let notes = try await store.notes(workspaceID: workspaceID, responseIDs: [r.id])[r.id]?.map(\.text) ?? []
            lines.append("\(r.sourceID ?? "-") \(r.score.value) \(r.comment ?? "-") \(r.createdAt) \(r.tags) \(notes) "
                         + "\(r.properties.jsonText) \(r.contactID.flatMap { emails[$0] } ?? "-")")
        }
        lines.append("rollup \(try await store.rollupTally(survey))")
        lines.append("paid \(try await store.rollupTally(survey, dimension: "Plan", segment: "paid"))")
        lines.append("tier \(try await store.rollupTally(survey, dimension: "Tier", segment: "gold"))")
        return lines.sorted()
    }

    /// A workspace with a survey, the contact that exists before the import and the answer
    /// recorded before it.
    static func prepared(_ store: AdvocateStore) async throws -> (Workspace, Survey) {
        let ws = try await store.makeWorkspace()
        let survey = try await store.makeSurvey(ws.id)
        _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(email: "p3@example.test", properties: ["Tier": .string("gold")]))
        var before = ResponseSubmission(surveyID: survey.id, contact: ContactInput(email: "p4@example.test"), score: Score(2)!,
                                        createdAt: Timestamp(milliseconds: 1_690_000_000_000), channel: .import)
        before.sourceID = "delighted:before"
        _ = try await store.record(workspaceID: ws.id, [before], batch: true)
        return (ws, survey)
    }

    @Test("an import in chunks writes the same responses, contacts, notes and rollups, with the same outcomes, as recording each chunk",
          arguments: TestBackend.available)
    func sameAsRecording(backend: TestBackend) async throws {
        var expected: (contents: [String], created: [[Bool]]) = ([], [])
        try await withTestStore(backend) { store, _ in
            let (ws, survey) = try await Self.prepared(store)
            var created: [[Bool]] = []
            for chunk in Self.chunks(survey: survey.id) {
                created.append(try await store.record(workspaceID: ws.id, chunk, batch: true).map(\.created))
            }
            expected = (try await Self.contents(store, ws.id, survey: survey.id), created)
        }
        try await withTestStore(backend) { store, _ in
            let (ws, survey) = try await Self.prepared(store)
            let chunks = Self.chunks(survey: survey.id)
            var created: [[Bool]] = []
            var order: [Int] = []
            try await store.recordImport(workspaceID: ws.id, chunks) { index, outcomes in
                order.append(index)
                created.append(outcomes.map(\.created))
                #expect(outcomes.count == chunks[index].count)
            }
            #expect(order == Array(chunks.indices))
            #expect(created == expected.created)
            #expect(created[3][1] == false && created[4][0] == false, "a repeated and an earlier source id are not recorded again")
            #expect(try await Self.contents(store, ws.id, survey: survey.id) == expected.contents)
            let ids = try await store.allResponses(ws.id).map(\.id)
            #expect(Set(ids).count == ids.count)
        }
    }

    @Test("when somebody else writes between two chunks, the rest is recorded reading the database afresh, and nothing is lost",
          arguments: [false, true])
    func anotherWriterBetweenChunks(fromAnotherConnection: Bool) async throws {
        let db = try await TestDatabase.make(.sqlite)
        defer { db.remove() }
        let store = try await db.openStore()
        let other = fromAnotherConnection ? try await db.openStore() : store
        do {
            let (ws, survey) = try await Self.prepared(store)
            var chunks = Self.chunks(survey: survey.id)
            // Chunks 0, 1 and 2 each have an answer of one new person, whose e-mail somebody
            // else changes once chunk 0 is written: chunk 1 is planned by then, and a plan that
            // did not notice would give the later answers to the person under their new address.
            for chunk in 0...2 { chunks[chunk][0].contact = ContactInput(email: "late@example.test") }
            var moved: Int64?
            try await store.recordImport(workspaceID: ws.id, chunks) { index, _ in
                guard index == 0 else { return }
                let person = try #require(try await other.contact(workspaceID: ws.id, email: "late@example.test"))
                #expect(try await other.changeContactEmail(workspaceID: ws.id, contactID: person.id, to: "moved@example.test"))
                moved = person.id
            }
            let responses = try await store.allResponses(ws.id)
            #expect(responses.count == chunks.joined().count - 1, "every answer but the repeated source id, and the one recorded before")
            let late = try #require(try await store.contact(workspaceID: ws.id, email: "late@example.test"))
            #expect(late.id != moved)
            let owners = try (0...2).map { chunk in try #require(responses.first { $0.sourceID == chunks[chunk][0].sourceID }).contactID }
            #expect(owners == [moved, late.id, late.id])
        } catch {
            if fromAnotherConnection { await other.close() }
            await store.close()
            throw error
        }
        if fromAnotherConnection { await other.close() }
        await store.close()
    }
}
