import Foundation
import Synchronization

/// Where the current time comes from. Injected everywhere so that tests control time.
public protocol AdvocateClock: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemClock: AdvocateClock {
    public init() {}
    public func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// A clock that stands still until told to move; for tests and reproducible tools.
public final class ManualClock: AdvocateClock {
    private let current: Mutex<Timestamp>

    /// Creates a clock showing `start`.
    public init(_ start: Timestamp) { current = Mutex(start) }

    public func now() -> Timestamp { current.withLock { $0 } }

    /// Moves the clock forward (or back) by milliseconds.
    public func advance(milliseconds: Int64) { current.withLock { $0 = $0.adding(milliseconds: milliseconds) } }

    /// Sets the clock to an instant.
    public func set(_ instant: Timestamp) { current.withLock { $0 = instant } }
}
