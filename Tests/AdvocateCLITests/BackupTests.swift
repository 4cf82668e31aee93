import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import HTTPTypes
import Foundation
import Testing

/// `advocate backup` and `advocate restore` as an operator runs them.
@Suite("advocate backup and restore")
struct BackupTests {
    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("advocate-backup-\(name)-\(UUID().uuidString)").path
    }

    static let clients = 4

    @Test("a backup taken under load restores to a database that passes its integrity checks and holds every answer acknowledged before it began, once")
    func backupUnderLoadAndRestore() async throws {
        let dir = Self.scratch("live"), other = Self.scratch("restored"), file = Self.scratch("file") + ".sqlite"
        defer { for p in [dir, other, file] { try? FileManager.default.removeItem(atPath: p) } }
        let token = runAdvocate(["token", "create", "--name", "backup", "--data", dir]).lastLine
        let server = try ServerProcess(["--data", dir])
        defer { server.kill9() }
        let survey = try await server.request(.post, "/api/v1/surveys", token: token, json: #"{"name": "Q4", "product_name": "Acme"}"#)
        guard case .integer(let surveyID)? = try JSONValue.parse(survey.body)["id"] else { Issue.record("no survey: \(survey.body)"); return }

        let load = AnswerLoad()
        let port = server.port
        let (acks, ackSink) = AsyncStream<Void>.makeStream()
        let (before, continued, backup) = try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<Self.clients {
                group.addTask { await load.drive(port: port, token: token, surveyID: surveyID, prefix: "c\(client)n", acks: ackSink) }
            }
            // Under way on every connection before the backup starts; no timing assumed.
            var count = 0
            for await _ in acks {
                count += 1
                if count >= 200 { break }
            }
            let before = load.ledger.acknowledged
            let backup = await Self.runAside(["backup", "--to", file, "--data", dir])
            // The clients never pause: an answer acknowledged after the backup ended shows the
            // load ran on across it. (How many land inside the backup's run is up to the
            // scheduler on a busy machine, so it is not asserted.)
            let acknowledgedByTheEnd = load.ledger.acknowledged.count
            var continued = false
            for await _ in acks where load.ledger.acknowledged.count > acknowledgedByTheEnd {
                continued = true
                break
            }
            load.stop()
            try await group.waitForAll()
            return (before, continued, backup)
        }
        ackSink.finish()
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("backed up to \(file)") && backup.stdout.contains("schema version \(AdvocateStore.latestSchemaVersion)"), "\(backup.stdout)")
        #expect(before.count >= 200, "the load was under way before the backup began")
        #expect(continued, "the load went on across the backup")
        let ledger = load.ledger
        #expect(ledger.refused.isEmpty && ledger.unanswered.isEmpty, "every request answered: \(ledger.refused.prefix(3)) \(ledger.unanswered.prefix(3))")
        let summary = try await AdvocateStore.inspectBackup(file)
        server.terminate()

        let restored = runAdvocate(["restore", "--from", file, "--data", other])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(!restored.stdout.contains("kept in"), "nothing was there to keep: \(restored.stdout)")
        // Checked by another SQLite than the server's: the Python standard library's.
        let check = try Self.sqliteCheck((other as NSString).appendingPathComponent("advocate.sqlite"))
        #expect(check.integrity == ["ok"])
        #expect(check.foreignKeyProblems == 0)
        #expect(check.responses.count == summary.responses)
        var stored: [String: [Int64]] = [:]
        for (id, comment) in check.responses { stored[AnswerLoad.marker(of: comment), default: []].append(id) }
        let lost = before.filter { stored[$0.key] != [$0.value] }.keys.sorted()
        let twice = stored.filter { $0.value.count > 1 }.keys.sorted()
        let unknown = stored.keys.filter { ledger.acknowledged[$0] == nil }
        #expect(lost.isEmpty, "\(lost.count) of \(before.count) answers acknowledged before the backup are missing or changed, e.g. \(lost.prefix(5))")
        #expect(twice.isEmpty, "stored twice: \(twice.prefix(5))")
        #expect(unknown.isEmpty, "stored answers nobody sent: \(unknown.prefix(5))")

        let store = try await AdvocateStore.open(.sqlite(directory: other))
        let ws = try #require(try await store.workspace(slug: "default"))
        let page = try await store.responses(workspaceID: ws.id, filter: ResponseFilter(), before: nil, limit: 5)
        #expect(page.items.allSatisfy { $0.comment?.hasSuffix(AnswerLoad.commentTail) == true }, "text comes back as written")
        #expect(try await store.tokenWorkspace(secretHash: APITokenSecret.hash(token)) != nil, "tokens come back with the data")
        await store.close()
    }

    /// Runs `advocate` on a thread of its own, so the waiting does not hold one of the few
    /// threads the clients' tasks run on.
    static func runAside(_ arguments: [String]) async -> CommandResult {
        await withCheckedContinuation { done in
            Thread { done.resume(returning: runAdvocate(arguments)) }.start()
        }
    }

    /// `PRAGMA integrity_check`, `PRAGMA foreign_key_check` and every response's id with its
    /// comment, read from an SQLite file.
    static func sqliteCheck(_ path: String) throws -> (integrity: [String], foreignKeyProblems: Int, responses: [(Int64, String)]) {
        let script = """
            import json, sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            print(json.dumps({
                "integrity": [r[0] for r in c.execute("PRAGMA integrity_check")],
                "foreign_keys": len(c.execute("PRAGMA foreign_key_check").fetchall()),
                "responses": [[i, t or ""] for i, t in c.execute("SELECT id, comment FROM responses")]}))
            """
        let out = scratch("check") + ".json"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let status = runProgram("/usr/bin/python3", ["-c", script, path], stdout: out, stderr: nil)
        let json = try JSONValue.parse(try String(contentsOfFile: out, encoding: .utf8))
        guard status == 0, case .array(let integrity)? = json["integrity"], case .integer(let problems)? = json["foreign_keys"],
              case .array(let rows)? = json["responses"] else { throw ServerProcessError("the SQLite check failed (\(status))") }
        let responses: [(Int64, String)] = rows.compactMap {
            guard case .array(let pair) = $0, pair.count == 2, case .integer(let id) = pair[0], case .string(let comment) = pair[1] else { return nil }
            return (id, comment)
        }
        return (integrity.compactMap { if case .string(let s) = $0 { s } else { nil } }, Int(problems), responses)
    }

    @Test("restore keeps the database it replaces, and refuses while a server uses the directory, changing nothing")
    func restoreKeepsAndRefusesWhileServing() async throws {
        let dir = Self.scratch("live"), file = Self.scratch("file") + ".sqlite"
        defer { for p in [dir, file] { try? FileManager.default.removeItem(atPath: p) } }
        let first = runAdvocate(["token", "create", "--name", "first", "--data", dir])
        #expect(runAdvocate(["backup", "--to", file, "--data", dir]).status == 0)
        let second = runAdvocate(["token", "create", "--name", "second", "--data", dir]).lastLine

        let server = try ServerProcess(["--data", dir])
        let refused = runAdvocate(["restore", "--from", file, "--data", dir])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is using \(dir); stop it, then restore; nothing was changed"), "\(refused.stderr)")
        server.terminate()
        let unchanged = try await AdvocateStore.open(.sqlite(directory: dir))
        #expect(try await unchanged.tokenWorkspace(secretHash: APITokenSecret.hash(second)) != nil)
        await unchanged.close()

        let restored = runAdvocate(["restore", "--from", file, "--data", dir])
        #expect(restored.status == 0, "\(restored.stderr)")
        let kept = try #require(restored.stdout.components(separatedBy: "kept in ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        #expect(try await store.tokenWorkspace(secretHash: APITokenSecret.hash(first.lastLine)) != nil)
        #expect(try await store.tokenWorkspace(secretHash: APITokenSecret.hash(second)) == nil, "the restored database is the backup's")
        await store.close()
        let before = try await AdvocateStore.open(.sqlite(directory: kept))
        #expect(try await before.tokenWorkspace(secretHash: APITokenSecret.hash(second)) != nil, "the replaced database is kept whole")
        await before.close()
    }

    @Test("bad input: an existing backup file, a file that is not a database, a damaged one, one that is not Advocate's; each refused with nothing changed")
    func badInput() async throws {
        let dir = Self.scratch("live"), file = Self.scratch("file") + ".sqlite"
        defer { for p in [dir, file] { try? FileManager.default.removeItem(atPath: p) } }
        let token = runAdvocate(["token", "create", "--name", "t", "--data", dir]).lastLine
        FileManager.default.createFile(atPath: file, contents: Data("person_id,score\n1,9\n".utf8))
        let overwrite = runAdvocate(["backup", "--to", file, "--data", dir])
        #expect(overwrite.status != 0 && overwrite.stderr.contains("already exists"), "\(overwrite.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "person_id,score\n1,9\n")

        let nowhere = runAdvocate(["backup", "--to", dir + "/no/such/dir/b.sqlite", "--data", dir])
        #expect(nowhere.status != 0 && nowhere.stderr.contains("cannot write the backup to"), "\(nowhere.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/no/such/dir/b.sqlite"))

        let notDatabase = runAdvocate(["restore", "--from", file, "--data", dir])
        #expect(notDatabase.status != 0 && notDatabase.stderr.contains("is not an SQLite database; nothing was changed"), "\(notDatabase.stderr)")

        try FileManager.default.removeItem(atPath: file)
        #expect(runAdvocate(["backup", "--to", file, "--data", dir]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        // Garble a whole page in the middle (its b-tree header too): the integrity check must notice.
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        let page = (bytes.count / pageSize / 2) * pageSize
        bytes.replaceSubrange(page..<(page + pageSize), with: Data(repeating: 0xA5, count: pageSize))
        try bytes.write(to: URL(fileURLWithPath: file))
        let damaged = runAdvocate(["restore", "--from", file, "--data", dir])
        #expect(damaged.status != 0 && damaged.stderr.contains("nothing was changed"), "\(damaged.stderr)")

        let foreign = Self.scratch("foreign")
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        made.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()", foreign]
        try made.run()
        made.waitUntilExit()
        let notOurs = runAdvocate(["restore", "--from", foreign, "--data", dir])
        #expect(notOurs.status != 0 && notOurs.stderr.contains("not Advocate's"), "\(notOurs.stderr)")

        let missing = runAdvocate(["restore", "--from", foreign + ".nope", "--data", dir])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read"), "\(missing.stderr)")

        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        #expect(try await store.tokenWorkspace(secretHash: APITokenSecret.hash(token)) != nil, "the live database was never touched")
        await store.close()
    }

    @Test("on PostgreSQL, backup says how to use pg_dump and restore how to use pg_restore", .enabled(if: TestBackend.available.contains(.postgres)))
    func postgresGuidance() async throws {
        let url = try await PostgresTestCluster.shared.createDatabase()
        let file = Self.scratch("pg") + ".dump"
        let backup = runAdvocate(["backup", "--to", file, "--database", url])
        #expect(backup.status != 0 && backup.stderr.contains("pg_dump --format=custom"), "\(backup.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
        let restore = runAdvocate(["restore", "--from", file, "--database", url])
        #expect(restore.status != 0 && restore.stderr.contains("pg_restore"), "\(restore.stderr)")
    }
}
