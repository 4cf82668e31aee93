import AdvocateCore
import AdvocateStore
import Foundation
import Hummingbird

/// Authenticates `/v1` the way Delighted's clients send their key: HTTP Basic with the key as
/// the user name and an empty password (a Bearer token works too). The key is an Advocate API
/// token; `advocate token create --secret-stdin` can keep a former Delighted key working.
///
/// Each token has `requestsPerMinute` calls a minute (per instance); the 429 past it carries
/// `Retry-After`, which Delighted's clients read, and every answer carries the X-RateLimit headers.
struct DelightedAuthenticator: RouterMiddleware {
    typealias Context = AppContext
    let store: AdvocateStore
    let cache: TokenCache
    let limiter: FixedWindowLimiter

    init(store: AdvocateStore, cache: TokenCache, requestsPerMinute: Int) {
        self.store = store
        self.cache = cache
        limiter = FixedWindowLimiter(clock: store.clock, limit: requestsPerMinute, windowMilliseconds: 60_000)
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let secret = Self.secret(request.headers[.authorization]) else {
            var problem = Problem.unauthorized("send your API key with HTTP Basic authentication (the key as the user name, no password)")
            problem.headers[.wwwAuthenticate] = "Basic realm=\"advocate\""
            throw problem
        }
        var context = context
        try await cache.authenticate(secret: secret, store: store, context: &context)
        try context.requireScope(for: request)
        let allowance = limiter.allowance(APITokenSecret.hash(secret))
        var headers: HTTPFields = [
            .rateLimitLimit: String(allowance.limit),
            .rateLimitRemaining: String(allowance.remaining),
            .rateLimitReset: String(allowance.resetSeconds),
        ]
        guard allowance.allowed else {
            headers[.retryAfter] = String(allowance.resetSeconds)
            var problem = Problem(status: .tooManyRequests, title: "Too many requests",
                                  detail: "this API key made \(allowance.limit) calls this minute; retry in \(allowance.resetSeconds) s")
            problem.headers = headers
            throw problem
        }
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch var problem as Problem {
            problem.headers.append(contentsOf: headers)
            throw problem
        }
    }

    /// The key from `Basic base64(key:)` or `Bearer key`.
    static func secret(_ header: String?) -> String? {
        guard let header, header.count <= 400 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer": return String(parts[1])
        case "basic":
            guard let data = Data(base64Encoded: String(parts[1])), let decoded = String(data: data, encoding: .utf8) else { return nil }
            let user = decoded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
            return user.isEmpty ? nil : String(user)
        default: return nil
        }
    }
}
