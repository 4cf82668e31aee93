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
        let hash = APITokenSecret.hash(String(parts[1]))
        let now = store.clock.now().milliseconds
        let workspaceID: Int64
        if let cached = cache.lookup(hash, now: now) {
            workspaceID = cached
        } else if let found = try await store.tokenWorkspace(secretHash: hash) {
            workspaceID = found.workspaceID
            cache.insert(hash, workspaceID: workspaceID, now: now)
        } else {
            throw Problem.unauthorized("the API token is unknown or revoked")
        }
        var context = context
        context.workspaceID = workspaceID
        return try await next(request, context)
    }
}

/// Recently verified token hashes.
final class TokenCache: Sendable {
    static let cacheMilliseconds: Int64 = 10_000
    private let entries = Mutex<[String: (workspaceID: Int64, expires: Int64)]>([:])

    func lookup(_ hash: String, now: Int64) -> Int64? {
        entries.withLock { e in
            guard let entry = e[hash], entry.expires > now else { return nil }
            return entry.workspaceID
        }
    }

    func insert(_ hash: String, workspaceID: Int64, now: Int64) {
        entries.withLock { e in
            if e.count > 10_000 { e.removeAll() }
            e[hash] = (workspaceID, now + Self.cacheMilliseconds)
        }
    }
}
