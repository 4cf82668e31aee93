import AdvocateCore
import Synchronization

/// Caps actions per key in a fixed window: new anonymous answers per link and IP address (so one
/// person cannot stuff a public link by clearing cookies), sign-in attempts per address and per
/// account. Kept in memory: a restart forgets the counts, which only ever lets a few more through.
final class FixedWindowLimiter: Sendable {
    private let clock: any AdvocateClock
    private let limit: Int
    private let windowMilliseconds: Int64
    private let counts = Mutex<(window: Int64, byKey: [String: Int])>((0, [:]))

    init(clock: any AdvocateClock, limit: Int = 20, windowMilliseconds: Int64 = 3_600_000) {
        self.clock = clock
        self.limit = limit
        self.windowMilliseconds = windowMilliseconds
    }

    /// Takes one from the allowance of `key`; false when it is used up for this window.
    func take(_ key: String) -> Bool { allowance(key).allowed }

    /// What taking one from `key`'s allowance left: whether it was allowed, how many remain
    /// and how many seconds until the window resets (for rate-limit headers).
    struct Allowance {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        var resetSeconds: Int
    }

    func allowance(_ key: String) -> Allowance {
        let now = clock.now().milliseconds
        let window = now / windowMilliseconds
        let reset = Int(((window + 1) * windowMilliseconds - now + 999) / 1_000)
        return counts.withLock { state in
            if state.window != window { state = (window, [:]) }
            let used = state.byKey[key, default: 0]
            guard used < limit else { return Allowance(allowed: false, limit: limit, remaining: 0, resetSeconds: reset) }
            state.byKey[key] = used + 1
            return Allowance(allowed: true, limit: limit, remaining: limit - used - 1, resetSeconds: reset)
        }
    }
}
