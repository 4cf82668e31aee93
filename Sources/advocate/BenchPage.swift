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
    /// Server time of the respondent pages: each request goes through the real router and
    /// handlers (the database, the Mustache render, the headers) but not a socket, so the
    /// figure is the server's share of a page view, which is what the <5 ms aim is about.
    struct Page: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "page",
            abstract: "Time the respondent pages in process: survey page, one-click score link, answer POST, thank-you page (use -c release).")

        @Option(help: "Invitations to spread the requests over.") var invitations: Int = 2_000
        @Option(help: "Timed requests of each kind.") var requests: Int = 2_000
        @Option(help: "PostgreSQL URL instead of a temporary SQLite database.") var database: String?

        func run() async throws {
            let dir = NSTemporaryDirectory() + "advocate-bench-page-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let store = try await AdvocateStore.open(try DatabaseLocation.from(data: dir, database: database))
            let (ws, _) = try await store.ensureWorkspace(slug: "bench-page-\(UUID().uuidString.prefix(8).lowercased())")
            let settings = try JSONValue.parse("""
                {"questions": [{"id": "role", "type": "single_choice", "prompt": {"en": "Your role?", "tr": "Rolünüz?"}, "options": ["Admin", "User", "Other"]},
                               {"id": "ease", "type": "rating", "prompt": "How easy was onboarding?", "category": "promoter"}],
                 "review_sites": [{"name": "G2", "url": "https://g2.example/acme"}], "referral_url": "https://acme.example/r?u={external_id}",
                 "share_url": "https://acme.example"}
                """)
            var input = SurveyInput(name: "Bench", productName: "Acme Cloud")
            input.settings = settings
            let survey = try await store.createSurvey(workspaceID: ws.id, input)
            var tokens: [String] = []
            let locales = ["en", "tr", "ar", "kk", "zh-Hans", "de"]
            for i in 0..<invitations {
                _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "c\(i)", email: "c\(i)@example.com", locale: locales[i % locales.count]))
                let pair = InvitationToken.make()
                guard case .success = try await store.createContactLink(workspaceID: ws.id, surveyID: survey.id, externalID: "c\(i)",
                                                                        channel: .link, tokenHash: pair.hash) else { throw CLIError("could not make link \(i)") }
                tokens.append(pair.token)
            }
            let responder = buildRouter(store: store).buildResponder()
            // A request context needs a channel; a bound, idle listener is one that any thread may ask.
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
            let csrf = InvitationToken.make().token

            func request(_ method: HTTPRequest.Method, _ path: String, form: String? = nil) async throws -> (Double, Int, HTTPResponse.Status) {
                var fields: HTTPFields = [.userAgent: agent, .acceptLanguage: "en", .cookie: "advocate_csrf=\(csrf)"]
                if form != nil { fields[.contentType] = "application/x-www-form-urlencoded" }
                let head = HTTPRequest(method: method, scheme: "http", authority: "bench", path: path, headerFields: fields)
                let req = Request(head: head, body: RequestBody(buffer: ByteBuffer(string: form ?? "")))
                let context = AppContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
                let t0 = DispatchTime.now().uptimeNanoseconds
                let response = try await responder.respond(to: req, context: context)
                let counter = ByteCounter()
                try await response.body.write(CountingWriter(counter: counter))
                let size = counter.count
                let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                return (ms, size, response.status)
            }

            print("data: \(database == nil ? "SQLite (temporary)" : "PostgreSQL"), \(invitations) personal links, survey with 2 extra questions")
            let kinds: [(String, (Int) -> (HTTPRequest.Method, String, String?))] = [
                ("GET /r/{token} (question, no answer yet)", { i in (.get, "/r/\(tokens[i % tokens.count])", nil) }),
                ("GET /r/{token}/{score} (one-click: hit recorded, provisional score saved)", { i in (.get, "/r/\(tokens[i % tokens.count])/\(i % 11)", nil) }),
                ("POST /r/{token} (score, comment, extra answer: counted)", { i in
                    (.post, "/r/\(tokens[i % tokens.count])", "csrf=\(csrf)&score=9&comment=Great%20reports&q_role=1&send=1") }),
                ("GET /r/{token} (thank-you page, promoter)", { i in (.get, "/r/\(tokens[i % tokens.count])", nil) }),
            ]
            for (name, make) in kinds {
                var times: [Double] = []
                var bytes = 0
                for i in 0..<(requests + 50) {
                    let (method, path, form) = make(i)
                    let (ms, size, status) = try await request(method, path, form: form)
                    guard status.code < 400 else { throw CLIError("\(name): \(status)") }
                    if i >= 50 { times.append(ms) } // the first 50 warm up caches
                    bytes = size
                }
                times.sort()
                func pct(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * p))] }
                print(String(format: "  %@: p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d bytes", name, pct(0.5), pct(0.99), times.last ?? 0, bytes))
            }
            try await channel.close()
            await store.close()
        }
    }
}

/// Counts a response body's bytes without keeping them (the writer is consumed by the body).
final class ByteCounter: @unchecked Sendable {
    var count = 0
}

struct CountingWriter: ResponseBodyWriter {
    let counter: ByteCounter
    mutating func write(_ buffer: ByteBuffer) async throws { counter.count += buffer.readableBytes }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
