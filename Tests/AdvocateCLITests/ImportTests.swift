import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Foundation
import NPS
import Testing

/// `advocate import --from …` as a user runs it, on both databases.
@Suite("advocate import from other tools")
struct ImportTests {
    /// A Delighted export with what real ones hold: commas, quotes and line breaks in comments,
    /// four scripts, an empty score, a CSAT row, a repeated row, tags and notes.
    static let delightedExport = #"""
        Response ID,Email,Name,Score,Comment,Response Timestamp,Tags,Notes,Plan,Survey Type
        101,ada@example.test,Ada,10,"Harika, çok iyi!
        Teşekkürler ""ekip""",2025-03-01 10:15:00 +0300,"fast,support",Called back,paid,nps
        102,grace@example.test,Grace,3,抱歉，太慢了,2025-03-02 08:00:00 UTC,,,free,nps
        103,omar@example.test,عمر,8,خدمة ممتازة,1740900000,,,paid,nps
        104,aigerim@example.test,Айгерім,9,Қолдау қызметі өте жақсы,2025-03-03,,,free,nps
        105,x@example.test,X,,,2025-03-03,,,free,nps
        106,y@example.test,Y,7,,2025-03-03,,,free,csat
        101,ada@example.test,Ada,10,"Harika, çok iyi!
        Teşekkürler ""ekip""",2025-03-01 10:15:00 +0300,"fast,support",Called back,paid,nps

        """#

    /// A data location on `backend` and the arguments that name it.
    static func location(_ backend: TestBackend) async throws -> (TestDatabase, [String]) {
        let db = try await TestDatabase.make(backend)
        switch db.location {
        case .sqlite(let dir): return (db, ["--data", dir])
        case .postgres(let url): return (db, ["--database", url])
        }
    }

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a Delighted export imports with its times, people, comments, tags and notes; a second run imports nothing", arguments: TestBackend.available)
    func delightedTwice(_ backend: TestBackend) async throws {
        let (db, target) = try await Self.location(backend)
        defer { db.remove() }
        let file = try Self.write(Self.delightedExport)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = runAdvocate(["import", "--from", "delighted", file, "--product", "Acme"] + target)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("4 responses imported"))
        #expect(first.stdout.contains("1 skipped: no score"))
        #expect(first.stdout.contains("1 skipped: a csat survey"))
        #expect(first.stdout.contains("1 skipped: a duplicate of an earlier row"))
        let second = runAdvocate(["import", "--from", "delighted", file] + target)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("0 responses imported"))
        #expect(second.stdout.contains("4 already imported before"))

        let store = try await db.openStore()
        let ws = try #require(try await store.workspace(slug: "default"))
        let responses = try await store.responses(workspaceID: ws.id, filter: ResponseFilter(), order: .createdAscending, page: 1, perPage: 100)
        // In answer order: 1740900000 is 2025-03-02 07:20 UTC, before Grace's 08:00.
        #expect(responses.map(\.score.value) == [10, 8, 3, 9])
        #expect(responses[0].comment == "Harika, çok iyi!\nTeşekkürler \"ekip\"")
        #expect(responses[0].createdAt == Timestamp(rfc3339: "2025-03-01T07:15:00Z"))
        #expect(responses[0].tags == ["fast", "support"])
        #expect(responses[0].sourceID == "delighted:101")
        #expect(responses[0].properties["Plan"] == .string("paid"))
        #expect(responses[1].createdAt == Timestamp(milliseconds: 1_740_900_000_000))
        #expect(try await store.notes(workspaceID: ws.id, responseIDs: [responses[0].id])[responses[0].id]?.map(\.text) == ["Called back"])
        let omar = try #require(try await store.contact(workspaceID: ws.id, email: "omar@example.test"))
        #expect(omar.name == "عمر")
        let survey = try #require(try await store.surveys(workspaceID: ws.id, after: nil, limit: 1).items.first)
        #expect(survey.productName == "Acme")
        #expect(try await store.scoreCounts(surveyID: survey.id, from: nil, to: nil) == [0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1])
        await store.close()
    }

    @Test("bad files are refused whole with a reason per row; --skip-invalid imports the rest")
    func badFiles() async throws {
        let (db, target) = try await Self.location(.sqlite)
        defer { db.remove() }
        var files: [String] = []
        defer { for f in files { try? FileManager.default.removeItem(atPath: f) } }
        func importing(_ text: String, _ extra: [String] = []) throws -> CommandResult {
            let file = try Self.write(text)
            files.append(file)
            return runAdvocate(["import", "--from", "delighted", file, "--product", "Acme"] + extra + target)
        }
        let invalid = "Response ID,Email,Score,Comment,Response Timestamp\n1,a@x.test,11,,2025-01-01\n2,b@x.test,5,ok,2025-01-02\n3,c@x.test,7\n4,nobody,6,,2025-01-03\n5,e@x.test,8,,someday\n"
        let refused = try importing(invalid)
        #expect(refused.status != 0)
        for expected in ["line 2.score: must be a whole number from 0 to 10, got \"11\"", "line 4: has 3 fields, the header has 5",
                         "line 5.contact.email", "line 6.created_at: is not a date-time: \"someday\"", "nothing was imported"] {
            #expect(refused.stderr.contains(expected), "\(expected) in \(refused.stderr)")
        }
        #expect(try importing("Response ID,Email,Comment\n1,a@x.test,hi\n").stderr.contains("no score column"))
        #expect(try importing("Response ID,Email,Score\n1,a@x.test,\"9\n").stderr.contains("not closed before the end of the file"))
        let future = try importing("Response ID,Email,Score,Response Timestamp\n1,a@x.test,9,2999-01-01\n")
        #expect(future.status != 0)
        #expect(future.stderr.contains("must not be in the future"))
        let latin1 = FileManager.default.temporaryDirectory.appendingPathComponent("latin1-\(UUID().uuidString).csv").path
        files.append(latin1)
        try Data("Response ID,Email,Score,Comment\n1,a@x.test,9,caf".utf8 + [0xE9, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        #expect(runAdvocate(["import", "--from", "delighted", latin1, "--product", "Acme"] + target).stderr.contains("not valid UTF-8"))
        let utf16 = FileManager.default.temporaryDirectory.appendingPathComponent("u16-\(UUID().uuidString).csv").path
        files.append(utf16)
        try "Response ID,Email,Score\n1,a@x.test,9\n".data(using: .utf16)!.write(to: URL(fileURLWithPath: utf16))
        #expect(runAdvocate(["import", "--from", "delighted", utf16, "--product", "Acme"] + target).stderr.contains("UTF-16"))

        let store = try await db.openStore()
        #expect(try await store.workspace(slug: "default") == nil, "nothing was written, not even the workspace")
        await store.close()

        let partial = try importing(invalid, ["--skip-invalid"])
        #expect(partial.status == 0, "\(partial.stderr)")
        #expect(partial.stdout.contains("1 responses imported"))
        #expect(partial.stdout.contains("4 invalid, skipped"))
    }

    @Test("a file larger than one batch of rows reports bad rows by their own lines, counts every row once, and imports in file order")
    func manyBatches() async throws {
        let (db, target) = try await Self.location(.sqlite)
        defer { db.remove() }
        // 41,000 rows: batches of 20,000 are read while the next is split into cells. A comment
        // with a line break makes line numbers differ from row numbers after it.
        var text = "Response ID,Email,Score,Comment,Response Timestamp\n1,p0@x.test,9,\"two\nlines\",1700000000\n"
        for i in 2...41_000 { text += "\(i),p\(i % 500)@x.test,\(i == 30_001 ? "11" : String(i % 11)),,\(1_700_000_000 + i)\n" }
        text += "40999,p499@x.test,1,,1700040999\n"
        let file = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let refused = runAdvocate(["import", "--from", "delighted", file, "--product", "Acme"] + target)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("1 invalid row problem(s); nothing was imported"), "\(refused.stderr)")
        #expect(refused.stderr.contains("line 30003.score: must be a whole number from 0 to 10, got \"11\""), "\(refused.stderr)")
        let imported = runAdvocate(["import", "--from", "delighted", file, "--product", "Acme", "--skip-invalid"] + target)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("41001 rows into survey"), "\(imported.stdout)")
        #expect(imported.stdout.contains("40999 responses imported"), "\(imported.stdout)")
        #expect(imported.stdout.contains("1 skipped: a duplicate of an earlier row"), "\(imported.stdout)")
        let store = try await db.openStore()
        let ws = try #require(try await store.workspace(slug: "default"))
        let first = try await store.responses(workspaceID: ws.id, filter: ResponseFilter(), order: .createdAscending, page: 1, perPage: 3)
        #expect(first.map(\.sourceID) == ["delighted:1", "delighted:2", "delighted:3"])
        #expect(first.first?.comment == "two\nlines")
        await store.close()
    }

    @Test("people exports become contacts; any CSV imports with a column mapping")
    func peopleAndMapping() async throws {
        let (db, target) = try await Self.location(.sqlite)
        defer { db.remove() }
        let people = try Self.write("Person ID,Email,Name,Locale,Created At,Plan\n7,ada@x.test,Ada,tr,1700000000,paid\n8,bob@x.test,Bob,,1700000001,free\n")
        defer { try? FileManager.default.removeItem(atPath: people) }
        let imported = runAdvocate(["import", "--from", "delighted-people", people] + target)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("2 people added"))
        #expect(runAdvocate(["import", "--from", "delighted-people", people] + target).stdout.contains("0 people added, 2 updated or unchanged"))

        let generic = try Self.write("Rating,Feedback,When,Customer,Region\n9,Great,2025-05-05T10:00:00Z,ada@x.test,EU\n2,Bad,2025-05-06T10:00:00Z,bob@x.test,US\n")
        defer { try? FileManager.default.removeItem(atPath: generic) }
        let mapping = ["--map", "score=Rating", "--map", "comment=Feedback", "--map", "created_at=When", "--map", "email=Customer", "--ignore", "Region"]
        let mapped = runAdvocate(["import", "--from", "csv", generic, "--product", "Acme"] + mapping + target)
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect(mapped.stdout.contains("2 responses imported"))
        #expect(runAdvocate(["import", "--from", "csv", generic] + mapping + target).stdout.contains("2 already imported"))
        #expect(runAdvocate(["import", "--from", "csv", generic, "--map", "grade=Rating"] + target).stderr.contains("--map \"grade=Rating\""))
        #expect(runAdvocate(["import", "--from", "qualtrics", generic] + target).stderr.contains("--from must be"))

        let store = try await db.openStore()
        let ws = try #require(try await store.workspace(slug: "default"))
        let ada = try #require(try await store.contact(workspaceID: ws.id, email: "ada@x.test"))
        #expect((ada.name, ada.locale, ada.properties["Plan"]) == ("Ada", "tr", .string("paid")))
        let responses = try await store.responses(workspaceID: ws.id, filter: ResponseFilter(), order: .createdAscending, page: 1, perPage: 10)
        let bob = try #require(try await store.contact(workspaceID: ws.id, email: "bob@x.test"))
        #expect(responses.map(\.contactID) == [ada.id, bob.id])
        #expect(responses.allSatisfy { $0.properties["Region"] == nil })
        await store.close()
    }
}
