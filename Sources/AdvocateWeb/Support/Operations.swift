import AdvocateCore
import AdvocateStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

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

/// One log line per request, and the request's id in `X-Request-Id` so a user's report and the
/// server's log can be matched. A reverse proxy's own `X-Request-Id` is kept when it is sane, so one
/// id follows the request through both. The line holds the route pattern, never the path or query
/// (they can carry tokens and e-mail addresses).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        if let given = request.headers[Self.header], Self.isSane(given) {
            context.logger[metadataKey: "hb.request.id"] = .string(given)
        }
        let id = context.id
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context, status: Int(status), since: start)
            throw error
        }
        response.headers[Self.header] = id
        log(request, context, status: Int(response.status.code), since: start)
        return response
    }

    private func log(_ request: Request, _ context: AppContext, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(level: status >= 500 ? .error : .info, "request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(status), "ms": .string(String(format: "%.1f", milliseconds)),
        ])
    }

    /// 1 to 128 characters a log line and a header can carry as they are.
    static func isSane(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E
        }
    }
}

/// Headers every answer carries. Behind TLS (an https public URL) HSTS tells browsers never to
/// use plain http for this host again, so a survey link cannot be downgraded on a hostile network;
/// without TLS it would mean nothing (browsers ignore it over http) and is left out. `nosniff`
/// stops a browser from running an API answer as a script.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppContext
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
    let behindTLS: Bool

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if behindTLS { response.headers[Self.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        if response.headers[.xContentTypeOptions] == nil { response.headers[.xContentTypeOptions] = "nosniff" }
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
