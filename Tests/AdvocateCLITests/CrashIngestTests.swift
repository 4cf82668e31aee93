import AdvocateCore
import AdvocateTestSupport
import Foundation
import HTTPTypes
import Testing

/// The response API at full speed, `advocate serve` killed with SIGKILL twenty times at seeded
/// moments and restarted: every answer whose request got a 2xx is in the database exactly once,
/// and an answer whose request got no reply is there once or not at all.
@Suite("Answers survive kill -9", .serialized)
struct CrashIngestTests {
    static let kills = 20
    static let clients = 6

    @Test("SQLite: 20 kills under full load; every acknowledged answer is stored exactly once, none twice")
    func sqlite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("advocate-ingest-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await killAndCount(database: ["--data", dir], seed: 11)
    }

    @Test("PostgreSQL: 20 kills under full load; every acknowledged answer is stored exactly once, none twice",
          .enabled(if: TestBackend.available.contains(.postgres)))
    func postgres() async throws {
        let url = try await PostgresTestCluster.shared.createDatabase()
        try await killAndCount(database: ["--database", url], seed: 12)
    }

    func killAndCount(database: [String], seed: UInt64) async throws {
        let created = runAdvocate(["token", "create", "--name", "ingest crash test"] + database)
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.lastLine
        var server = try ServerProcess(database)
        defer { server.kill9() }
        let survey = try await server.request(.post, "/api/v1/surveys", token: token, json: #"{"name": "Crash", "product_name": "Acme"}"#)
        guard case .integer(let surveyID)? = try JSONValue.parse(survey.body)["id"] else { Issue.record("no survey: \(survey.body)"); return }

        let load = AnswerLoad()
        var random = SeededGenerator(seed: seed)
        for round in 0..<Self.kills {
            // Kill after a seeded number of acknowledged answers in this round: a moment in the
            // middle of the load, with requests in flight on every client.
            let killAfter = Int.random(in: 30...300, using: &random)
            let port = server.port
            let (acks, ackSink) = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<Self.clients {
                    group.addTask {
                        await load.drive(port: port, token: token, surveyID: surveyID, prefix: "r\(round)c\(client)n", acks: ackSink)
                    }
                }
                var count = 0
                for await _ in acks {
                    count += 1
                    if count >= killAfter { break }
                }
                server.kill9()
                try await group.waitForAll()
            }
            ackSink.finish()
            server = try ServerProcess(database)
        }

        let ledger = load.ledger
        let (acknowledged, unanswered, refused) = (Set(ledger.acknowledged.keys), ledger.unanswered, ledger.refused)
        #expect(refused.isEmpty, "requests refused while the server was up: \(refused.prefix(5))")
        #expect(acknowledged.count >= Self.kills * 30)
        var stored: [String: Int] = [:]
        var cursor: String?
        repeat {
            let page = try await server.request(.get, "/api/v1/responses?survey_id=\(surveyID)&limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            #expect(page.status == 200)
            let json = try JSONValue.parse(page.body)
            guard case .array(let items)? = json["data"] else { Issue.record("no data: \(page.body)"); return }
            for item in items {
                if case .string(let comment)? = item["comment"] { stored[AnswerLoad.marker(of: comment), default: 0] += 1 }
            }
            if case .string(let next)? = json["next_cursor"] { cursor = next } else { cursor = nil }
        } while cursor != nil
        server.terminate()

        let lost = acknowledged.filter { stored[$0] == nil }.sorted()
        let twice = stored.filter { $0.value > 1 }.keys.sorted()
        let unknown = Set(stored.keys).subtracting(acknowledged).subtracting(unanswered)
        #expect(lost.isEmpty, "\(lost.count) acknowledged answers are missing, e.g. \(lost.prefix(5))")
        #expect(twice.isEmpty, "\(twice.count) answers are stored twice, e.g. \(twice.prefix(5))")
        #expect(unknown.isEmpty, "stored answers nobody sent: \(unknown.prefix(5))")
    }
}
