import AdvocateCore
import AdvocateStore
import Hummingbird
import NIOCore
import Logging

/// Per-request state: who is calling (set by authentication middleware).
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The workspace the caller's credentials act in; nil before authentication.
    public var workspaceID: Int64?
    /// The survey the caller's API token is bound to, if any (what /v1 calls act on).
    public var tokenSurveyID: Int64?
    /// What the caller's API token may do; nil for other credentials.
    public var tokenScope: TokenScope?
    /// The caller's API token, for the audit log; nil for other credentials.
    public var tokenID: Int64?
    /// The peer's IP address (for per-address limits on public endpoints); nil in router tests.
    public let remoteIP: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// A 403 problem when the API token's scope does not cover this request.
    func requireScope(for request: Request) throws {
        guard let scope = tokenScope else { return }
        let needed = TokenScope.required(method: request.method.rawValue, route: endpointPath ?? "")
        guard scope >= needed else {
            throw Problem.forbidden("this API token has the \(scope.rawValue) scope; \(request.method.rawValue) \(endpointPath ?? "") needs \(needed.rawValue) (create one with `advocate token create --scope \(needed.rawValue)`)")
        }
    }

    /// Who the audit log names for a change made through the API: the token and the client's address.
    var auditActor: AuditActor? {
        tokenID.map { AuditActor.token(id: $0, name: "API token \($0)", ip: remoteIP) }
    }

    /// The authenticated workspace; a 401 problem when the route forgot to authenticate.
    func requireWorkspace() throws -> Int64 {
        guard let workspaceID else { throw Problem.unauthorized("authentication required") }
        return workspaceID
    }
}
