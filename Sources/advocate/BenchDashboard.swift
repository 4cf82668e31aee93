import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateWeb
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

extension BenchCommand {
    /// Server time of the dashboard's pages over a large workspace: the overview, a survey's
    /// report (plain, broken down, filtered by several segments, by quartile and tenure) and the
    /// responses list, each through the real router and handlers but not a socket, signed in.
    struct Dashboard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dashboard",
            abstract: "Load N demo answers (once per data directory), then time the dashboard pages in process (use -c release).")

        @Option(help: "Demo answers to load when the data directory is new.") var responses: Int = 1_000_000
        @Option(help: "Timed requests of each page after 5 warm-ups.") var requests: Int = 30
        @Option(help: "Keep the data in this directory (loaded only when empty).") var data: String?
        @Option(help: "PostgreSQL URL instead of SQLite.") var database: String?
        @Option(help: "Time only the pages whose name contains this (to profile one page).") var only: String?

        func run() async throws {
            try await BenchCommand.withStore(data: data ?? NSTemporaryDirectory() + "advocate-bench-dashboard-\(responses)", database: database, measure)
        }

        func measure(store: AdvocateStore, location: DatabaseLocation) async throws {
            let slug = "bench-dashboard"
            var workspaceID: Int64
            var surveyID: Int64
            if let ws = try await store.workspace(slug: slug), let first = try await store.surveys(workspaceID: ws.id, after: nil, limit: 1).items.first {
                (workspaceID, surveyID) = (ws.id, first.id)
            } else {
                let t0 = Date()
                let loaded = try await DemoLoader.load(store: store, workspace: slug, responses: responses, seed: 1)
                print(String(format: "loaded %@ in %.0f s", loaded.summary, Date().timeIntervalSince(t0)))
                (workspaceID, surveyID) = (loaded.workspaceID, loaded.surveyIDs[0])
            }
            let (user, _) = try await store.addMember(workspaceID: workspaceID, email: "bench@example.com", name: "Bench", role: .viewer)
            let token = InvitationToken.make()
            guard try await store.openSession(userID: user.id, workspaceID: workspaceID, tokenHash: token.hash) != nil else { throw CLIError("no session") }
            let total = try await store.dailyCounts(surveyID: surveyID, dimension: ReportDimension.overall, from: nil, to: nil).reduce(Int64(0)) { $0 + $1.counts.total }
            print("data: \(location), survey \(surveyID) holds \(total) of the workspace's answers")

            let responder = buildRouter(store: store).buildResponder()
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            // The dashboard's handlers log with the request id, which a served request's logger carries.
            logger[metadataKey: "hb.request.id"] = "bench"
            let pages = [
                ("overview (3 surveys, 90 days and the 90 before)", "/app"),
                ("overview, filtered plan:pro + country:DE", "/app?segment=plan%3Apro&segment=country%3ADE"),
                ("report, last 90 days", "/app/surveys/\(surveyID)"),
                ("report, by plan", "/app/surveys/\(surveyID)?by=plan"),
                ("report, two years by month, by country", "/app/surveys/\(surveyID)?from=\(Self.day(store, -729))&by=country"),
                ("report, filtered plan:pro|enterprise + channel:email, by country", "/app/surveys/\(surveyID)?segment=plan%3Apro&segment=plan%3Aenterprise&channel=email&by=country"),
                ("report, MRR by quartile", "/app/surveys/\(surveyID)?by=mrr"),
                ("report, by tenure", "/app/surveys/\(surveyID)?by=tenure"),
                ("responses, newest 50", "/app/responses"),
                ("responses, detractors with a comment", "/app/responses?category=detractor&has_comment=true"),
                ("responses, one survey's e-mailed answers mentioning \"problem\"", "/app/responses?survey_id=\(surveyID)&channel=email&q=problem"),
                ("responses, one theme", "/app/responses?theme_id=1"),
                ("responses, a word no comment has (trigram index)", "/app/responses?q=zzqx"),
                ("responses, every survey's comments mentioning \"problem\"", "/app/responses?q=problem"),
                ("responses, a common Japanese word of two characters (問題: from the trigrams that start with it)", "/app/responses?q=%E5%95%8F%E9%A1%8C"),
                ("responses, two letters no comment has (zq: from the trigrams that start with it)", "/app/responses?q=zq"),
                ("responses, one Chinese character no comment has (慢)", "/app/responses?q=%E6%85%A2"),
                ("responses, a rare Japanese pair (単が, in 325 comments of the demo)", "/app/responses?q=%E5%8D%98%E3%81%8C"),
                ("responses, one letter (x: common, comments read newest first)", "/app/responses?q=x"),
            ]
            for (name, path) in pages where only.map(name.contains) ?? true {
                var times: [Double] = []
                var bytes = 0
                for i in 0..<(requests + 5) {
                    let head = HTTPRequest(method: .get, scheme: "http", authority: "bench", path: path,
                                           headerFields: [.cookie: "advocate_session=\(token.token)"])
                    let context = AppContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let response = try await responder.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
                    let counter = ByteCounter()
                    try await response.body.write(CountingWriter(counter: counter))
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                    guard response.status == .ok else { throw CLIError("\(path): \(response.status)") }
                    if i >= 5 { times.append(ms) }
                    bytes = counter.count
                }
                times.sort()
                func pct(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * p))] }
                print(String(format: "  %@: p50 %.1f ms, p90 %.1f ms, max %.1f ms; %d bytes", name, pct(0.5), pct(0.9), times.last ?? 0, bytes))
            }
            try await channel.close()
        }

        static func day(_ store: AdvocateStore, _ offset: Int) -> String {
            SurveyTimeZone.utc.day(containing: store.clock.now()).advanced(by: offset).description
        }
    }
}
