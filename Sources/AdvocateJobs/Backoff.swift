import AdvocateCore
import AdvocateStore

/// When to try a failed job again: exponential backoff with a cap and ±20% jitter, so that a
/// thousand jobs failing together (the SMTP server down) do not all come back at once.
public struct Backoff: Sendable, Hashable {
    /// Delay after the first failure.
    public var base: Int64
    /// Longest delay.
    public var cap: Int64

    public init(baseMilliseconds: Int64, capMilliseconds: Int64) {
        base = baseMilliseconds
        cap = capMilliseconds
    }

    /// For e-mail: 1 minute, doubling, at most 2 hours; with 12 attempts the last is about 11
    /// hours after the first, so a mail server down for a night loses nothing.
    public static let email = Backoff(baseMilliseconds: 60_000, capMilliseconds: 2 * 3_600_000)

    /// For webhooks: 30 seconds, doubling, at most an hour apart, for the 24 hours a delivery
    /// is tried (about 30 attempts).
    public static let webhook = Backoff(baseMilliseconds: 30_000, capMilliseconds: 3_600_000)

    /// When a job that failed its latest attempt should run again.
    public func retryTime(of job: Job, now: Timestamp) -> Timestamp {
        var random = SystemRandomNumberGenerator()
        return now.adding(milliseconds: delay(afterAttempt: job.attempts, using: &random))
    }

    /// The delay after failed attempt number `attempt` (1 for the first).
    public func delay(afterAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 40)
        let raw = base > cap >> exponent ? cap : min(cap, base << exponent)
        let jitter = Double.random(in: 0.8...1.2, using: &random)
        return max(1, Int64(Double(raw) * jitter))
    }

    /// When to try a delivery again after failed attempt `attempt`: never after `until`, and
    /// exactly at `until` for the last try; nil once `until` has passed (give up).
    public func nextAttempt(afterAttempt attempt: Int, now: Timestamp, until: Timestamp,
                            using random: inout some RandomNumberGenerator) -> Timestamp? {
        guard now < until else { return nil }
        return min(now.adding(milliseconds: delay(afterAttempt: attempt, using: &random)), until)
    }
}
