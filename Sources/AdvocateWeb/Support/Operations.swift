import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird

/// Counts every request by method, route pattern and status, and times it, into `Metrics.shared`.
/// The route is the pattern (`/api/v1/surveys/{id}`), never the path, so ids and tokens never
/// become label values.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let metrics: Metrics

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        metrics.increment("advocate_http_requests_total",
                          ["method": request.method.rawValue, "route": route, "status": String(response.status.code)])
        metrics.observe("advocate_http_request_duration_seconds", ["route": route], seconds)
        return response
    }
}

/// `/metrics` (Prometheus) and `/readyz`: for the people and systems that run Advocate.
struct OperationsEndpoints {
    let store: AdvocateStore
    let metrics: Metrics

    static func describe(_ m: Metrics) {
        m.describe("advocate_http_requests_total", .counter, "HTTP requests answered, by method, route pattern and status.")
        m.describe("advocate_http_request_duration_seconds", .histogram, "Time to answer an HTTP request, by route pattern.")
        m.describe("advocate_responses_recorded_total", .counter, "Answers recorded through the API and imports: new responses, or updates of a round's response.")
        m.describe("advocate_mail_messages_total", .counter, "Survey messages handed to the SMTP server, by outcome (delivered, deferred, bounced).")
        m.describe("advocate_jobs_performed_total", .counter, "Background job attempts, by kind and result.")
        m.describe("advocate_jobs", .gauge, "Background jobs in the database, by state (queued is the queue depth).")
    }

    func addRoutes(to router: Router<AppContext>) {
        Self.describe(metrics)
        router.get("metrics") { [metrics] _, _ in
            // The queue is the database's, shared by every instance: read it at scrape time.
            for (state, count) in try await store.jobCounts() {
                metrics.set("advocate_jobs", ["state": state.rawValue], to: Double(count))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        // Ready when the database answers; /healthz only says the process is up.
        router.get("readyz") { _, _ in
            do {
                _ = try await store.schemaVersion()
            } catch {
                throw Problem(status: .serviceUnavailable, title: "Not ready", detail: "the database does not answer: \(error)")
            }
            return JSONResponse.make(.object(["status": .string("ready")]))
        }
    }
}
