import AdvocateCore
import AdvocateStore
import Hummingbird
import Synchronization

/// Authenticates `Authorization: Bearer <token>` and sets the request's workspace.
///
/// Lookups are cached for a few seconds: at tens of thousands of requests per second a database
/// read per request would be the bottleneck. A revoked token therefore stops working within
/// `cacheSeconds` on every instance.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = AppContext
    let store: AdvocateStore
    let cache: TokenCache

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("send an API token as \"Authorization: Bearer adv_…\" (create one with `advocate token create`)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].count <= 200 else {
            throw Problem.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        var context = context
        try await cache.authenticate(secret: String(parts[1]), store: store, context: &context)
        try context.requireScope(for: request)
        return try await next(request, context)
    }
}

/// Recently verified token hashes.
final class TokenCache: Sendable {
    static let cacheMilliseconds: Int64 = 10_000
    private let entries = Mutex<[String: (tokenID: Int64, workspaceID: Int64, surveyID: Int64?, scope: TokenScope, expires: Int64)]>([:])

    /// Sets the context's workspace (and token survey) from an API token's secret.
    func authenticate(secret: String, store: AdvocateStore, context: inout AppContext) async throws {
        let hash = APITokenSecret.hash(secret)
        let now = store.clock.now().milliseconds
        if let cached = lookup(hash, now: now) {
            (context.tokenID, context.workspaceID, context.tokenSurveyID, context.tokenScope) = cached
        } else if let found = try await store.tokenWorkspace(secretHash: hash) {
            (context.tokenID, context.workspaceID, context.tokenSurveyID, context.tokenScope) = (found.tokenID, found.workspaceID, found.surveyID, found.scope)
            insert(hash, tokenID: found.tokenID, workspaceID: found.workspaceID, surveyID: found.surveyID, scope: found.scope, now: now)
        } else {
            throw Problem.unauthorized("the API token is unknown or revoked")
        }
    }

    func lookup(_ hash: String, now: Int64) -> (Int64, Int64, Int64?, TokenScope)? {
        entries.withLock { e in
            guard let entry = e[hash], entry.expires > now else { return nil }
            return (entry.tokenID, entry.workspaceID, entry.surveyID, entry.scope)
        }
    }

    func insert(_ hash: String, tokenID: Int64, workspaceID: Int64, surveyID: Int64?, scope: TokenScope, now: Int64) {
        entries.withLock { e in
            if e.count > 10_000 { e.removeAll() }
            e[hash] = (tokenID, workspaceID, surveyID, scope, now + Self.cacheMilliseconds)
        }
    }
}
