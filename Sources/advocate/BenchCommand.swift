import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation
import NPS
import SQLKit

/// In-process benchmarks (run them from a release build). The HTTP figures come from
/// scripts/bench-http.sh, which drives a running server with wrk.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure ingest, report, sending and verbatim analysis speed (use -c release).",
                                                    subcommands: [Report.self, SQLiteInsert.self, MailSend.self, Page.self, Import.self, Themes.self, Dashboard.self])

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate N responses over two years through the ingest writer, then time the report (overall, weekly trend, breakdown by plan).")

        @Option(help: "How many responses to generate.") var responses: Int = 1_000_000
        @Option(help: "Timed report runs after one warm-up.") var runs: Int = 50
        @Option(help: "Reuse this data directory (responses are only generated when the survey is empty).") var data: String?
        @Option(help: "PostgreSQL URL instead of SQLite.") var database: String?

        func run() async throws {
            try await BenchCommand.withStore(data: data ?? NSTemporaryDirectory() + "advocate-bench-\(responses)", database: database, measure)
        }

        func measure(store: AdvocateStore, location: DatabaseLocation) async throws {
            let (ws, _) = try await store.ensureWorkspace(slug: "bench")
            let survey: Survey
            if let existing = try await store.surveys(workspaceID: ws.id, after: nil, limit: 1).items.first {
                survey = existing
            } else {
                survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "Bench", productName: "Bench", timeZone: SurveyTimeZone(validated: "Europe/Istanbul")))
            }
            let have = try await store.dailyCounts(surveyID: survey.id, dimension: ReportDimension.overall, from: nil, to: nil)
                .reduce(Int64(0)) { $0 + $1.counts.total }
            if have < responses {
                try await generate(store: store, workspaceID: ws.id, surveyID: survey.id, count: responses - Int(have))
            }
            print("data: \(location), \(max(Int(have), responses)) responses in survey \(survey.id)")
            for (name, by, interval) in [("overall + weekly trend", nil as String?, TrendInterval.week),
                                         ("overall + monthly trend + by plan", "plan", .month),
                                         ("overall + daily trend + by country", "country", .day)] {
                var times: [Double] = []
                for i in 0...runs {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let report = try await store.report(survey: survey, from: nil, to: nil, interval: interval, by: by)
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                    if i > 0 { times.append(ms) }
                    if i == runs { print("  n=\(report.summary.tally.n) nps=\(report.summary.nps.map { String(format: "%.2f", $0) } ?? "-") buckets=\(report.trend.count)") }
                }
                times.sort()
                print(String(format: "report %@: p50 %.2f ms, p90 %.2f ms, max %.2f ms (%d warm runs)",
                             name, times[times.count / 2], times[times.count * 9 / 10], times.last!, times.count))
            }
        }

        func generate(store: AdvocateStore, workspaceID: Int64, surveyID: Int64, count: Int) async throws {
            var rng = SeededGenerator(seed: 42)
            let plans = ["free", "starter", "pro", "enterprise"]
            let countries = ["TR", "KZ", "SA", "CN", "US", "DE", "BR", "JP"]
            let start = Timestamp(rfc3339: "2024-11-22T00:00:00Z")!
            let span = Int64(730) * Timestamp.millisecondsPerDay
            let t0 = Date()
            var done = 0
            let progress = ProgressBar(total: count, label: "generating")
            while done < count {
                let n = min(10_000, count - done)
                var batch: [ResponseSubmission] = []
                batch.reserveCapacity(n)
                for _ in 0..<n {
                    // Anonymous answers: each one is new, as in a high-volume link survey.
                    let score = Score(Int.random(in: 0...10, using: &rng))!
                    batch.append(ResponseSubmission(
                        surveyID: surveyID, contact: nil, score: score, comment: nil,
                        properties: ["plan": .string(plans.randomElement(using: &rng)!), "country": .string(countries.randomElement(using: &rng)!)],
                        createdAt: start.adding(milliseconds: Int64.random(in: 0..<span, using: &rng)), channel: .api))
                }
                _ = try await store.record(workspaceID: workspaceID, batch, batch: true)
                done += n
                progress.update(done)
            }
            progress.finish()
            let seconds = Date().timeIntervalSince(t0)
            print(String(format: "generated %d responses in %.1f s (%.0f responses/s through the ingest writer, in process)", count, seconds, Double(count) / seconds))
        }
    }

    /// Opens the benchmark's store (a kept data directory, or PostgreSQL), runs `body`, always closes it.
    static func withStore(data: String, database: String?, _ body: (AdvocateStore, DatabaseLocation) async throws -> Void) async throws {
        let location = try DatabaseLocation.from(data: data, database: database)
        let store = try await AdvocateStore.open(location)
        do {
            try await body(store, location)
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }

    struct SQLiteInsert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sqlite-insert",
            abstract: "Raw multi-row INSERT rate into a bare SQLite table through SQLKit: the storage ceiling for ingest.")

        @Option(help: "Rows to insert.") var rows: Int = 500_000
        @Option(help: "Rows per transaction.") var batch: Int = 1_000

        func run() async throws {
            let dir = NSTemporaryDirectory() + "advocate-sqlite-bench-\(ProcessInfo.processInfo.processIdentifier)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let db = try await Database.open(.sqlite(directory: dir), migrate: false)
            try await db.write { try await $0.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, survey_id BIGINT, score INTEGER, comment TEXT, created_at BIGINT)").run() }
            let t0 = Date()
            var id: Int64 = 0
            for _ in stride(from: 0, to: rows, by: batch) {
                let firstID = id
                try await db.write { sql in
                    var q: SQLQueryString = "INSERT INTO t (id, survey_id, score, comment, created_at) VALUES "
                    for i in 0..<batch {
                        if i > 0 { q.appendLiteral(", ") }
                        let rid = firstID + Int64(i) + 1
                        q += "(\(bind: rid), \(bind: Int64(1)), \(bind: Int(rid % 11)), \(bind: "comment \(rid)"), \(bind: rid))"
                    }
                    try await sql.raw(q).run()
                }
                id += Int64(batch)
            }
            let seconds = Date().timeIntervalSince(t0)
            print(String(format: "sqlite raw insert: %d rows in %.2f s = %.0f rows/s (%d rows per transaction, synchronous=FULL, WAL)", rows, seconds, Double(rows) / seconds, batch))
            await db.close()
        }
    }
}
