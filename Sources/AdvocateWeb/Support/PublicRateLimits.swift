import AdvocateCore
import Hummingbird

/// How much one client may ask of the endpoints anyone can reach without an account: the
/// widget's calls and one-click score links (survey pages, sign-in and password resets have
/// their own limits). Per server process, like every limit here.
public struct PublicRateLimits: Sendable, Hashable {
    /// Requests a minute from one IP address to the widget's endpoints, and separately to one-click links.
    public var perAddressPerMinute: Int
    /// One-click hits an hour on one invitation: a mail scanner opens all eleven links of a
    /// message, a person one or two; many more is someone hammering a forwarded link.
    public var perInvitationPerHour: Int

    public init(perAddressPerMinute: Int = 300, perInvitationPerHour: Int = 60) {
        self.perAddressPerMinute = perAddressPerMinute
        self.perInvitationPerHour = perInvitationPerHour
    }
}

/// The counters behind `PublicRateLimits`.
final class PublicRateLimiter: Sendable {
    private let byAddress: FixedWindowLimiter
    private let byInvitation: FixedWindowLimiter

    init(clock: any AdvocateClock, limits: PublicRateLimits) {
        byAddress = FixedWindowLimiter(clock: clock, limit: limits.perAddressPerMinute, windowMilliseconds: 60_000)
        byInvitation = FixedWindowLimiter(clock: clock, limit: limits.perInvitationPerHour, windowMilliseconds: 3_600_000)
    }

    /// Takes one from the address's allowance for `endpoint` ("widget", "click"); the seconds to
    /// wait when it is used up. Requests without a peer address (in-process tests) share one key.
    func refusal(endpoint: String, address: String?) -> Int? {
        let allowance = byAddress.allowance("\(endpoint) \(address ?? "-")")
        return allowance.allowed ? nil : allowance.resetSeconds
    }

    /// Takes one from an invitation's one-click allowance; the seconds to wait when it is used up.
    func refusal(invitationID: Int64) -> Int? {
        let allowance = byInvitation.allowance(String(invitationID))
        return allowance.allowed ? nil : allowance.resetSeconds
    }
}

/// Answers 429 problem+json with `Retry-After` once an address has used up its allowance for
/// the widget's endpoints (before any work: no JSON parsed, no database read).
struct WidgetRateLimitMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let limiter: PublicRateLimiter

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        if request.method != .options, let wait = limiter.refusal(endpoint: "widget", address: context.remoteIP) {
            var problem = Problem(status: .tooManyRequests, title: "Too many requests",
                                  detail: "too many widget requests from this address; try again in \(wait) seconds")
            problem.headers[.retryAfter] = String(wait)
            throw problem
        }
        return try await next(request, context)
    }
}
