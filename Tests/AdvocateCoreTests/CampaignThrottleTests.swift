import AdvocateCore
import Testing

private let day: Int64 = 86_400_000

@Suite("Campaign: Throttle")
struct CampaignThrottleTests {
    @Test("the default is 90 days; 0 is off")
    func defaults() {
        #expect(Throttle.default.days == 90)
        #expect(Throttle.defaultDays == 90)
        #expect(Throttle.off.days == 0)
    }

    @Test("exactly 90 days after the last invitation the contact is eligible; 1 ms earlier it is not")
    func boundaryAfterInvitation() throws {
        let sent = try campaignInstant("2026-08-24T09:00:00Z")
        let until = sent.adding(days: 90)
        #expect(until == (try campaignInstant("2026-11-22T09:00:00Z")))
        #expect(Throttle.default.decision(lastInvitedAt: sent, lastRespondedAt: nil, now: until) == .eligible)
        #expect(Throttle.default.decision(lastInvitedAt: sent, lastRespondedAt: nil, now: until.adding(milliseconds: -1))
                == .throttled(until: until))
        #expect(Throttle.default.decision(lastInvitedAt: sent, lastRespondedAt: nil, now: sent) == .throttled(until: until))
    }

    @Test("the same boundary holds for the last response")
    func boundaryAfterResponse() throws {
        let answered = try campaignInstant("2026-01-10T12:00:00Z")
        let rule = try #require(Throttle(days: 30))
        let until = answered.adding(milliseconds: 30 * day)
        #expect(rule.decision(lastInvitedAt: nil, lastRespondedAt: answered, now: until) == .eligible)
        #expect(rule.decision(lastInvitedAt: nil, lastRespondedAt: answered, now: until.adding(milliseconds: -1)) == .throttled(until: until))
    }

    @Test("the later of the last invitation and the last response counts, whichever it is")
    func laterCounts() throws {
        let now = try campaignInstant("2026-11-22T09:00:00Z")
        let longAgo = now.adding(milliseconds: -200 * day)
        let recent = now.adding(milliseconds: -10 * day)
        let until = recent.adding(days: 90)
        #expect(Throttle.default.decision(lastInvitedAt: longAgo, lastRespondedAt: recent, now: now) == .throttled(until: until))
        #expect(Throttle.default.decision(lastInvitedAt: recent, lastRespondedAt: longAgo, now: now) == .throttled(until: until))
        #expect(Throttle.default.decision(lastInvitedAt: longAgo, lastRespondedAt: longAgo, now: now) == .eligible)
    }

    @Test("a contact never invited and never answering is eligible")
    func neverContacted() throws {
        #expect(Throttle.default.decision(lastInvitedAt: nil, lastRespondedAt: nil, now: try campaignInstant("2026-11-22T09:00:00Z")) == .eligible)
    }

    @Test("a last contact later than now (clock skew, imported data) throttles until it plus the period")
    func futureLastContact() throws {
        let now = try campaignInstant("2026-11-22T09:00:00Z")
        let ahead = now.adding(milliseconds: 5 * 60_000)
        #expect(Throttle.default.decision(lastInvitedAt: ahead, lastRespondedAt: nil, now: now) == .throttled(until: ahead.adding(days: 90)))
    }

    @Test("off lets everyone through, even a contact invited a moment ago")
    func off() throws {
        let now = try campaignInstant("2026-11-22T09:00:00Z")
        #expect(Throttle.off.decision(lastInvitedAt: now, lastRespondedAt: now, now: now) == .eligible)
    }

    @Test("days are whole 24-hour days, so a daylight-saving change in between does not move the end")
    func ignoresDaylightSaving() throws {
        // Sent at 09:00 in New York (EST) on 5 March; clocks move on 8 March. The throttle ends 7 × 24 h
        // later, at 10:00 EDT on 12 March, not at 09:00 local (13:00 UTC).
        let sent = try campaignInstant("2026-03-05T14:00:00Z")
        let rule = try #require(Throttle(days: 7))
        let end = try campaignInstant("2026-03-12T14:00:00Z")
        #expect(rule.decision(lastInvitedAt: sent, lastRespondedAt: nil, now: end) == .eligible)
        #expect(rule.decision(lastInvitedAt: sent, lastRespondedAt: nil, now: try campaignInstant("2026-03-12T13:00:00Z"))
                == .throttled(until: end))
    }

    @Test("0 to 3650 days are accepted", arguments: [(-1, false), (0, true), (1, true), (90, true), (3650, true), (3651, false)])
    func range(days: Int, accepted: Bool) {
        #expect((Throttle(days: days) != nil) == accepted)
    }
}
