import AdvocateCore
import AdvocateJobs
import Testing

@Suite("Backoff and rate limit")
struct BackoffAndRateLimitTests {
    @Test("backoff doubles from its base, stays within ±20% jitter, and stops at its cap")
    func backoff() {
        var random = SeededGenerator(seed: 7)
        let b = Backoff(baseMilliseconds: 60_000, capMilliseconds: 3_600_000)
        for attempt in 1...12 {
            let expected = Double(min(3_600_000, 60_000 << (attempt - 1)))
            for _ in 0..<50 {
                let d = Double(b.delay(afterAttempt: attempt, using: &random))
                #expect(d >= expected * 0.8 - 1 && d <= expected * 1.2 + 1, "attempt \(attempt): \(d)")
            }
        }
        // Absurd attempt numbers do not overflow.
        #expect(b.delay(afterAttempt: 10_000, using: &random) <= 3_600_000 * 12 / 10)
    }

    @Test("the e-mail backoff spreads 12 attempts over more than half a day")
    func emailSchedule() {
        var random = SeededGenerator(seed: 1)
        let total = (1...11).map { Backoff.email.delay(afterAttempt: $0, using: &random) }.reduce(0, +)
        #expect(total > 8 * 3_600_000)
    }

    @Test("a rate of 600 a minute lets 10 go at once, then one every 100 ms")
    func rateLimit() {
        var limit = RateLimit(perMinute: 600)
        let t0 = Timestamp(milliseconds: 1_000_000)
        let delays = (0..<13).map { _ in limit.reserve(at: t0) }
        #expect(delays.prefix(10).allSatisfy { $0 == 0 })
        #expect(Array(delays.suffix(3)) == [100, 200, 300])
        // After a quiet second the burst is back, but never more than a second's worth.
        let later = t0.adding(milliseconds: 10_000)
        #expect((0..<10).map { _ in limit.reserve(at: later) }.allSatisfy { $0 == 0 })
        #expect(limit.reserve(at: later) == 100)
    }

    @Test("a rate below one a second spaces every message; no rate means no wait")
    func slowAndUnlimited() {
        var slow = RateLimit(perMinute: 30)
        let t0 = Timestamp(milliseconds: 0)
        #expect(slow.reserve(at: t0) == 0)
        #expect(slow.reserve(at: t0) == 2_000)
        #expect(slow.reserve(at: t0.adding(milliseconds: 2_000)) == 2_000)
        var none = RateLimit(perMinute: nil)
        #expect((0..<1000).allSatisfy { _ in none.reserve(at: t0) == 0 })
    }
}
