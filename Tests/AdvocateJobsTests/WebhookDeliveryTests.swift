import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Mail
import MailTestSupport
import NPS
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Tests/PythonSupport/webhook_receiver.py on a free port: a real HTTP server that verifies each
/// delivery with the Python code of docs/webhooks.md.
struct WebhookReceiver {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repository.appendingPathComponent("Tests/PythonSupport/webhook_receiver.py").path
    static let docs = repository.appendingPathComponent("docs/webhooks.md").path

    let port: Int
    let directory: URL
    private let pid: pid_t

    var url: String { "http://127.0.0.1:\(port)/hooks/advocate" }
    private var state: URL { directory.appendingPathComponent("state.json") }
    private var log: URL { directory.appendingPathComponent("log.jsonl") }

    /// Starts a receiver that answers 500 to the first `fail` deliveries, runs `body`, kills it.
    /// `unsigned`: a Slack-compatible incoming webhook, which takes every request unverified.
    static func with<T>(fail: Int = 0, unsigned: Bool = false, _ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let directory = try Python.temporaryDirectory("webhook-receiver")
        let (pid, stdout) = try Python.start([script, "--docs", docs, "--state", directory.appendingPathComponent("state.json").path,
                                              "--log", directory.appendingPathComponent("log.jsonl").path, "--fail", String(fail)] + (unsigned ? ["--unsigned"] : []),
                                             stderr: directory.appendingPathComponent("stderr").path)
        // "ready PORT", read off the cooperative pool (a blocking read).
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                var byte: UInt8 = 0
                while read(stdout, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        close(stdout)
        let receiver = WebhookReceiver(port: Int(line.split(separator: " ").last ?? "") ?? 0, directory: directory, pid: pid)
        defer {
            kill(pid, SIGKILL)
            Python.wait(for: pid)
            try? FileManager.default.removeItem(at: directory)
        }
        guard line.hasPrefix("ready ") else {
            let log = (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            throw FixtureError("the webhook receiver did not start: \(log)")
        }
        return try await body(receiver)
    }

    /// Tells the receiver the endpoint's secret and what time it is (the test's clock).
    func setState(secret: String, now: Timestamp) throws {
        let text = JSONValue.object(["secret": .string(secret), "now": .double(Double(now.milliseconds) / 1000)]).serialized()
        try Data(text.utf8).write(to: state)
    }

    /// Every request received, in order.
    func requests() throws -> [JSONValue] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    /// What the documented Python `verify` says of a delivery.
    static func check(secret: String, timestamp: String, signatures: String, body: String, now: Timestamp) throws -> String {
        let directory = try Python.temporaryDirectory("webhook-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bodyFile = directory.appendingPathComponent("body")
        try Data(body.utf8).write(to: bodyFile)
        let result = try Python.run([script, "--docs", docs, "--check", secret, timestamp, signatures, bodyFile.path,
                                     String(Double(now.milliseconds) / 1000)])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + result.stderr
    }
}

/// A store with a workspace, a survey and a runner that delivers webhooks.
struct WebhookFixture {
    let store: AdvocateStore
    let clock: ManualClock
    let workspace: Workspace
    let survey: Survey
    let runner: JobRunner
    let deliverer: WebhookDeliverer

    init(store: AdvocateStore, clock: ManualClock, notice: WebhookDisabledNotice? = nil, publicURL: String? = nil) async throws {
        self.store = store
        self.clock = clock
        workspace = try await store.ensureWorkspace(slug: "acme").workspace
        survey = try await store.createSurvey(workspaceID: workspace.id, SurveyInput(name: "Relationship", productName: "Acme Cloud"))
        // The receiver listens on 127.0.0.1, which the default settings refuse (SSRF).
        deliverer = WebhookDeliverer(store: store, settings: WebhookSettings(allowPrivateNetworks: true, publicURL: publicURL),
                                         notice: notice ?? WebhookDisabledNotice(store: store, pool: nil, settings: nil))
        runner = JobRunner(store: store, handlers: [deliverer], configuration: .init(owner: "test-runner"))
    }

    func answer(_ score: Int, contact: String = "u-1") async throws -> IngestOutcome {
        try await store.record(workspaceID: workspace.id, [ResponseSubmission(
            surveyID: survey.id, contact: ContactInput(externalID: contact, email: "\(contact)@example.com", name: "Ana"),
            score: Score(score)!, comment: "Too slow")], batch: false)[0]
    }

    func deliveries(_ webhook: Webhook) async throws -> [WebhookDelivery] {
        try await store.webhookDeliveries(workspaceID: workspace.id, webhookID: webhook.id, state: nil, before: nil, limit: 100).items
    }

    func shutdown() async { await deliverer.shutdown() }
}

@Suite("Webhook signatures and retry schedule")
struct WebhookSignatureTests {
    let now = Timestamp(rfc3339: "2026-11-22T09:00:00Z")!

    @Test("the signature is HMAC-SHA256 of \"timestamp.body\" in hex (a vector from Python's hmac), and verification refuses any change")
    func signature() {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec_test",b"1795338000.{\"a\":1}",hashlib.sha256).hexdigest())'
        #expect(WebhookSignature.sign(body: #"{"a":1}"#, timestamp: 1_795_338_000, secret: "whsec_test")
                == "f4c67ddae22e24a8d17a8de1bdd58dadbd1323c5364c5bfc598ed9fae268a70c")
        let header = WebhookSignature.header(body: #"{"a":1}"#, timestamp: 1_795_338_000, secrets: ["whsec_test"])
        #expect(header == "v1=" + WebhookSignature.sign(body: #"{"a":1}"#, timestamp: 1_795_338_000, secret: "whsec_test"))
        let t = String(now.milliseconds / 1000)
        let signed = WebhookSignature.header(body: "{}", timestamp: now.milliseconds / 1000, secrets: ["new", "old"])
        #expect(WebhookSignature.verify(body: "{}", timestamp: t, signatures: signed, secret: "new", now: now))
        #expect(WebhookSignature.verify(body: "{}", timestamp: t, signatures: signed, secret: "old", now: now))
        #expect(!WebhookSignature.verify(body: "{ }", timestamp: t, signatures: signed, secret: "new", now: now))
        #expect(!WebhookSignature.verify(body: "{}", timestamp: t, signatures: signed, secret: "other", now: now))
        #expect(!WebhookSignature.verify(body: "{}", timestamp: t, signatures: signed, secret: "new", now: now.adding(milliseconds: 301_000)))
        #expect(!WebhookSignature.verify(body: "{}", timestamp: "x", signatures: signed, secret: "new", now: now))
        #expect(WebhookSignature.makeSecret().hasPrefix("whsec_") && WebhookSignature.makeSecret().count == 49)
    }

    @Test("the documented Python verifier accepts a signature and refuses a changed body, another secret and a stale timestamp")
    func pythonVerifier() throws {
        let body = #"{"id":"evt_1","type":"response.created","data":{"comment":"Çok yavaş — 太慢了"}}"#
        let t = now.milliseconds / 1000
        let signatures = WebhookSignature.header(body: body, timestamp: t, secrets: ["whsec_new", "whsec_old"])
        #expect(try WebhookReceiver.check(secret: "whsec_new", timestamp: String(t), signatures: signatures, body: body, now: now) == "valid")
        #expect(try WebhookReceiver.check(secret: "whsec_old", timestamp: String(t), signatures: signatures, body: body, now: now) == "valid")
        #expect(try WebhookReceiver.check(secret: "whsec_new", timestamp: String(t), signatures: signatures, body: body + " ", now: now) == "invalid")
        #expect(try WebhookReceiver.check(secret: "whsec_other", timestamp: String(t), signatures: signatures, body: body, now: now) == "invalid")
        #expect(try WebhookReceiver.check(secret: "whsec_new", timestamp: String(t), signatures: signatures, body: body,
                                          now: now.adding(milliseconds: 600_000)) == "invalid")
    }

    @Test("the documented JavaScript verifier agrees (run with node)")
    func javascriptVerifier() throws {
        let docs = try String(contentsOfFile: WebhookReceiver.docs, encoding: .utf8)
        let start = try #require(docs.range(of: "```javascript\n"))
        let end = try #require(docs.range(of: "```", range: start.upperBound..<docs.endIndex))
        let code = String(docs[start.upperBound..<end.lowerBound])
        let body = #"{"comment":"Çok yavaş"}"#
        let t = now.milliseconds / 1000
        let signatures = WebhookSignature.header(body: body, timestamp: t, secrets: ["whsec_new"])
        let nowSeconds = Double(now.milliseconds) / 1000
        let script = code + """
            console.log([
              verify("whsec_new", "\(t)", "\(signatures)", Buffer.from(\(JSONValue.string(body).serialized()), "utf8"), 300, \(nowSeconds)),
              verify("whsec_new", "\(t)", "\(signatures)", Buffer.from(\(JSONValue.string(body + " ").serialized()), "utf8"), 300, \(nowSeconds)),
              verify("whsec_new", "\(t)", "\(signatures)", Buffer.from(\(JSONValue.string(body).serialized()), "utf8"), 300, \(nowSeconds + 301)),
            ].join(","));
            """
        let directory = try Python.temporaryDirectory("webhook-node")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path
        let status = runProgram("/usr/bin/env", ["node", "-e", script], stdout: out, stderr: directory.appendingPathComponent("err").path)
        #expect(status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "true,false,false")
    }

    @Test("retries back off from 30 seconds to an hour, end exactly 24 hours after the event, then stop")
    func schedule() {
        var random = SeededGenerator(seed: 7)
        let until = now.adding(milliseconds: WebhookDelivery.retryWindowMilliseconds)
        var at = now
        var attempts = 1
        var delays: [Int64] = []
        while let next = Backoff.webhook.nextAttempt(afterAttempt: attempts, now: at, until: until, using: &random) {
            #expect(next > at && next <= until)
            delays.append(next.milliseconds - at.milliseconds)
            at = next
            attempts += 1
        }
        #expect(at == until)
        #expect((24_000...36_000).contains(delays[0]))
        #expect(delays.dropLast().allSatisfy { $0 <= 4_320_000 })
        #expect((25...45).contains(attempts))
        #expect(Backoff.webhook.nextAttempt(afterAttempt: attempts, now: until, until: until, using: &random) == nil)
    }
}

@Suite("Webhook delivery to a real HTTP receiver")
struct WebhookDeliveryTests {
    /// Runs the due jobs with the receiver told the time; then moves the clock past the longest backoff.
    static func round(_ f: WebhookFixture, _ receiver: WebhookReceiver, secret: String) async throws {
        try receiver.setState(secret: secret, now: f.clock.now())
        try await f.runner.runDue()
        f.clock.advance(milliseconds: 75 * 60_000)
    }

    @Test("a receiver that fails 3 times then succeeds gets the event exactly once, signed as documented", arguments: TestBackend.available)
    func retriedUntilDelivered(_ backend: TestBackend) async throws {
        try await WebhookReceiver.with(fail: 3) { receiver in
            try await withTestStore(backend) { store, clock in
                let f = try await WebhookFixture(store: store, clock: clock)
                defer { Task { await f.shutdown() } }
                let secret = WebhookSignature.makeSecret()
                let webhook = try await store.createWebhook(workspaceID: f.workspace.id, url: receiver.url,
                                                            events: [.responseCreated, .responseUpdated], secret: secret)
                let outcome = try await f.answer(3)
                for _ in 0..<6 { try await Self.round(f, receiver, secret: secret) }

                let requests = try receiver.requests()
                #expect(requests.map { $0["status"] } == [.integer(500), .integer(500), .integer(500), .integer(200)])
                #expect(requests.allSatisfy { $0["verified"] == .bool(true) && $0["content_type"] == .string("application/json") })
                #expect(Set(requests.map { $0["event_id"] }).count == 1)
                guard case .string(let text)? = requests.last?["body"] else { Issue.record("no body received"); return }
                let body = try JSONValue.parse(text)
                #expect(body["type"] == .string("response.created") && body["version"] == .integer(1))
                #expect(body["data"]?["response"]?["id"] == .integer(outcome.id))
                #expect(body["data"]?["response"]?["category"] == .string("detractor"))
                #expect(body["data"]?["response"]?["contact"]?["external_id"] == .string("u-1"))

                let delivery = try #require(try await f.deliveries(webhook).first)
                #expect(delivery.state == .delivered && delivery.attempts == 4 && delivery.lastStatusCode == 200)
                let (_, attempts) = try #require(try await store.webhookDelivery(workspaceID: f.workspace.id, webhookID: webhook.id, id: delivery.id))
                #expect(attempts.map(\.statusCode) == [500, 500, 500, 200])
                #expect(attempts[0].error == "the endpoint answered 500" && attempts[3].error == nil)
                #expect(zip(attempts, attempts.dropFirst()).allSatisfy { $0.at < $1.at })
            }
        }
    }

    @Test("a Slack-format endpoint gets a signed Slack message with the score, colour, comment, contact and a link to the response",
          arguments: TestBackend.available)
    func slack(_ backend: TestBackend) async throws {
        try await WebhookReceiver.with { receiver in
            try await withTestStore(backend) { store, clock in
                let f = try await WebhookFixture(store: store, clock: clock, publicURL: "https://nps.acme.example.com/")
                defer { Task { await f.shutdown() } }
                let secret = WebhookSignature.makeSecret()
                let webhook = try await store.createWebhook(workspaceID: f.workspace.id, url: receiver.url, events: [.responseCreated],
                                                            format: .slack, secret: secret)
                let outcome = try await f.answer(2)
                try await Self.round(f, receiver, secret: secret)
                let requests = try receiver.requests()
                #expect(requests.count == 1 && requests.first?["verified"] == .bool(true) && requests.first?["status"] == .integer(200))
                guard case .string(let text)? = requests.first?["body"] else { Issue.record("no body received"); return }
                let message = try JSONValue.parse(text)
                #expect(message["text"] == .string("New answer: 2/10, detractor, from Ana (u-1@example.com)"))
                guard case .array(let attachments)? = message["attachments"], let a = attachments.first else { Issue.record("\(message)"); return }
                #expect(a["color"] == .string("#c92a2a") && a["text"] == .string("Too slow"))
                #expect(a["title_link"] == .string("https://nps.acme.example.com/app/responses/\(outcome.id)"))
                // The log keeps the event itself, as for JSON endpoints.
                let delivery = try #require(try await f.deliveries(webhook).first)
                let logged = try JSONValue.parse(delivery.body)
                #expect(delivery.state == .delivered && logged["type"] == .string("response.created"))
            }
        }
    }

    @Test("a receiver that is down for a day is disabled after 24 hours and the workspace's admins are e-mailed", arguments: TestBackend.available)
    func disabledAfterADay(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with { smtp in
          try await WebhookReceiver.with(fail: 1_000) { receiver in
            try await withTestStore(backend) { store, clock in
                let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(smtp.port)?starttls=off"))
                let pool = SMTPPool(client: client, concurrency: 1, perMinute: nil, clock: clock)
                let settings = MailSettings(from: try MailAddress(parsing: "Acme NPS <nps@acme.example.com>"),
                                            publicURL: "https://nps.acme.example.com", dkim: nil)
                let f = try await WebhookFixture(store: store, clock: clock,
                                                 notice: WebhookDisabledNotice(store: store, pool: pool, settings: settings))
                defer { Task { await f.shutdown(); await pool.close() } }
                _ = try await store.addMember(workspaceID: f.workspace.id, email: "owner@acme.example.com", name: nil, role: .owner)
                _ = try await store.addMember(workspaceID: f.workspace.id, email: "admin@acme.example.com", name: nil, role: .admin)
                _ = try await store.addMember(workspaceID: f.workspace.id, email: "viewer@acme.example.com", name: nil, role: .viewer)
                // The receiver answers 500 all day long.
                let secret = WebhookSignature.makeSecret()
                let webhook = try await store.createWebhook(workspaceID: f.workspace.id, url: receiver.url,
                                                            events: [.responseCreated], secret: secret)
                let start = clock.now()
                _ = try await f.answer(0)
                var rounds = 0
                while try await f.deliveries(webhook).first?.state == .pending, rounds < 40 {
                    try await Self.round(f, receiver, secret: secret)
                    rounds += 1
                }
                let delivery = try #require(try await f.deliveries(webhook).first)
                #expect(delivery.state == .failed)
                #expect((20...40).contains(delivery.attempts))
                let (_, attempts) = try #require(try await store.webhookDelivery(workspaceID: f.workspace.id, webhookID: webhook.id, id: delivery.id))
                #expect(attempts.last!.at >= start.adding(milliseconds: WebhookDelivery.retryWindowMilliseconds))
                #expect(attempts.dropLast().allSatisfy { $0.at < start.adding(milliseconds: WebhookDelivery.retryWindowMilliseconds) })
                #expect(attempts.allSatisfy { $0.statusCode == 500 && $0.error == "the endpoint answered 500" })
                #expect(try receiver.requests().count == attempts.count)

                let disabled = try #require(try await store.webhook(workspaceID: f.workspace.id, id: webhook.id))
                #expect(!disabled.enabled && disabled.disabledReason?.hasPrefix("deliveries failed for 24 hours") == true)
                let messages = try smtp.messages()
                #expect(messages.count == 1)
                #expect((messages.first?.meta["rcpt_tos"] as? [String])?.sorted() == ["admin@acme.example.com", "owner@acme.example.com"])
                let mail = String(decoding: messages.first?.bytes ?? [], as: UTF8.self)
                #expect(mail.contains("Webhook disabled: http://127.0.0.1:"))

                // A disabled endpoint gets no new events.
                _ = try await f.answer(10, contact: "u-2")
                #expect(try await f.deliveries(webhook).count == 1)
            }
          }
        }
    }

    @Test("events come from every place responses are counted or changed and people unsubscribe, never from imports", arguments: TestBackend.available)
    func events(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let f = try await WebhookFixture(store: store, clock: clock)
            defer { Task { await f.shutdown() } }
            let all = try await store.createWebhook(workspaceID: f.workspace.id, url: "https://93.184.215.14/all",
                                                    events: WebhookEventType.allCases, secret: "s1")
            let created = try await store.createWebhook(workspaceID: f.workspace.id, url: "https://93.184.215.14/created",
                                                        events: [.responseCreated], secret: "s2")
            let other = try await store.ensureWorkspace(slug: "other").workspace
            let elsewhere = try await store.createWebhook(workspaceID: other.id, url: "https://93.184.215.14/other",
                                                          events: WebhookEventType.allCases, secret: "s3")
            _ = try await f.answer(9)
            clock.advance(milliseconds: 60_000)
            _ = try await f.answer(4) // the same round: an update
            var imported = ResponseSubmission(surveyID: f.survey.id, contact: ContactInput(externalID: "old"), score: Score(7)!)
            imported.sourceID = "delighted:1"
            _ = try await store.record(workspaceID: f.workspace.id, [imported], batch: false)
            try await store.suppress(workspaceID: f.workspace.id, email: "u-1@example.com", reason: .unsubscribed, detail: nil)
            try await store.suppress(workspaceID: f.workspace.id, email: "u-1@example.com", reason: .unsubscribed, detail: nil)
            try await store.suppress(workspaceID: f.workspace.id, email: "bounce@example.com", reason: .bounced, detail: nil)

            let types = try await f.deliveries(all).reversed().map(\.eventType)
            #expect(types == [.responseCreated, .responseUpdated, .contactUnsubscribed])
            #expect(try await f.deliveries(created).map(\.eventType) == [.responseCreated])
            #expect(try await store.webhookDeliveries(workspaceID: other.id, webhookID: elsewhere.id, state: nil, before: nil, limit: 10).items.isEmpty)
            let updated = try JSONValue.parse(try #require(try await f.deliveries(all).first { $0.eventType == .responseUpdated }).body)
            #expect(updated["data"]?["response"]?["score"] == .integer(4))
            let unsubscribed = try JSONValue.parse(try #require(try await f.deliveries(all).first).body)
            #expect(unsubscribed["data"]?["email"] == .string("u-1@example.com"))
            #expect(unsubscribed["data"]?["contact"]?["external_id"] == .string("u-1"))
            // Both endpoints got the same event, with one id.
            let firstAll = try #require(try await f.deliveries(all).last), firstCreated = try #require(try await f.deliveries(created).first)
            #expect(firstAll.eventID == firstCreated.eventID && firstAll.body == firstCreated.body)
        }
    }
}
