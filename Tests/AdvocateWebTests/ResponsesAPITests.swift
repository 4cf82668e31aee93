import Foundation
import AdvocateStore
import AdvocateCore
import AdvocateTestSupport
import Hummingbird
import Testing

@Suite("/api/v1/responses")
struct ResponsesAPITests {
    @Test("POST records an answer: 201 with id and category, Location, and it is listed", arguments: TestBackend.available)
    func create(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let r = try await api.send(.post, "/api/v1/responses", json: """
                {"survey_id": \(survey), "contact": {"external_id": "cus_1", "email": "a@example.com", "properties": {"plan": "pro"}},
                 "score": 9, "comment": "Teşekkürler, harika destek", "properties": {"ticket": "T-17"}, "channel": "email", "locale": "tr"}
                """)
            #expect(r.status == .created)
            guard case .integer(let id)? = r.json["id"] else { Issue.record("no id: \(r.json)"); return }
            #expect(r.json["category"] == .string("promoter"))
            #expect(r.json["created"] == .bool(true))
            #expect(r.headers[.location] == "/api/v1/responses/\(id)")

            let shown = try await api.send(.get, "/api/v1/responses/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.json["score"] == .integer(9))
            #expect(shown.json["comment"] == .string("Teşekkürler, harika destek"))
            #expect(shown.json["channel"] == .string("email"))
            #expect(shown.json["locale"] == .string("tr"))
            #expect(shown.json["contact"]?["external_id"] == .string("cus_1"))
            // The snapshot merges the contact's properties with the response's own.
            #expect(shown.json["properties"] == .object(["plan": .string("pro"), "ticket": .string("T-17")]))
            #expect(shown.json["created_at"] == .string("2026-11-22T09:00:00.000Z"))
        }
    }

    @Test("a second answer in the same round updates the first (200), never duplicates", arguments: TestBackend.available)
    func sameRoundUpdates(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let first = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "contact": {"external_id": "c"}, "score": 3}"#)
            api.clock.advance(milliseconds: 86_400_000)
            let second = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "contact": {"external_id": "c"}, "score": 8, "comment": "better now"}"#)
            #expect(first.status == .created)
            #expect(second.status == .ok)
            #expect(second.json["id"] == first.json["id"])
            #expect(second.json["created"] == .bool(false))
            #expect(second.json["category"] == .string("passive"))
            #expect(try await api.responseCount() == 1)
            let report = try await api.send(.get, "/api/v1/surveys/\(survey)/report").json
            #expect(report["responses"] == .integer(1))
            #expect(report["passives"] == .integer(1))
            #expect(report["detractors"] == .integer(0))
        }
    }

    @Test("bad input is a 4xx problem and writes nothing",
          arguments: TestBackend.available, BadResponseInput.all)
    func badInput(_ backend: TestBackend, _ bad: BadResponseInput) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            _ = try await api.send(.put, "/api/v1/contacts/taken", json: #"{"email": "taken@example.com"}"#)
            let foreign = try await api.createSurvey(token: try await api.token(forWorkspace: "globex"))
            let body = bad.body.replacingOccurrences(of: "SURVEY", with: "\(survey)").replacingOccurrences(of: "FOREIGN", with: "\(foreign)")
            let r = try await api.send(.post, "/api/v1/responses", body: bad.rawBytes ?? Array(body.utf8),
                                       headers: [.contentType: bad.contentType])
            #expect(r.status.code == bad.status, "\(bad.name): \(String(decoding: r.bytes, as: UTF8.self))")
            #expect(r.isProblem)
            #expect(r.json["status"] == .integer(Int64(bad.status)))
            #expect(!r.detail.isEmpty)
            if let field = bad.field { #expect(r.errorFields == [field], "\(bad.name)") }
            #expect(try await api.responseCount() == 0)
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)/report").json["responses"] == .integer(0))
        }
    }

    @Test("a batch records every answer in one request", arguments: TestBackend.available)
    func batch(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let items = (0..<250).map { i in
                #"{"survey_id": \#(survey), "contact": {"external_id": "c\#(i % 200)"}, "score": \#(i % 11), "created_at": "2026-11-0\#(1 + i % 9)T10:00:00Z"}"#
            }
            let r = try await api.send(.post, "/api/v1/responses/batch", json: #"{"responses": [\#(items.joined(separator: ","))]}"#)
            #expect(r.status == .created)
            guard case .array(let outcomes)? = r.json["responses"] else { Issue.record("no responses: \(r.json)"); return }
            #expect(outcomes.count == 250)
            #expect(r.json["created"] == .integer(200))
            #expect(r.json["updated"] == .integer(50))
            #expect(outcomes[150]["category"] == .string("passive"))
            #expect(outcomes[150]["created"] == .bool(true))
            // c9 answered 9 on Nov 1 (item 9) and 0 on Nov 3 (item 209): the latest answer is the
            // response, and both items report the response as it stands after the request.
            #expect(outcomes[9]["category"] == .string("detractor"))
            #expect(outcomes[209]["category"] == .string("detractor"))
            #expect(outcomes[209]["id"] == outcomes[9]["id"])
            #expect(outcomes[209]["created"] == .bool(false))
            #expect(try await api.responseCount() == 200)
        }
    }

    @Test("a batch with invalid items is 422 listing each by index, and writes nothing", arguments: TestBackend.available)
    func batchAllOrNothing(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let r = try await api.send(.post, "/api/v1/responses/batch", json: """
                {"responses": [
                  {"survey_id": \(survey), "score": 10},
                  {"survey_id": \(survey), "score": 11},
                  {"survey_id": \(survey), "score": 7},
                  {"survey_id": \(survey), "score": "7", "comment": 5},
                  {"survey_id": 987654, "score": 5}
                ]}
                """)
            #expect(r.status == .unprocessableContent)
            #expect(r.isProblem)
            #expect(r.errorFields == ["responses[1].score", "responses[3].score", "responses[3].comment"]
                || Set(r.errorFields) == ["responses[1].score", "responses[3].score", "responses[3].comment"])
            #expect(try await api.responseCount() == 0)

            // Once the items are well-formed, an unknown survey is still reported by index.
            let unknown = try await api.send(.post, "/api/v1/responses/batch", json: """
                {"responses": [{"survey_id": \(survey), "score": 10}, {"survey_id": 987654, "score": 5}]}
                """)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.errorFields == ["responses[1].survey_id"])
            #expect(try await api.responseCount() == 0)
        }
    }

    @Test("batch envelopes that are wrong are 422: missing, empty, not an array, over the limit", arguments: TestBackend.available)
    func batchEnvelope(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let oneItem = #"{"survey_id": \#(survey), "score": 9}"#
            let tooMany = "{\"responses\": [" + Array(repeating: oneItem, count: Limits.batchResponses + 1).joined(separator: ",") + "]}"
            for body in [#"{}"#, #"{"responses": []}"#, #"{"responses": {"a": 1}}"#, tooMany, #"{"responses": [], "extra": 1}"#] {
                let r = try await api.send(.post, "/api/v1/responses/batch", json: body)
                #expect(r.status == .unprocessableContent, "\(body.prefix(60))")
                #expect(r.isProblem)
            }
            #expect(try await api.responseCount() == 0)
            // Exactly at the limit is fine.
            let atLimit = "{\"responses\": [" + Array(repeating: oneItem, count: Limits.batchResponses).joined(separator: ",") + "]}"
            let r = try await api.send(.post, "/api/v1/responses/batch", json: atLimit)
            #expect(r.status == .created)
            #expect(try await api.responseCount() == Limits.batchResponses)
        }
    }

    @Test("the list filters by survey, category, score, channel, comment, dates and contact", arguments: TestBackend.available)
    func listFilters(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let a = try await api.createSurvey()
            let b = try await api.createSurvey()
            let rows: [(Int64, String, Int, String?, String, String)] = [
                (a, "c1", 0, "awful", "email", "2026-11-01T10:00:00Z"),
                (a, "c2", 7, nil, "api", "2026-11-05T10:00:00Z"),
                (a, "c3", 10, "love it", "link", "2026-11-10T10:00:00Z"),
                (b, "c1", 9, nil, "email", "2026-11-12T10:00:00Z"),
                (a, "c4", 6, "meh", "api", "2026-11-15T10:00:00Z"),
            ]
            for (survey, contact, score, comment, channel, at) in rows {
                let commentField = comment.map { #", "comment": "\#($0)""# } ?? ""
                let r = try await api.send(.post, "/api/v1/responses", json: """
                    {"survey_id": \(survey), "contact": {"external_id": "\(contact)"}, "score": \(score)\(commentField), "channel": "\(channel)", "created_at": "\(at)"}
                    """)
                #expect(r.status == .created)
            }
            func scores(_ query: String) async throws -> [Int64] {
                let r = try await api.send(.get, "/api/v1/responses?\(query)")
                #expect(r.status == .ok, "\(query): \(String(decoding: r.bytes, as: UTF8.self))")
                guard case .array(let items)? = r.json["data"] else { return [] }
                return items.compactMap { if case .integer(let s)? = $0["score"] { s } else { nil } }
            }
            #expect(try await scores("") == [6, 9, 10, 7, 0])
            #expect(try await scores("survey_id=\(a)") == [6, 10, 7, 0])
            #expect(try await scores("category=detractor") == [6, 0])
            #expect(try await scores("score=0,9,10") == [9, 10, 0])
            #expect(try await scores("channel=email") == [9, 0])
            #expect(try await scores("has_comment=true") == [6, 10, 0])
            #expect(try await scores("has_comment=false") == [9, 7])
            #expect(try await scores("from=2026-11-05&to=2026-11-12T10:00:00Z") == [10, 7])
            #expect(try await scores("contact=c1") == [9, 0])
            #expect(try await scores("contact=nobody") == [])
            #expect(try await scores("survey_id=\(a)&category=detractor&has_comment=true") == [6, 0])

            var seen: [Int64] = []
            var uri = "/api/v1/responses?limit=2"
            while true {
                let page = try await api.send(.get, uri)
                guard case .array(let items)? = page.json["data"] else { break }
                seen += items.compactMap { if case .integer(let s)? = $0["score"] { s } else { nil } }
                guard case .string(let next)? = page.json["next_cursor"] else { break }
                uri = "/api/v1/responses?limit=2&cursor=\(next)"
            }
            #expect(seen == [6, 9, 10, 7, 0])
        }
    }

    @Test("list parameters that are wrong are 400 naming each one", arguments: TestBackend.available)
    func badListQuery(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let cases: [(String, [String])] = [
                ("category=happy", ["category"]), ("score=11", ["score"]), ("score=a,b", ["score"]),
                ("channel=fax", ["channel"]), ("has_comment=yes", ["has_comment"]), ("from=yesterday", ["from"]),
                ("to=2026-13-01", ["to"]), ("survey_id=0", ["survey_id"]), ("limit=5000", ["limit"]),
                ("cursor=!", ["cursor"]), ("text=refund", ["text"]), ("q=\(String(repeating: "x", count: 201))", ["q"]), ("category=happy&score=99", ["category", "score"]),
            ]
            for (query, fields) in cases {
                let r = try await api.send(.get, "/api/v1/responses?\(query)")
                #expect(r.status == .badRequest, "\(query)")
                #expect(r.isProblem)
                #expect(Set(r.errorFields) == Set(fields), "\(query)")
            }
        }
    }

    @Test("another workspace's responses are invisible", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let globex = try await api.token(forWorkspace: "globex")
            let theirSurvey = try await api.createSurvey(token: globex)
            let theirs = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(theirSurvey), "score": 1, "comment": "secret"}"#, token: globex)
            guard case .integer(let id)? = theirs.json["id"] else { Issue.record("no id"); return }
            #expect(try await api.send(.get, "/api/v1/responses/\(id)").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/responses").json["data"] == .array([]))
            #expect(try await api.send(.get, "/api/v1/responses?survey_id=\(theirSurvey)").json["data"] == .array([]))
            #expect(try await api.send(.get, "/api/v1/responses/\(id)", token: globex).status == .ok)
        }
    }
}

/// One kind of bad request body for `POST /api/v1/responses`.
struct BadResponseInput: Sendable, CustomTestStringConvertible {
    let name: String
    let body: String
    var rawBytes: [UInt8]? = nil
    var contentType = "application/json"
    let status: Int
    let field: String?

    var testDescription: String { name }

    static let all: [BadResponseInput] = [
        .init(name: "score 11", body: #"{"survey_id": SURVEY, "score": 11}"#, status: 422, field: "score"),
        .init(name: "score -1", body: #"{"survey_id": SURVEY, "score": -1}"#, status: 422, field: "score"),
        .init(name: "score 7.5", body: #"{"survey_id": SURVEY, "score": 7.5}"#, status: 422, field: "score"),
        .init(name: "score 1e2", body: #"{"survey_id": SURVEY, "score": 1e2}"#, status: 422, field: "score"),
        .init(name: "score 9.999", body: #"{"survey_id": SURVEY, "score": 9.999}"#, status: 422, field: "score"),
        .init(name: "score as string", body: #"{"survey_id": SURVEY, "score": "9"}"#, status: 422, field: "score"),
        .init(name: "score null", body: #"{"survey_id": SURVEY, "score": null}"#, status: 422, field: "score"),
        .init(name: "score true", body: #"{"survey_id": SURVEY, "score": true}"#, status: 422, field: "score"),
        .init(name: "huge score", body: #"{"survey_id": SURVEY, "score": 99999999999999999999999}"#, status: 422, field: "score"),
        .init(name: "missing score", body: #"{"survey_id": SURVEY}"#, status: 422, field: "score"),
        .init(name: "missing survey_id", body: #"{"score": 5}"#, status: 422, field: "survey_id"),
        .init(name: "survey_id as string", body: #"{"survey_id": "SURVEY", "score": 5}"#, status: 422, field: "survey_id"),
        .init(name: "unknown survey", body: #"{"survey_id": 987654, "score": 5}"#, status: 422, field: "survey_id"),
        .init(name: "other workspace's survey", body: #"{"survey_id": FOREIGN, "score": 5}"#, status: 422, field: "survey_id"),
        .init(name: "comment too long", body: "{\"survey_id\": SURVEY, \"score\": 5, \"comment\": \"\(String(repeating: "ü", count: Limits.commentCharacters + 1))\"}",
              status: 422, field: "comment"),
        .init(name: "comment not a string", body: #"{"survey_id": SURVEY, "score": 5, "comment": ["a"]}"#, status: 422, field: "comment"),
        .init(name: "bad created_at", body: #"{"survey_id": SURVEY, "score": 5, "created_at": "22/11/2026"}"#, status: 422, field: "created_at"),
        .init(name: "impossible date", body: #"{"survey_id": SURVEY, "score": 5, "created_at": "2026-02-30T10:00:00Z"}"#, status: 422, field: "created_at"),
        .init(name: "date without zone", body: #"{"survey_id": SURVEY, "score": 5, "created_at": "2026-11-01T10:00:00"}"#, status: 422, field: "created_at"),
        .init(name: "future created_at", body: #"{"survey_id": SURVEY, "score": 5, "created_at": "2027-01-01T00:00:00Z"}"#, status: 422, field: "created_at"),
        .init(name: "unknown channel", body: #"{"survey_id": SURVEY, "score": 5, "channel": "fax"}"#, status: 422, field: "channel"),
        .init(name: "bad locale", body: #"{"survey_id": SURVEY, "score": 5, "locale": "english please"}"#, status: 422, field: "locale"),
        .init(name: "unknown field", body: #"{"survey_id": SURVEY, "score": 5, "rating": 5}"#, status: 422, field: "rating"),
        .init(name: "contact without identity", body: #"{"survey_id": SURVEY, "score": 5, "contact": {"name": "Ann"}}"#, status: 422, field: "contact"),
        .init(name: "contact bad email", body: #"{"survey_id": SURVEY, "score": 5, "contact": {"email": "nope"}}"#, status: 422, field: "contact.email"),
        .init(name: "contact email taken", body: #"{"survey_id": SURVEY, "score": 5, "contact": {"external_id": "new", "email": "taken@example.com"}}"#,
              status: 422, field: "contact.email"),
        .init(name: "nested property", body: #"{"survey_id": SURVEY, "score": 5, "properties": {"a": {"b": 1}}}"#, status: 422, field: "properties.a"),
        .init(name: "body is an array", body: #"[{"survey_id": SURVEY, "score": 5}]"#, status: 422, field: nil),
        .init(name: "invalid JSON", body: #"{"survey_id": SURVEY, "score": 5"#, status: 400, field: nil),
        .init(name: "trailing comma", body: #"{"survey_id": SURVEY, "score": 5,}"#, status: 400, field: nil),
        .init(name: "duplicate key", body: #"{"survey_id": SURVEY, "score": 5, "score": 6}"#, status: 400, field: nil),
        .init(name: "invalid UTF-8", body: "", rawBytes: Array(#"{"survey_id": 1, "score": 5, "comment": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
              status: 400, field: nil),
        .init(name: "empty body", body: "", rawBytes: [], status: 400, field: nil),
        .init(name: "form content type", body: "survey_id=1&score=5", contentType: "application/x-www-form-urlencoded", status: 415, field: nil),
        .init(name: "body over 256 KiB", body: "{\"survey_id\": SURVEY, \"score\": 5, \"comment\": \"\(String(repeating: "a", count: 300_000))\"}",
              status: 413, field: nil),
    ]
}
