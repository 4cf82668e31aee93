import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import NPS
import Testing

@Suite("Retention policy")
struct RetentionTests {
    @Test("the first kept day is N calendar months back; a 31st becomes the month's last day")
    func firstKeptDay() {
        let day = { (s: String) in CalendarDay(iso8601: s)! }
        #expect(RetentionPolicy(action: .delete, months: 6).firstKeptDay(today: day("2026-11-22")) == day("2026-05-22"))
        #expect(RetentionPolicy(action: .delete, months: 1).firstKeptDay(today: day("2026-03-31")) == day("2026-02-28"))
        #expect(RetentionPolicy(action: .delete, months: 14).firstKeptDay(today: day("2026-01-15")) == day("2024-11-15"))
        #expect(RetentionPolicy(action: .delete, months: 24).firstKeptDay(today: day("2024-02-29")) == day("2022-02-28"))
    }

    @Test("policies are read from JSON; anything else is named", arguments: [
        (#"{"action": "anonymise", "months": 12}"#, nil), (#"{"action": "off"}"#, nil), (#"{"action": "off", "months": null}"#, nil),
        (#"{"action": "shred", "months": 12}"#, "action"), (#"{"action": "delete"}"#, "months"), (#"{"action": "delete", "months": 0}"#, "months"),
        (#"{"action": "delete", "months": 12, "keep": true}"#, "keep"), (#"{"months": 12}"#, "action"),
    ] as [(String, String?)])
    func decode(_ json: String, field: String?) throws {
        do {
            _ = try RetentionPolicy.decode(try JSONValue.parse(json))
            #expect(field == nil, "\(json) accepted")
        } catch let e as ValidationError {
            #expect(e.issues.map(\.field) == [field ?? "-"], "\(json): \(e)")
        }
    }

    @Test("anonymise keeps the reports and drops who and what; delete uncounts; both idempotent and in batches; off does nothing",
          arguments: TestBackend.available)
    func apply(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, _ in
            let ws = try await store.makeWorkspace()
            let other = try await store.makeWorkspace("other")
            let survey = try await store.makeSurvey(ws.id)
            let otherSurvey = try await store.makeSurvey(other.id)
            try await store.answer(ws.id, survey: survey.id, contact: "a", score: 2, comment: "old and angry", properties: ["plan": .string("pro")], at: "2026-01-10T10:00:00Z")
            try await store.answer(ws.id, survey: survey.id, contact: "b", score: 9, comment: "old and happy", at: "2026-02-15T10:00:00Z")
            try await store.answer(ws.id, survey: survey.id, contact: "c", score: 10, comment: "recent", at: "2026-11-01T10:00:00Z")
            try await store.answer(other.id, survey: otherSurvey.id, contact: "a", score: 2, comment: "another workspace", at: "2026-01-10T10:00:00Z")
            let before = try await store.rollupTally(survey.id)
            let plan = try await store.rollupTally(survey.id, dimension: "plan", segment: "pro")
            #expect(try await store.applyRetention(workspaceID: ws.id) == 0, "off by default")

            try await store.setRetention(workspaceID: ws.id, RetentionPolicy(action: .anonymise, months: 6))
            #expect(try await store.applyRetention(workspaceID: ws.id, batchSize: 1) == 2)
            let kept = try await store.allResponses(ws.id)
            #expect(kept.map(\.comment) == [nil, nil, "recent"] && kept.map(\.contactID).prefix(2).allSatisfy { $0 == nil })
            #expect(kept[0].properties["plan"] == .string("pro"), "segments stay")
            #expect(try await store.rollupTally(survey.id) == before)
            #expect(try await store.rollupTally(survey.id, dimension: "plan", segment: "pro") == plan)
            #expect(try await store.applyRetention(workspaceID: ws.id) == 0, "nothing left to anonymise")
            #expect(try await store.retention(workspaceID: ws.id)?.lastRunCount == 0)

            try await store.setRetention(workspaceID: ws.id, RetentionPolicy(action: .delete, months: 6))
            #expect(try await store.applyRetention(workspaceID: ws.id, batchSize: 1) == 2)
            #expect(try await store.allResponses(ws.id).map(\.comment) == ["recent"])
            #expect(try await store.rollupTally(survey.id) == tally(try await store.allResponses(ws.id)), "the rollup forgets the deleted answers")
            #expect(try await store.applyRetention(workspaceID: ws.id) == 0)
            #expect(try await store.allResponses(other.id).map(\.comment) == ["another workspace"], "other workspaces keep theirs")

            try await store.setRetention(workspaceID: ws.id, nil)
            #expect(try await store.retention(workspaceID: ws.id) == nil)
            #expect(try await store.workspacesWithRetention() == [])
        }
    }
}
