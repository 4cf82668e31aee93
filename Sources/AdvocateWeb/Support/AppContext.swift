import Hummingbird
import Logging

/// Per-request state: who is calling (set by authentication middleware).
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The workspace the caller's credentials act in; nil before authentication.
    public var workspaceID: Int64?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated workspace; a 401 problem when the route forgot to authenticate.
    func requireWorkspace() throws -> Int64 {
        guard let workspaceID else { throw Problem.unauthorized("authentication required") }
        return workspaceID
    }
}
