import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import Testing

@Suite("/api/v1/webhooks")
struct WebhooksAPITests {
    /// A public address literal: accepted without private networks and without DNS.
    static let url = "https://93.184.215.14/hooks/advocate"

    static func create(_ api: APIHarness, events: String = #"["response.created"]"#, token: String? = nil) async throws -> (id: Int64, secret: String) {
        let r = try await api.send(.post, "/api/v1/webhooks", json: #"{"url": "\#(url)", "events": \#(events)}"#, token: token)
        guard r.status == .created, case .integer(let id)? = r.json["id"], case .string(let secret)? = r.json["secret"] else {
            throw HarnessError("creating a webhook failed: \(r.status) \(String(decoding: r.bytes, as: UTF8.self))")
        }
        return (id, secret)
    }

    @Test("create shows the secret once; show, list, change, rotate and delete", arguments: TestBackend.available)
    func lifecycle(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.post, "/api/v1/webhooks", json: #"{"url": "\#(Self.url)", "events": ["response.updated", "response.created", "response.created"]}"#)
            #expect(r.status == .created)
            guard case .integer(let id)? = r.json["id"], case .string(let secret)? = r.json["secret"] else { Issue.record("\(r.json)"); return }
            #expect(secret.hasPrefix("whsec_"))
            #expect(r.headers[.location] == "/api/v1/webhooks/\(id)")
            #expect(r.json["events"] == .array([.string("response.created"), .string("response.updated")]))
            #expect(r.json["enabled"] == .bool(true) && r.json["format"] == .string("json"))

            let shown = try await api.send(.get, "/api/v1/webhooks/\(id)")
            #expect(shown.status == .ok && shown.json["secret"] == nil && shown.json["url"] == .string(Self.url))
            #expect(!String(decoding: shown.bytes, as: UTF8.self).contains(secret))
            let list = try await api.send(.get, "/api/v1/webhooks")
            #expect(list.json["data"]?[0]?["id"] == .integer(id))
            #expect(!String(decoding: list.bytes, as: UTF8.self).contains(secret))

            let patched = try await api.send(.patch, "/api/v1/webhooks/\(id)", json: #"{"events": ["contact.unsubscribed"], "enabled": false, "format": "slack"}"#)
            #expect(patched.status == .ok && patched.json["format"] == .string("slack"))
            #expect(patched.json["events"] == .array([.string("contact.unsubscribed")]) && patched.json["enabled"] == .bool(false))
            #expect(patched.json["url"] == .string(Self.url))

            api.clock.advance(milliseconds: 1_000)
            let rotated = try await api.send(.post, "/api/v1/webhooks/\(id)/secret")
            #expect(rotated.status == .ok)
            guard case .string(let newSecret)? = rotated.json["secret"] else { Issue.record("\(rotated.json)"); return }
            #expect(newSecret != secret && newSecret.hasPrefix("whsec_"))
            #expect(rotated.json["previous_secret_expires_at"] == .string("2026-11-23T09:00:01.000Z"))

            #expect(try await api.send(.delete, "/api/v1/webhooks/\(id)").status == .noContent)
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)").status == .notFound)
        }
    }

    @Test("reading webhooks takes the read scope; every change takes admin (403 problem+json, nothing changed)", arguments: TestBackend.available)
    func scopes(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (id, _) = try await Self.create(api)
            var tokens: [TokenScope: String] = [:]
            for scope in [TokenScope.read, .write] {
                let secret = APITokenSecret.generate()
                _ = try await api.store.createToken(workspaceID: api.workspaceID, name: scope.rawValue, secretHash: APITokenSecret.hash(secret), scope: scope)
                tokens[scope] = secret
            }
            let before = try await api.send(.get, "/api/v1/webhooks/\(id)").bytes
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)", token: tokens[.read]).status == .ok)
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries", token: tokens[.read]).status == .ok)
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/api/v1/webhooks", #"{"url": "\#(Self.url)", "events": ["response.created"]}"#),
                (.patch, "/api/v1/webhooks/\(id)", #"{"url": "https://93.184.215.15/elsewhere"}"#),
                (.delete, "/api/v1/webhooks/\(id)", nil),
                (.post, "/api/v1/webhooks/\(id)/secret", nil),
                (.post, "/api/v1/webhooks/\(id)/deliveries/1/replay", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let r = try await api.send(method, path, json: body, token: tokens[.write])
                #expect(r.status == .forbidden && r.isProblem && r.detail.contains("needs admin"), "\(method) \(path): \(r.status)")
            }
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)").bytes == before)
            #expect(try await api.send(.get, "/api/v1/webhooks").json["data"].map { if case .array(let a) = $0 { a.count } else { 0 } } == 1)
        }
    }

    @Test("invalid bodies are 422 naming each field, and create nothing",
          arguments: TestBackend.available, [
              (#"{}"#, ["url", "events"]),
              (#"{"url": "ftp://93.184.215.14/x", "events": ["response.created"]}"#, ["url"]),
              (#"{"url": "https://", "events": ["response.created"]}"#, ["url"]),
              (#"{"url": "https://user:pw@93.184.215.14/x", "events": ["response.created"]}"#, ["url"]),
              (#"{"url": "https://93.184.215.14:99999/x", "events": ["response.created"]}"#, ["url"]),
              (#"{"url": "https://93.184.215.14/x#frag", "events": ["response.created"]}"#, ["url"]),
              (#"{"url": "https://93.184.215.14/ x", "events": ["response.created"]}"#, ["url"]),
              (#"{"url": 7, "events": ["response.created"]}"#, ["url"]),
              (#"{"url": "https://93.184.215.14/x", "events": []}"#, ["events"]),
              (#"{"url": "https://93.184.215.14/x", "events": "response.created"}"#, ["events"]),
              (#"{"url": "https://93.184.215.14/x", "events": ["response.created", "case.opened", 3]}"#, ["events[1]", "events[2]"]),
              (#"{"url": "https://93.184.215.14/x", "events": ["response.created"], "secret": "mine"}"#, ["secret"]),
              (#"{"url": "https://93.184.215.14/x", "events": ["response.created"], "format": "teams"}"#, ["format"]),
              (#"{"url": "https://93.184.215.14/x", "events": ["response.created"], "format": null}"#, ["format"]),
          ])
    func invalidCreate(_ backend: TestBackend, _ testCase: (body: String, fields: [String])) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.post, "/api/v1/webhooks", json: testCase.body)
            #expect(r.status == .unprocessableContent)
            #expect(r.isProblem)
            #expect(r.errorFields == testCase.fields)
            #expect(try await api.send(.get, "/api/v1/webhooks").json["data"] == .array([]))
        }
    }

    @Test("loopback, private, link-local and other internal addresses are refused unless private networks are allowed (SSRF)",
          arguments: TestBackend.available, [
              "http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x", "http://172.20.0.1/x", "http://192.168.1.1/x",
              "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/x", "http://0.0.0.0/x", "http://[::1]/x", "http://[fd00::1]/x",
              "http://[fe80::1]/x", "http://[::ffff:127.0.0.1]/x", "http://224.0.0.1/x",
          ])
    func privateNetworks(_ backend: TestBackend, _ url: String) async throws {
        try await withAPI(backend) { api in
            let r = try await api.send(.post, "/api/v1/webhooks", json: #"{"url": "\#(url)", "events": ["response.created"]}"#)
            #expect(r.status == .unprocessableContent && r.isProblem && r.errorFields == ["url"])
            #expect(r.detail.contains("public addresses only"), "\(r.detail)")
            #expect(try await api.send(.get, "/api/v1/webhooks").json["data"] == .array([]))
        }
        try await withAPI(backend, webhooks: WebhookSettings(allowPrivateNetworks: true)) { api in
            let r = try await api.send(.post, "/api/v1/webhooks", json: #"{"url": "\#(url)", "events": ["response.created"]}"#)
            #expect(r.status == .created)
        }
    }

    @Test("invalid changes are 422 naming each field and change nothing", arguments: TestBackend.available)
    func invalidUpdate(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (id, _) = try await Self.create(api)
            let before = try await api.send(.get, "/api/v1/webhooks/\(id)").bytes
            for (body, fields) in [
                (#"{"url": "http://10.0.0.1/x", "events": ["response.created"], "enabled": "yes"}"#, ["enabled", "url"]),
                (#"{"events": null}"#, ["events"]),
                (#"{"url": null}"#, ["url"]),
                (#"{"colour": "red"}"#, ["colour"]),
            ] {
                let r = try await api.send(.patch, "/api/v1/webhooks/\(id)", json: body)
                #expect(r.status == .unprocessableContent && r.isProblem)
                #expect(Set(r.errorFields) == Set(fields), "\(body): \(r.errorFields)")
            }
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)").bytes == before)
            #expect(try await api.send(.get, "/api/v1/webhooks?limit=0").status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries?state=lost").status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/webhooks/abc").status == .notFound)
        }
    }

    @Test("another workspace's token neither sees nor changes a webhook or its deliveries", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (id, _) = try await Self.create(api)
            let survey = try await api.createSurvey()
            #expect(try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": 2}"#).status == .created)
            let deliveries = try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries")
            guard case .integer(let deliveryID)? = deliveries.json["data"]?[0]?["id"] else { Issue.record("\(deliveries.json)"); return }

            let other = try await api.token(forWorkspace: "globex")
            let before = try await api.send(.get, "/api/v1/webhooks/\(id)").bytes
            #expect(try await api.send(.get, "/api/v1/webhooks", token: other).json["data"] == .array([]))
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/api/v1/webhooks/\(id)", nil),
                (.patch, "/api/v1/webhooks/\(id)", #"{"enabled": false}"#),
                (.delete, "/api/v1/webhooks/\(id)", nil),
                (.post, "/api/v1/webhooks/\(id)/secret", nil),
                (.get, "/api/v1/webhooks/\(id)/deliveries", nil),
                (.get, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)", nil),
                (.post, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)/replay", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let r = try await api.send(method, path, json: body, token: other)
                #expect(r.status == .notFound && r.isProblem, "\(method) \(path): \(r.status)")
            }
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)").bytes == before)
            #expect(try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries").json["data"]?[0]?["state"] == .string("pending"))
        }
    }

    @Test("the delivery log shows each event with its payload; replay waits for the endpoint to be enabled and the delivery settled",
          arguments: TestBackend.available)
    func deliveryLogAndReplay(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (id, _) = try await Self.create(api, events: #"["response.created", "contact.unsubscribed"]"#)
            let survey = try await api.createSurvey()
            let answer = try await api.send(.post, "/api/v1/responses", json: """
                {"survey_id": \(survey), "score": 1, "comment": "Çok yavaş", "contact": {"external_id": "u-1", "email": "ana@example.com"}}
                """)
            #expect(answer.status == .created)
            #expect(try await api.send(.post, "/api/v1/suppressions", json: #"{"email": "ana@example.com"}"#).status == .created)

            let list = try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries")
            #expect(list.json["data"]?[0]?["event_type"] == .string("contact.unsubscribed"))
            #expect(list.json["data"]?[1]?["event_type"] == .string("response.created"))
            #expect(list.json["data"]?[1]?["state"] == .string("pending") && list.json["data"]?[1]?["attempts"] == .integer(0))
            guard case .integer(let deliveryID)? = list.json["data"]?[1]?["id"] else { Issue.record("\(list.json)"); return }
            let shown = try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)")
            #expect(shown.json["payload"]?["data"]?["response"]?["id"] == answer.json["id"])
            #expect(shown.json["payload"]?["data"]?["response"]?["comment"] == .string("Çok yavaş"))
            #expect(shown.json["attempt_log"] == .array([]))
            let pending = try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries?state=pending")
            #expect(pending.json["data"].map { if case .array(let a) = $0 { a.count } else { 0 } } == 2)

            let replayPending = try await api.send(.post, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)/replay")
            #expect(replayPending.status == .conflict && replayPending.isProblem)
            #expect(try await api.send(.post, "/api/v1/webhooks/\(id)/deliveries/999999/replay").status == .notFound)

            // Settle it as delivered, as the job runner would.
            let job = try #require(try await api.store.jobs(workspaceID: api.workspaceID, state: .queued, before: nil, limit: 10).items
                .first { $0.payload["delivery_id"] == .integer(deliveryID) })
            let claimed = try await api.store.claimJobs(kinds: [webhookDeliveryJobKind], owner: "t", limit: 10, leaseMilliseconds: 60_000)
            #expect(claimed.contains { $0.id == job.id })
            _ = try await api.store.recordWebhookAttempt(JobLease(owner: "t", jobID: job.id), deliveryID: deliveryID,
                                                         WebhookAttempt(at: api.clock.now(), statusCode: 204, durationMilliseconds: 12, error: nil),
                                                         retryAt: nil)
            let delivered = try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)")
            #expect(delivered.json["state"] == .string("delivered") && delivered.json["last_status_code"] == .integer(204))
            #expect(delivered.json["attempt_log"]?[0]?["duration_ms"] == .integer(12))

            #expect(try await api.send(.patch, "/api/v1/webhooks/\(id)", json: #"{"enabled": false}"#).status == .ok)
            #expect(try await api.send(.post, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)/replay").status == .conflict)
            #expect(try await api.send(.patch, "/api/v1/webhooks/\(id)", json: #"{"enabled": true}"#).status == .ok)
            let replayed = try await api.send(.post, "/api/v1/webhooks/\(id)/deliveries/\(deliveryID)/replay")
            #expect(replayed.status == .accepted && replayed.json["state"] == .string("pending"))
            #expect(replayed.json["event_id"] == delivered.json["event_id"])
        }
    }
}

extension JSONValue {
    /// An element of an array.
    subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { items[index] } else { nil }
    }
}

@Suite("Webhook events from the survey pages")
struct WebhookRespondentEventTests {
    static let scannerAgent = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; BingPreview/1.0b)"

    func eventTypes(_ api: APIHarness, webhook id: Int64) async throws -> [String] {
        let r = try await api.send(.get, "/api/v1/webhooks/\(id)/deliveries")
        guard case .array(let items)? = r.json["data"] else { throw HarnessError("no deliveries: \(r.json)") }
        return items.reversed().compactMap { if case .string(let t)? = $0["event_type"] { t } else { nil } }
    }

    @Test("scanner hits and provisional one-click scores emit nothing; the person's answer emits response.created once, a change response.updated",
          arguments: TestBackend.available)
    func respondentPages(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (id, _) = try await WebhooksAPITests.create(api, events: #"["response.created", "response.updated"]"#)
            let survey = try await api.createSurvey()
            let (token, _) = try await api.sentInvitation(surveyID: survey, sentAgoMilliseconds: 2_000)
            let gateway = RespondentBrowser(api)
            _ = try await gateway.get("/r/\(token)/6")
            api.clock.advance(milliseconds: 60_000)
            for score in 0...10 { _ = try await gateway.get("/r/\(token)/\(score)") }
            let scanner = RespondentBrowser(api, userAgent: Self.scannerAgent)
            _ = try await scanner.get("/r/\(token)/9")
            _ = try await scanner.post("/r/\(token)", [("score", "9"), ("send", "1")])
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["flagged"])
            #expect(try await eventTypes(api, webhook: id) == [])

            api.clock.advance(milliseconds: 3_600_000)
            let person = RespondentBrowser(api)
            _ = try await person.get("/r/\(token)/8")
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["provisional"])
            #expect(try await eventTypes(api, webhook: id) == [])
            #expect(try await person.post("/r/\(token)/beacon", []).status == .noContent)
            #expect(try await eventTypes(api, webhook: id) == ["response.created"])
            _ = try await person.post("/r/\(token)", [("score", "8"), ("comment", "Fast support"), ("send", "1")])
            _ = try await person.post("/r/\(token)", [("score", "8"), ("comment", "Fast support"), ("send", "1")])
            #expect(try await eventTypes(api, webhook: id) == ["response.created", "response.updated"])
            // A scanner after the person changes nothing and says nothing.
            _ = try await scanner.get("/r/\(token)/0")
            #expect(try await eventTypes(api, webhook: id) == ["response.created", "response.updated"])
        }
    }
}
