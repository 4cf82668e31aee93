import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import Testing

@Suite("Ingest: rounds, atomic requests and group commit")
struct IngestTests {
    @Test("a second answer in the same round updates the response; the latest answer wins", arguments: TestBackend.available)
    func sameRoundUpdates(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id, roundDays: 90)
            let first = try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 9, comment: "Fast support", at: "2026-11-01T10:00:00Z")
            let second = try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 4, at: "2026-11-20T10:00:00Z")
            #expect(first.created)
            #expect(!second.created)
            #expect(second.id == first.id)
            #expect(second.category == .detractor)
            let responses = try await store.allResponses(ws.id)
            #expect(responses.count == 1)
            #expect(responses[0].score.value == 4)
            #expect(responses[0].comment == "Fast support")
            #expect(responses[0].createdAt == Timestamp(rfc3339: "2026-11-01T10:00:00Z"))
            #expect(try await store.rollupTally(survey.id) == Tally(promoters: 0, passives: 0, detractors: 1))
        }
    }

    @Test("answers with a source id are each their own response, recorded once however often they are sent; tags and notes kept", arguments: TestBackend.available)
    func sourceIDsRecordOnce(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let other = try await store.ensureWorkspace(slug: "other").workspace
            let survey = try await store.makeSurvey(ws.id, roundDays: 90)
            func imported(_ id: String, _ score: Int, _ at: String) -> ResponseSubmission {
                var s = ResponseSubmission(surveyID: survey.id, contact: ContactInput(email: "ada@example.test"), score: Score(score)!,
                                           comment: "c\(id)", createdAt: Timestamp(rfc3339: at)!, channel: .import)
                s.sourceID = "delighted:\(id)"
                s.tags = ["pricing", "support"]
                s.notes = ["Called back"]
                return s
            }
            // Two answers of one person within a round stay two responses: history as it was.
            let batch = [imported("1", 9, "2026-11-01T10:00:00Z"), imported("2", 3, "2026-11-02T10:00:00Z"), imported("1", 9, "2026-11-01T10:00:00Z")]
            let first = try await store.record(workspaceID: ws.id, batch, batch: true)
            #expect(first.map(\.created) == [true, true, false])
            #expect(first[2].id == first[0].id)
            let again = try await store.record(workspaceID: ws.id, batch, batch: true)
            #expect(again.map(\.created) == [false, false, false])
            #expect(again.map(\.id) == first.map(\.id))
            let responses = try await store.allResponses(ws.id)
            #expect(responses.count == 2)
            #expect(responses.allSatisfy { $0.tags == ["pricing", "support"] })
            #expect(Set(responses.compactMap(\.sourceID)) == ["delighted:1", "delighted:2"])
            #expect(try await store.notes(workspaceID: ws.id, responseIDs: [first[0].id])[first[0].id]?.map(\.text) == ["Called back"])
            #expect(try await store.rollupTally(survey.id) == Tally(promoters: 1, passives: 0, detractors: 1))
            // Source ids are per workspace.
            let otherSurvey = try await store.makeSurvey(other.id)
            var elsewhere = imported("1", 9, "2026-11-01T10:00:00Z")
            elsewhere.surveyID = otherSurvey.id
            #expect(try await store.record(workspaceID: other.id, [elsewhere], batch: true).map(\.created) == [true])
        }
    }

    @Test("a batch larger than one INSERT statement is written whole, every value in its column", arguments: TestBackend.available)
    func largeBatchAcrossStatements(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id, roundDays: 90)
            // 2,345 answers: two full statements of 1,000 rows and a shorter last one, for
            // responses, their new contacts and their notes; nulls and non-Latin text in between.
            let comments = [nil, "Destek çok hızlı", "الدعم بطيء", "客服很慢，\n但是产品很好", "It's \"fine\"; 100%"]
            let batch = (0..<2_345).map { i -> ResponseSubmission in
                var s = ResponseSubmission(surveyID: survey.id, contact: ContactInput(email: "p\(i)@example.test"), score: Score(i % 11)!,
                                           comment: comments[i % comments.count],
                                           createdAt: Timestamp(milliseconds: 1_780_000_000_000 + Int64(i) * 60_000), channel: .import)
                s.sourceID = "csv:\(i)"
                s.tags = i % 2 == 0 ? [] : ["t\(i % 7)"]
                s.notes = i % 3 == 0 ? ["note \(i)"] : []
                return s
            }
            let outcomes = try await store.record(workspaceID: ws.id, batch, batch: true)
            #expect(outcomes.count == 2_345 && outcomes.allSatisfy(\.created))
            #expect(Set(outcomes.map(\.id)).count == 2_345)
            let responses = try await store.allResponses(ws.id)
            #expect(responses.count == 2_345)
            for r in responses {
                let i = Int(r.sourceID!.dropFirst(4))!
                #expect(r.score.value == i % 11)
                #expect(r.comment == comments[i % comments.count])
                #expect(r.tags == (i % 2 == 0 ? [] : ["t\(i % 7)"]))
                #expect(r.createdAt == Timestamp(milliseconds: 1_780_000_000_000 + Int64(i) * 60_000))
                #expect(r.contactID != nil)
            }
            let noted = outcomes.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.id)
            let notes = try await store.notes(workspaceID: ws.id, responseIDs: noted)
            #expect(notes.count == noted.count)
            #expect(notes[outcomes[2_343].id]?.map(\.text) == ["note 2343"])
            let expected = batch.reduce(into: Tally(promoters: 0, passives: 0, detractors: 0)) { t, s in
                switch s.score.category {
                case .promoter: t.promoters += 1
                case .passive: t.passives += 1
                case .detractor: t.detractors += 1
                }
            }
            #expect(try await store.rollupTally(survey.id) == expected)
        }
    }

    @Test("an answer arriving late with an older time does not overwrite a newer one", arguments: TestBackend.available)
    func staleAnswerIgnored(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 9, at: "2026-11-10T10:00:00Z")
            let late = try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 2, at: "2026-11-05T10:00:00Z")
            #expect(!late.created)
            #expect(late.category == .promoter)
            #expect(try await store.rollupTally(survey.id) == Tally(promoters: 1, passives: 0, detractors: 0))
        }
    }

    @Test("an answer a full round after the first starts a new response", arguments: TestBackend.available)
    func newRoundCreates(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id, roundDays: 90)
            try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 9, at: "2026-01-01T00:00:00Z")
            let later = try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 6, at: "2026-04-01T00:00:00Z")
            #expect(later.created)
            #expect(try await store.allResponses(ws.id).map(\.score.value) == [9, 6])
        }
    }

    @Test("a contact named only by e-mail is found again by e-mail and later given an external id", arguments: TestBackend.available)
    func contactByEmail(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let a = try await store.answer(ws.id, survey: survey.id, email: "zhang@example.cn", score: 8)
            let b = try await store.answer(ws.id, survey: survey.id, contact: "crm-7", email: "zhang@example.cn", score: 10)
            #expect(a.id == b.id)
            let contact = try await store.contact(workspaceID: ws.id, externalID: "crm-7")
            #expect(contact?.email == "zhang@example.cn")
        }
    }

    @Test("response properties are snapshotted with the contact's, and the response's own win", arguments: TestBackend.available)
    func propertySnapshot(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await store.answer(ws.id, survey: survey.id, contact: "u1", score: 9, properties: ["product": .string("mobile"), "plan": .string("trial")],
                                   contactProperties: ["plan": .string("paid"), "country": .string("KZ")])
            let r = try #require(try await store.allResponses(ws.id).first)
            #expect(r.properties == ["plan": .string("trial"), "country": .string("KZ"), "product": .string("mobile")])
            // Later changes to the contact do not rewrite history.
            _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "u1", properties: ["country": .string("TR")]))
            #expect(try await store.allResponses(ws.id).first?.properties["country"] == .string("KZ"))
            #expect(try await store.rollupTally(survey.id, dimension: "country", segment: "KZ").n == 1)
        }
    }

    @Test("a request with one bad item writes nothing, even in a batch", arguments: TestBackend.available)
    func requestIsAtomic(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let items = [
                ResponseSubmission(surveyID: survey.id, contact: ContactInput(externalID: "new-person"), score: Score(9)!),
                ResponseSubmission(surveyID: 999_999, contact: nil, score: Score(9)!),
            ]
            let error = await #expect(throws: ValidationError.self) { try await store.record(workspaceID: ws.id, items, batch: true) }
            #expect(error?.issues.map(\.field) == ["responses[1].survey_id"])
            #expect(try await store.allResponses(ws.id).isEmpty)
            #expect(try await store.contact(workspaceID: ws.id, externalID: "new-person") == nil)
            #expect(try await store.rollupTally(survey.id).n == 0)
        }
    }

    @Test("answers dated in the future are refused", arguments: TestBackend.available)
    func futureRefused(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            await #expect(throws: ValidationError.self) {
                try await store.answer(ws.id, survey: survey.id, score: 5, at: "2026-11-23T09:00:00Z")
            }
            #expect(try await store.allResponses(ws.id).isEmpty)
        }
    }

    @Test("hundreds of concurrent requests are all committed, a bad one among them refused alone", arguments: TestBackend.available)
    func concurrentRequests(backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            let results = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        let surveyID = i == 150 ? 424_242 : survey.id
                        let s = ResponseSubmission(surveyID: surveyID, contact: ContactInput(externalID: "c\(i % 120)"), score: Score(i % 11)!,
                                                   createdAt: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!.adding(milliseconds: Int64(i)))
                        return (try? await store.record(workspaceID: ws.id, [s], batch: false)) != nil
                    }
                }
                var ok: [Bool] = []
                for await r in group { ok.append(r) }
                return ok
            }
            #expect(results.filter { $0 }.count == 299)
            // 120 contacts in one round: one response each, whatever the interleaving.
            let responses = try await store.allResponses(ws.id)
            #expect(responses.count == 120)
            #expect(Set(responses.compactMap(\.contactID)).count == 120)
            #expect(try await store.rollupTally(survey.id) == tally(responses))
        }
    }
}
