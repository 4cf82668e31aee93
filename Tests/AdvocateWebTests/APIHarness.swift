import Foundation
import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore

/// One answer from the API under test, with its body parsed as JSON when it is JSON.
struct APIResult: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    var json: JSONValue { (try? JSONValue.parse(bytes)) ?? .null }
    var contentType: String? { headers[.contentType] }
    var isProblem: Bool { contentType == "application/problem+json" }
    /// The `field` of each entry in a problem's `errors`.
    var errorFields: [String] {
        guard case .array(let errors)? = json["errors"] else { return [] }
        return errors.compactMap { if case .string(let f)? = $0["field"] { f } else { nil } }
    }
    var detail: String { if case .string(let d)? = json["detail"] { d } else { "" } }
}

/// An application in process on a fresh database, with one workspace and its token.
struct APIHarness: Sendable {
    let client: any TestClientProtocol
    let store: AdvocateStore
    let clock: ManualClock
    let workspaceID: Int64
    let token: String

    /// Sends a request with this workspace's token unless `token` is given (`""` sends none).
    func send(_ method: HTTPRequest.Method, _ uri: String, body: [UInt8]? = nil, json: String? = nil,
              token: String? = nil, headers extra: HTTPFields = [:]) async throws -> APIResult {
        var headers = extra
        let credential = token ?? self.token
        if !credential.isEmpty { headers[.authorization] = "Bearer \(credential)" }
        var payload = body
        if let json {
            payload = Array(json.utf8)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        return try await client.execute(uri: uri, method: method, headers: headers,
                                        body: payload.map { ByteBuffer(bytes: $0) }) { r in
            APIResult(status: r.status, headers: r.headers, bytes: Array(r.body.readableBytesView))
        }
    }

    /// A token for another workspace (created if missing).
    func token(forWorkspace slug: String) async throws -> String {
        let ws = try await store.ensureWorkspace(slug: slug).workspace
        let secret = APITokenSecret.generate()
        _ = try await store.createToken(workspaceID: ws.id, name: "test", secretHash: APITokenSecret.hash(secret), scope: .admin)
        return secret
    }

    /// Creates a survey through the API and returns its id.
    func createSurvey(_ body: String = #"{"name": "Relationship", "product_name": "Acme"}"#, token: String? = nil) async throws -> Int64 {
        let r = try await send(.post, "/api/v1/surveys", json: body, token: token)
        guard r.status == .created, case .integer(let id)? = r.json["id"] else {
            throw HarnessError("creating a survey failed: \(r.status) \(String(decoding: r.bytes, as: UTF8.self))")
        }
        return id
    }

    /// How many responses the workspace holds (straight from the store, not through the API).
    func responseCount(workspaceID: Int64? = nil) async throws -> Int {
        var total = 0
        var cursor: Int64?
        repeat {
            let page = try await store.responses(workspaceID: workspaceID ?? self.workspaceID, filter: ResponseFilter(), before: cursor, limit: 1000)
            total += page.items.count
            cursor = page.nextCursor.flatMap(Cursor.decode)
        } while cursor != nil
        return total
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs `body` against the real router on a fresh database of `backend`.
/// E-mail counts as configured (no runner: invitations stay queued) unless `sending` says otherwise.
func withAPI<T: Sendable>(_ backend: TestBackend, sending: SendingState = SendingState(emailConfigured: true, runner: nil),
                          accounts: AccountSettings = AccountSettings(passwordCost: 4), delightedRate: Int = 600, metrics: Metrics = .shared,
                          webhooks: WebhookSettings = WebhookSettings(), publicRateLimits: PublicRateLimits = PublicRateLimits(),
                          _ body: @escaping @Sendable (APIHarness) async throws -> T) async throws -> T {
    try await withTestStore(backend) { store, clock in
        let ws = try await store.ensureWorkspace(slug: "acme").workspace
        let secret = APITokenSecret.generate()
        // Admin, so tests can use every route; the scopes have their own test.
        _ = try await store.createToken(workspaceID: ws.id, name: "test", secretHash: APITokenSecret.hash(secret), scope: .admin)
        let app = Application(router: buildRouter(store: store, sending: sending, accounts: accounts, delightedRequestsPerMinute: delightedRate,
                                                  metrics: metrics, webhooks: webhooks, publicRateLimits: publicRateLimits), logger: quietLogger)
        return try await app.test(.router) { client in
            try await body(APIHarness(client: client, store: store, clock: clock, workspaceID: ws.id, token: secret))
        }
    }
}

/// A line per request would bury a failing test's output: only warnings and errors.
let quietLogger: Logger = {
    var logger = Logger(label: "advocate.test")
    logger.logLevel = .warning
    return logger
}()
