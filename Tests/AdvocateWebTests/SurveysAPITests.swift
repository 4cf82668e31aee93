import Foundation
import AdvocateStore
import AdvocateCore
import AdvocateTestSupport
import Hummingbird
import Testing

@Suite("/api/v1/surveys")
struct SurveysAPITests {
    @Test("create answers 201 with the survey, its Location, and the defaults", arguments: TestBackend.available)
    func create(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.post, "/api/v1/surveys", json: #"{"name": "Q4 relationship", "product_name": "Acme Mail"}"#)
            #expect(r.status == .created)
            #expect(r.contentType == "application/json")
            guard case .integer(let id)? = r.json["id"] else { Issue.record("no id in \(r.json)"); return }
            #expect(r.headers[.location] == "/api/v1/surveys/\(id)")
            #expect(r.json["name"] == .string("Q4 relationship"))
            #expect(r.json["product_name"] == .string("Acme Mail"))
            #expect(r.json["kind"] == .string("relationship"))
            #expect(r.json["time_zone"] == .string("UTC"))
            #expect(r.json["round_days"] == .integer(90))
            #expect(r.json["created_at"] == .string("2026-11-22T09:00:00.000Z"))
        }
    }

    @Test("create accepts every optional field", arguments: TestBackend.available)
    func createWithOptions(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.post, "/api/v1/surveys", json: """
                {"name": "Çalışan", "product_name": "Acme", "kind": "employee", "default_locale": "tr", "time_zone": "Europe/Istanbul", "round_days": 30}
                """)
            #expect(r.status == .created)
            #expect(r.json["kind"] == .string("employee"))
            #expect(r.json["default_locale"] == .string("tr"))
            #expect(r.json["time_zone"] == .string("Europe/Istanbul"))
            #expect(r.json["round_days"] == .integer(30))
        }
    }

    @Test("invalid survey bodies are 422 naming each field, and create nothing",
          arguments: TestBackend.available, [
              (#"{}"#, ["name", "product_name"]),
              (#"{"name": "", "product_name": "Acme"}"#, ["name"]),
              (#"{"name": 7, "product_name": "Acme"}"#, ["name"]),
              (#"{"name": null, "product_name": "Acme"}"#, ["name"]),
              (#"{"name": "N", "product_name": "Acme", "kind": "csat"}"#, ["kind"]),
              (#"{"name": "N", "product_name": "Acme", "time_zone": "Mars/Olympus"}"#, ["time_zone"]),
              (#"{"name": "N", "product_name": "Acme", "default_locale": "not a locale!"}"#, ["default_locale"]),
              (#"{"name": "N", "product_name": "Acme", "round_days": 0}"#, ["round_days"]),
              (#"{"name": "N", "product_name": "Acme", "round_days": 1.5}"#, ["round_days"]),
              (#"{"name": "N", "product_name": "Acme", "colour": "red"}"#, ["colour"]),
              ("{\"name\": \"\(String(repeating: "x", count: 201))\", \"product_name\": \"Acme\"}", ["name"]),
          ])
    func invalidCreate(_ backend: TestBackend, _ testCase: (body: String, fields: [String])) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.post, "/api/v1/surveys", json: testCase.body)
            #expect(r.status == .unprocessableContent)
            #expect(r.isProblem)
            #expect(r.errorFields == testCase.fields)
            let list = try await api.send(.get, "/api/v1/surveys")
            #expect(list.json["data"] == .array([]))
        }
    }

    @Test("get, patch and delete work on the caller's survey", arguments: TestBackend.available)
    func lifecycle(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let id = try await api.createSurvey()
            let shown = try await api.send(.get, "/api/v1/surveys/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.json["id"] == .integer(id))

            api.clock.advance(milliseconds: 60_000)
            let patched = try await api.send(.patch, "/api/v1/surveys/\(id)", json: #"{"product_name": "Acme Cloud", "round_days": 180}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["product_name"] == .string("Acme Cloud"))
            #expect(patched.json["name"] == .string("Relationship"))
            #expect(patched.json["round_days"] == .integer(180))
            #expect(patched.json["updated_at"] == .string("2026-11-22T09:01:00.000Z"))

            let emptyPatch = try await api.send(.patch, "/api/v1/surveys/\(id)", json: "{}")
            #expect(emptyPatch.status == .unprocessableContent)

            let deleted = try await api.send(.delete, "/api/v1/surveys/\(id)")
            #expect(deleted.status == .noContent)
            #expect(try await api.send(.get, "/api/v1/surveys/\(id)").status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/surveys/\(id)").status == .notFound)
        }
    }

    @Test("the list pages by cursor through every survey once", arguments: TestBackend.available)
    func listPaging(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            var created: [Int64] = []
            for i in 0..<5 { created.append(try await api.createSurvey(#"{"name": "S\#(i)", "product_name": "Acme"}"#)) }
            var seen: [Int64] = []
            var uri = "/api/v1/surveys?limit=2"
            while true {
                let page = try await api.send(.get, uri)
                #expect(page.status == .ok)
                guard case .array(let items)? = page.json["data"] else { Issue.record("no data"); return }
                #expect(items.count <= 2)
                seen += items.compactMap { if case .integer(let id)? = $0["id"] { id } else { nil } }
                guard case .string(let next)? = page.json["next_cursor"] else { break }
                uri = "/api/v1/surveys?limit=2&cursor=\(next)"
            }
            #expect(seen.sorted() == created.sorted())
            #expect(Set(seen).count == seen.count)
        }
    }

    @Test("another workspace's survey is 404 for every operation", arguments: TestBackend.available)
    func otherWorkspace(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let theirs = try await api.createSurvey(token: try await api.token(forWorkspace: "globex"))
            #expect(try await api.send(.get, "/api/v1/surveys/\(theirs)").status == .notFound)
            #expect(try await api.send(.patch, "/api/v1/surveys/\(theirs)", json: #"{"name": "mine now"}"#).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/surveys/\(theirs)").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/surveys/\(theirs)/report").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/surveys").json["data"] == .array([]))
            let other = try await api.store.ensureWorkspace(slug: "globex").workspace
            #expect(try await api.store.survey(workspaceID: other.id, id: theirs)?.name == "Relationship")
        }
    }

    @Test("ids that are not positive integers are 404", arguments: TestBackend.available)
    func badIDs(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            for id in ["0", "-1", "abc", "1.5", "99999999999999999999"] {
                let r = try await api.send(.get, "/api/v1/surveys/\(id)")
                #expect(r.status == .notFound, "id \(id)")
                #expect(r.isProblem)
            }
        }
    }

    @Test("unknown and malformed list parameters are 400", arguments: TestBackend.available)
    func badListQuery(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            for (query, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"), ("cursor=zz", "cursor"), ("sort=name", "sort")] {
                let r = try await api.send(.get, "/api/v1/surveys?\(query)")
                #expect(r.status == .badRequest, "\(query)")
                #expect(r.errorFields == [field])
            }
        }
    }
}
