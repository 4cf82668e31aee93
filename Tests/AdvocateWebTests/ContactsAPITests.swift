import Foundation
import AdvocateStore
import AdvocateCore
import AdvocateTestSupport
import Hummingbird
import Testing

@Suite("/api/v1/contacts")
struct ContactsAPITests {
    @Test("PUT creates (201), then updates (200) and merges properties", arguments: TestBackend.available)
    func upsert(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let first = try await api.send(.put, "/api/v1/contacts/cus_42", json: """
                {"email": "Ayse@Example.COM", "name": "Ayşe Yılmaz", "locale": "tr", "time_zone": "Europe/Istanbul",
                 "properties": {"plan": "pro", "mrr": 4900, "beta": true}}
                """)
            #expect(first.status == .created)
            #expect(first.json["external_id"] == .string("cus_42"))
            #expect(first.json["email"] == .string("ayse@example.com"))
            #expect(first.json["name"] == .string("Ayşe Yılmaz"))
            #expect(first.json["properties"] == .object(["plan": .string("pro"), "mrr": .integer(4900), "beta": .bool(true)]))

            let second = try await api.send(.put, "/api/v1/contacts/cus_42", json: #"{"properties": {"plan": "enterprise", "beta": null}}"#)
            #expect(second.status == .ok)
            #expect(second.json["properties"] == .object(["plan": .string("enterprise"), "mrr": .integer(4900)]))
            #expect(second.json["email"] == .string("ayse@example.com"))

            let shown = try await api.send(.get, "/api/v1/contacts/cus_42")
            #expect(shown.status == .ok)
            #expect(shown.json == second.json)
        }
    }

    @Test("external ids are percent-decoded UTF-8", arguments: TestBackend.available)
    func unicodeExternalID(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.put, "/api/v1/contacts/%D0%90%D0%BB%D0%BC%D0%B0%2F7", json: "{}")
            #expect(r.status == .created)
            #expect(r.json["external_id"] == .string("Алма/7"))
            #expect(try await api.send(.get, "/api/v1/contacts/%D0%90%D0%BB%D0%BC%D0%B0%2F7").status == .ok)
            let bad = try await api.send(.put, "/api/v1/contacts/%FF%FE", json: "{}")
            #expect(bad.status == .badRequest)
            #expect(bad.isProblem)
        }
    }

    @Test("invalid contact bodies are 422 and change nothing",
          arguments: TestBackend.available, [
              (#"{"email": "not-an-address"}"#, ["email"]),
              (#"{"locale": "??"}"#, ["locale"]),
              (#"{"time_zone": "Nowhere/Special"}"#, ["time_zone"]),
              (#"{"properties": {"nested": {"a": 1}}}"#, ["properties.nested"]),
              (#"{"properties": [1, 2]}"#, ["properties"]),
              (#"{"external_id": "other"}"#, ["external_id"]),
              (#"{"phone": "+90"}"#, ["phone"]),
          ])
    func invalidUpsert(_ backend: TestBackend, _ testCase: (body: String, fields: [String])) async throws {
        try await withAPI(backend) { api in
            _ = try await api.send(.put, "/api/v1/contacts/c1", json: #"{"email": "c1@example.com", "properties": {"plan": "pro"}}"#)
            let before = try await api.send(.get, "/api/v1/contacts/c1").json
            let r = try await api.send(.put, "/api/v1/contacts/c1", json: testCase.body)
            #expect(r.status == .unprocessableContent)
            #expect(r.isProblem)
            #expect(r.errorFields == testCase.fields)
            #expect(try await api.send(.get, "/api/v1/contacts/c1").json == before)
        }
    }

    @Test("an e-mail that belongs to another contact is 409", arguments: TestBackend.available)
    func emailConflict(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.send(.put, "/api/v1/contacts/a", json: #"{"email": "shared@example.com"}"#)
            let r = try await api.send(.put, "/api/v1/contacts/b", json: #"{"email": "SHARED@example.com"}"#)
            #expect(r.status == .conflict)
            #expect(r.isProblem)
            #expect(r.errorFields == ["email"])
            #expect(try await api.send(.get, "/api/v1/contacts/b").status == .notFound)
        }
    }

    @Test("DELETE erases the contact and their responses, and the report forgets them", arguments: TestBackend.available)
    func erase(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "contact": {"external_id": "gone"}, "score": 2, "comment": "cancel"}"#)
            _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "contact": {"external_id": "stays"}, "score": 10}"#)
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)/report").json["responses"] == .integer(2))

            #expect(try await api.send(.delete, "/api/v1/contacts/gone").status == .noContent)
            #expect(try await api.send(.get, "/api/v1/contacts/gone").status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/contacts/gone").status == .notFound)
            #expect(try await api.responseCount() == 1)
            let report = try await api.send(.get, "/api/v1/surveys/\(survey)/report").json
            #expect(report["responses"] == .integer(1))
            #expect(report["detractors"] == .integer(0))
        }
    }

    @Test("the list pages by cursor and never shows another workspace's contacts", arguments: TestBackend.available)
    func list(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            for i in 0..<7 { _ = try await api.send(.put, "/api/v1/contacts/c\(i)", json: "{}") }
            let globex = try await api.token(forWorkspace: "globex")
            _ = try await api.send(.put, "/api/v1/contacts/c0", json: #"{"name": "Globex's own"}"#, token: globex)
            var ids: [String] = []
            var uri = "/api/v1/contacts?limit=3"
            while true {
                let page = try await api.send(.get, uri)
                #expect(page.status == .ok)
                guard case .array(let items)? = page.json["data"] else { Issue.record("no data"); return }
                ids += items.compactMap { if case .string(let s)? = $0["external_id"] { s } else { nil } }
                #expect(items.allSatisfy { $0["name"] == .null })
                guard case .string(let next)? = page.json["next_cursor"] else { break }
                uri = "/api/v1/contacts?limit=3&cursor=\(next)"
            }
            #expect(ids.sorted() == (0..<7).map { "c\($0)" })
            #expect(try await api.send(.get, "/api/v1/contacts/c0", token: globex).json["name"] == .string("Globex's own"))
            #expect(try await api.send(.delete, "/api/v1/contacts/c3", token: globex).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/contacts/c3").status == .ok)
        }
    }
}
