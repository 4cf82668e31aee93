import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing

/// A call to `/v1` the way Delighted's clients make it: HTTP Basic with the key as user name.
extension JSONValue {
    /// The first element of an array.
    var first: JSONValue? { if case .array(let items) = self { items.first } else { nil } }
}

extension APIHarness {
    func v1(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, key: String? = nil) async throws -> APIResult {
        let credential = Data("\(key ?? token):".utf8).base64EncodedString()
        return try await send(method, "/v1/" + path, json: json, token: "", headers: [.authorization: "Basic \(credential)"])
    }

    func string(_ value: JSONValue?) -> String? { if case .string(let s)? = value { s } else { nil } }
}

@Suite("/v1: the Delighted-compatible API", .serialized)
struct DelightedAPITests {
    @Test("people are contacts by e-mail: created, updated, scheduled, listed page by page, deleted", arguments: TestBackend.available)
    func people(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.createSurvey()
            let created = try await api.v1(.post, "people", json: #"{"email": "Ada@Example.test", "name": "Ada", "properties": {"plan": "paid", "locale": "tr", "question_product_name": "Acme Cloud"}}"#)
            #expect(created.status == .created)
            #expect(created.json["email"] == .string("ada@example.test"))
            #expect(created.json["survey_scheduled_at"] == .integer(api.clock.now().milliseconds / 1_000))
            let id = try #require(api.string(created.json["id"]))
            let contact = try #require(try await api.store.contact(workspaceID: api.workspaceID, id: Int64(id)!))
            #expect(contact.locale == "tr")
            #expect(contact.properties == ["plan": .string("paid")])
            let invitation = try #require(try await api.store.invitations(workspaceID: api.workspaceID, surveyID: nil, before: nil, limit: 10).items.first)
            #expect(invitation.productName == "Acme Cloud")
            #expect(invitation.contactID == Int64(id))

            let again = try await api.v1(.post, "people", json: #"{"email": "ada@example.test", "name": "Ada L.", "send": false}"#)
            #expect(again.status == .ok)
            #expect(api.string(again.json["id"]) == id)
            #expect(again.json["survey_scheduled_at"] == nil)
            #expect(again.json["next_survey_scheduled_at"] == .integer(api.clock.now().milliseconds / 1_000))

            for n in 0..<4 { _ = try await api.v1(.post, "people", json: #"{"email": "p\#(n)@example.test", "send": false}"#) }
            var seen: [String] = []
            var path = "people?per_page=2"
            while true {
                let page = try await api.v1(.get, path)
                #expect(page.status == .ok)
                guard case .array(let people) = page.json else { Issue.record("not an array"); break }
                seen += people.compactMap { api.string($0["id"]) }
                guard let link = page.headers[HTTPField.Name("Link")!] else { break }
                let url = String(link.dropFirst().prefix { $0 != ">" })
                path = String(url[url.range(of: "/v1/")!.upperBound...])
            }
            #expect(seen.count == 5 && Set(seen).count == 5)

            #expect(try await api.v1(.delete, "people/email%3Aada%40example.test").status == .accepted)
            #expect(try await api.store.contact(workspaceID: api.workspaceID, id: Int64(id)!) == nil)
            #expect(try await api.v1(.delete, "people/\(id)").status == .notFound)
        }
    }

    @Test("survey responses: created for a person, in a round updated not duplicated, changed by PUT, and the report moves", arguments: TestBackend.available)
    func surveyResponses(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let surveyID = try await api.createSurvey()
            let person = try #require(api.string(try await api.v1(.post, "people", json: #"{"email": "r@example.test", "send": false}"#).json["id"]))
            let first = try await api.v1(.post, "survey_responses", json: #"{"person": "\#(person)", "score": 10, "comment": "Harika", "person_properties": {"plan": "paid"}}"#)
            #expect(first.status == .created)
            #expect(first.json["score"] == .integer(10))
            #expect(first.json["person_properties"]?["plan"] == .string("paid"))
            let id = try #require(api.string(first.json["id"]))
            // The same person again within the survey's round: one response, the latest answer.
            let second = try await api.v1(.post, "survey_responses", json: #"{"person": \#(person), "score": 9}"#)
            #expect(second.status == .ok)
            #expect(api.string(second.json["id"]) == id)

            let put = try await api.v1(.put, "survey_responses/\(id)?expand[]=person",
                                       json: #"{"id": "\#(id)", "person": "\#(person)", "score": 2, "comment": "Yavaş", "survey_type": "nps", "tags": []}"#)
            #expect(put.status == .ok)
            #expect(put.json["score"] == .integer(2))
            #expect(put.json["person"]?["email"] == .string("r@example.test"))
            let report = try await api.send(.get, "/api/v1/surveys/\(surveyID)/report")
            #expect(report.json["detractors"] == .integer(1))
            #expect(report.json["promoters"] == .integer(0))

            let moved = try await api.v1(.put, "survey_responses/\(id)", json: #"{"person": "999"}"#)
            #expect(moved.status == .unprocessableContent)
            #expect(moved.json["message"] != nil, "Delighted's clients show message")

            let listed = try await api.v1(.get, "survey_responses?person_email=r%40example.test&expand%5B%5D=person&order=desc")
            #expect(listed.json.first?["person"]?["id"] == .string(person))
            #expect(try await api.v1(.get, "survey_responses?page=2").json == .array([]))
        }
    }

    @Test("metrics count each category between Unix-second bounds", arguments: TestBackend.available)
    func metrics(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.createSurvey()
            let start = api.clock.now().milliseconds / 1_000
            for (n, score) in [10, 10, 9, 7, 3].enumerated() {
                let person = try #require(api.string(try await api.v1(.post, "people", json: #"{"email": "m\#(n)@example.test", "send": false}"#).json["id"]))
                _ = try await api.v1(.post, "survey_responses", json: #"{"person": "\#(person)", "score": \#(score)}"#)
                api.clock.advance(milliseconds: 60_000)
            }
            let all = try await api.v1(.get, "metrics")
            #expect(all.json == .object(["nps": .integer(40), "promoter_count": .integer(3), "promoter_percent": .double(60),
                                         "passive_count": .integer(1), "passive_percent": .double(20), "detractor_count": .integer(1),
                                         "detractor_percent": .double(20), "response_count": .integer(5)]))
            // The first two minutes: the two 10s.
            let early = try await api.v1(.get, "metrics?since=\(start)&until=\(start + 119)")
            #expect(early.json["response_count"] == .integer(2))
            #expect(early.json["nps"] == .integer(100))
            #expect(try await api.v1(.get, "metrics?since=yesterday").status == .badRequest)
            #expect(try await api.v1(.get, "metrics?trend=999").status == .unprocessableContent)
        }
    }

    @Test("unsubscribes and bounces are the suppression list", arguments: TestBackend.available)
    func suppressions(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.createSurvey()
            _ = try await api.v1(.post, "people", json: #"{"email": "u@example.test", "name": "U", "send": false}"#)
            #expect(try await api.v1(.post, "unsubscribes", json: #"{"person_email": "U@example.test"}"#).json == .object(["ok": .bool(true)]))
            #expect(try await api.store.suppression(workspaceID: api.workspaceID, email: "u@example.test")?.reason == .unsubscribed)
            let unsubscribes = try await api.v1(.get, "unsubscribes")
            #expect(unsubscribes.json.first?["email"] == .string("u@example.test"))
            #expect(unsubscribes.json.first?["name"] == .string("U"))
            _ = try await api.store.suppress(workspaceID: api.workspaceID, email: "b@example.test", reason: .bounced, detail: nil)
            let bounces = try await api.v1(.get, "bounces")
            #expect(bounces.json == .array([.object(["person_id": .null, "email": .string("b@example.test"), "name": .null,
                                                     "bounced_at": .integer(api.clock.now().milliseconds / 1_000)])]))
            let scheduled = try await api.v1(.post, "people", json: #"{"email": "u@example.test"}"#)
            #expect(scheduled.json["survey_scheduled_at"] == nil, "an unsubscribed person is never surveyed")
        }
    }

    @Test("bad keys are 401, bad input a 4xx problem that writes nothing, and other workspaces see nothing", arguments: TestBackend.available)
    func refusals(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            _ = try await api.createSurvey()
            let person = try #require(api.string(try await api.v1(.post, "people", json: #"{"email": "a@example.test", "send": false}"#).json["id"]))
            #expect(try await api.v1(.get, "metrics", key: "nope-not-a-key").status == .unauthorized)
            #expect(try await api.send(.get, "/v1/metrics", token: "").status == .unauthorized)
            let bodies = [
                ("people", #"{"phone_number": "+15555550100"}"#), ("people", #"{"email": "not an address"}"#),
                ("people", #"{"email": "x@example.test", "channel": "sms"}"#), ("people", #"{"email": "x@example.test", "delay": -1}"#),
                ("people", #"{"email": "x@example.test", "properties": {"locale": "??"}}"#), ("people", #"{"email": "x@example.test", "surprise": 1}"#),
                ("people", "[1]"), ("survey_responses", #"{"person": "\#(person)", "score": 11}"#),
                ("survey_responses", #"{"person": "0", "score": 5}"#), ("survey_responses", #"{"score": 5}"#),
                ("unsubscribes", #"{"person_email": ""}"#), ("autopilot/sms/memberships", #"{"person_phone_number": "+1"}"#),
            ]
            for (path, body) in bodies {
                let r = try await api.v1(.post, path, json: body)
                #expect(r.status == .unprocessableContent || r.status == .badRequest, "\(path) \(body) → \(r.status)")
                #expect(r.isProblem)
            }
            #expect(try await api.v1(.post, "people", json: "{").status == .badRequest)
            #expect(try await api.v1(.get, "survey_responses?order=sideways").status == .badRequest)
            #expect(try await api.v1(.get, "survey_responses?expand[]=everything").status == .badRequest)
            #expect(try await api.v1(.delete, "people/phone_number%3A%2B1555").status == .notFound)
            #expect(try await api.v1(.get, "autopilot/fax").status == .notFound)
            #expect(try await api.responseCount() == 0)
            #expect(try await api.store.contacts(workspaceID: api.workspaceID, after: nil, limit: 100).items.count == 1)

            let other = try await api.token(forWorkspace: "globex")
            _ = try await api.createSurvey(token: other)
            #expect(try await api.v1(.get, "people", key: other).json == .array([]))
            #expect(try await api.v1(.get, "survey_responses/1", key: other).status == .notFound)
            #expect(try await api.v1(.delete, "people/\(person)", key: other).status == .notFound)
            #expect(try await api.store.contact(workspaceID: api.workspaceID, id: Int64(person)!) != nil)
        }
    }

    @Test("a token bound to a survey acts on it; trend names another")
    func tokenSurvey() async throws {
        try await withAPI(.sqlite) { api in
            let first = try await api.createSurvey()
            let second = try await api.createSurvey(#"{"name": "Onboarding", "product_name": "Acme"}"#)
            let secret = APITokenSecret.generate()
            _ = try await api.store.createToken(workspaceID: api.workspaceID, name: "bound", secretHash: APITokenSecret.hash(secret), surveyID: second)
            let person = try #require(api.string(try await api.v1(.post, "people", json: #"{"email": "t@example.test", "send": false}"#).json["id"]))
            _ = try await api.v1(.post, "survey_responses", json: #"{"person": "\#(person)", "score": 8}"#, key: secret)
            #expect(try await api.v1(.get, "metrics", key: secret).json["response_count"] == .integer(1))
            #expect(try await api.v1(.get, "metrics").json["response_count"] == .integer(0))
            #expect(try await api.v1(.get, "metrics?trend=\(second)").json["response_count"] == .integer(1))
            #expect(try await api.v1(.get, "metrics?trend=\(first)", key: secret).json["response_count"] == .integer(0))
        }
    }

    @Test("past the calls a minute: 429 with Retry-After and rate-limit headers, then allowed again next minute")
    func rateLimit() async throws {
        try await withAPI(.sqlite, delightedRate: 2) { api in
            _ = try await api.createSurvey()
            let ok = try await api.v1(.get, "metrics")
            #expect(ok.headers[HTTPField.Name("X-RateLimit-Limit")!] == "2")
            #expect(ok.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "1")
            _ = try await api.v1(.get, "metrics")
            let refused = try await api.v1(.get, "metrics")
            #expect(refused.status == .tooManyRequests)
            let retry = try #require(refused.headers[HTTPField.Name("Retry-After")!].flatMap(Int.init))
            #expect((1...60).contains(retry))
            api.clock.advance(milliseconds: Int64(retry) * 1_000)
            #expect(try await api.v1(.get, "metrics").status == .ok)
        }
    }
}
