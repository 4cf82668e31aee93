import AdvocateCore
import AdvocateTestSupport
import Foundation
import HTTPTypes
import MailTestSupport
import Testing

/// kill -9 in the middle of sending 10,000 invitations, restart, and count what the SMTP server
/// received: no contact twice, and every contact but at most one per kill (the message whose
/// commit the kill split from its final dot: docs/mail.md, "Sending exactly once").
@Suite("Sending exactly once across kill -9", .serialized)
struct CrashSendingTests {
    static let contacts = 10_000

    @Test("SQLite: killed mid-send three times and restarted, the SMTP server receives no contact twice and loses at most one per kill")
    func sqlite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("advocate-crash-\(UUID().uuidString)").path
        defer { if ProcessInfo.processInfo.environment["ADVOCATE_CRASH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let seed = UInt64(ProcessInfo.processInfo.environment["ADVOCATE_CRASH_SEED"] ?? "") ?? 1
        try await crashAndCount(database: ["--data", dir], servers: 1, seed: seed)
    }

    @Test("PostgreSQL: two servers share the sending, one is killed mid-send three times and restarted; no contact twice, at most one lost per kill",
          .enabled(if: TestBackend.available.contains(.postgres)))
    func postgres() async throws {
        let url = try await PostgresTestCluster.shared.createDatabase()
        try await crashAndCount(database: ["--database", url], servers: 2, seed: 2)
    }

    /// The kill comes the moment the SMTP server announces a message, which is when other
    /// messages of the same commit are being released: the worst moment for a sender that
    /// records before it delivers (see `Database.write(_:atCommit:)`).
    func crashAndCount(database: [String], servers count: Int, seed: UInt64) async throws {
        try await TestSMTPServer.with(["--pipelining", "--announce"]) { sink in
            let created = runAdvocate(["token", "create", "--name", "crash test"] + database)
            #expect(created.status == 0, "\(created.stderr)")
            let token = created.lastLine
            let arguments = database + ["--smtp-url", "smtp://127.0.0.1:\(sink.port)?starttls=off", "--mail-from", "Acme <nps@acme.example.com>",
                                        "--public-url", "https://nps.acme.example.com", "--smtp-concurrency", "4"]
            // A short lease, so the killed server's claimed jobs are taken over within seconds.
            let environment = ["ADVOCATE_JOB_LEASE_SECONDS": "2"]
            var servers = try (0..<count).map { _ in try ServerProcess(arguments, environment: environment) }
            defer { servers.forEach { $0.kill9() } }

            let survey = try await servers[0].request(.post, "/api/v1/surveys", token: token, json: #"{"name": "Crash", "product_name": "Acme"}"#)
            #expect(survey.status == 201)
            guard case .integer(let surveyID)? = try JSONValue.parse(survey.body)["id"] else { Issue.record("no survey: \(survey.body)"); return }
            let targets = (0..<Self.contacts).map { #"{"email": "c\#($0)@example.com"}"# }.joined(separator: ",")
            let invited = try await servers[0].request(.post, "/api/v1/surveys/\(surveyID)/invitations", token: token,
                                                       json: #"{"contacts": [\#(targets)]}"#)
            #expect(invited.status == 202)
            #expect(try JSONValue.parse(invited.body)["counts"]?["invited"] == .integer(Int64(Self.contacts)))

            // Kill the first server somewhere in the middle, then start it again; as many times
            // as ADVOCATE_CRASH_KILLS says (default 3; 20 for a stress run), at seeded points.
            var random = SeededGenerator(seed: seed)
            let kills = max(1, Int(ProcessInfo.processInfo.environment["ADVOCATE_CRASH_KILLS"] ?? "") ?? 3)
            let points = (0..<kills).map { i in Int.random(in: (1_000 + i * 8_000 / kills)...(1_000 + (i + 1) * 8_000 / kills - 1), using: &random) }
            for killAt in points {
                let before = await sink.waitForMessages(killAt, timeoutSeconds: 60)
                #expect(before >= killAt, "only \(before) messages arrived before the kill")
                servers[0].kill9()
                servers[0] = try ServerProcess(arguments, environment: environment)
            }

            // Up to 5 quiet minutes: a send that met a transient database error (a busy machine's
            // connection timing out) is retried after a backoff of one to two minutes, by design.
            let received = await sink.waitForMessages(Self.contacts, timeoutSeconds: 300)
            #expect(received >= Self.contacts - kills, "\(received) messages after the restart; log: \(servers[0].log.suffix(2000))")
            // Nothing is left to send, and once the servers stop no late duplicate can arrive.
            for state in ["queued", "running", "dead"] {
                let jobs = try await servers[0].request(.get, "/api/v1/jobs?state=\(state)&limit=5", token: token)
                #expect(try JSONValue.parse(jobs.body)["data"] == .array([]), "\(state) jobs remain: \(jobs.body)")
            }
            for server in servers { server.terminate() }
            let messages = try sink.messages()
            let recipients = messages.flatMap(\.recipients)
            let expected = Set((0..<Self.contacts).map { "c\($0)@example.com" })
            let counts = Dictionary(grouping: recipients, by: { $0 }).mapValues(\.count)
            let missing = expected.subtracting(counts.keys).sorted(), twice = counts.filter { $0.value > 1 }.keys.sorted()
            // A kill can land between a COMMIT's write and a final dot's write, usually microseconds
            // but as long as the kernel keeps the thread off the CPU on a loaded machine: that
            // message is recorded as sent and never arrives. It is the one loss the design allows
            // (sending it again could send it twice); anything more is a bug.
            #expect(messages.count == Self.contacts - missing.count)
            #expect(missing.count <= kills, "\(missing.count) contacts never got their message after \(kills) kills, e.g. \(missing.prefix(5))")
            if !missing.isEmpty { print("CrashSendingTests: \(missing.count) message(s) lost to a kill between commit and dot: \(missing)") }
            #expect(twice.isEmpty, "\(twice.count) contacts got it more than once, e.g. \(twice.prefix(5))")
        }
    }
}
