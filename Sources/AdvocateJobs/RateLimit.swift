import AdvocateCore

/// At most `perMinute` permits in any sliding minute, handed out evenly (a token bucket that
/// refills continuously and holds at most one second's worth), so a limit of 600/min gives 10
/// per second rather than 600 in the first second. Pure: the caller says what time it is and
/// waits the returned delay.
public struct RateLimit: Sendable, Hashable {
    /// Permits per minute; nil: unlimited.
    public let perMinute: Int?
    private var tokens: Double
    private var updated: Int64?

    public init(perMinute: Int?) {
        self.perMinute = perMinute.map { max(1, $0) }
        tokens = 0
        updated = nil
    }

    private var burst: Double { max(1, Double(perMinute ?? 1) / 60) }

    /// Takes a permit at `now`; returns how long to wait first (0: go now). Permits are granted
    /// in order, so a waiting caller's permit is already counted.
    public mutating func reserve(at now: Timestamp) -> Int64 {
        guard let perMinute else { return 0 }
        let rate = Double(perMinute) / 60_000 // permits per millisecond
        if let updated {
            tokens = min(burst, tokens + Double(now.milliseconds - updated) * rate)
        } else {
            tokens = burst
        }
        updated = now.milliseconds
        tokens -= 1
        return tokens >= 0 ? 0 : Int64((-tokens / rate).rounded(.up))
    }
}
