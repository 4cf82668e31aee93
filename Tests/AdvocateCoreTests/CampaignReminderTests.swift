import AdvocateCore
import Testing

private func reminderIssues(_ text: String) throws -> [String] {
    let json = try campaignJSON(text)
    return campaignIssues { () throws(ValidationError) in try ReminderPlan.decode(json, path: "reminders") }
}

@Suite("Campaign: ReminderPlan")
struct CampaignReminderTests {
    @Test("the default is one reminder three days after the first e-mail")
    func defaults() throws {
        let sent = try campaignInstant("2026-11-22T09:00:00Z")
        #expect(ReminderPlan.default.count == 1)
        #expect(ReminderPlan.default.afterDays == 3)
        #expect(ReminderPlan.default.reminderTimes(initialSendAt: sent) == [try campaignInstant("2026-11-25T09:00:00Z")])
    }

    @Test("two reminders go N and 2N days after the first e-mail; none gives none")
    func times() throws {
        let sent = try campaignInstant("2026-11-22T09:00:00Z")
        let two = try #require(ReminderPlan(count: 2, afterDays: 7))
        #expect(two.reminderTimes(initialSendAt: sent) == [try campaignInstant("2026-11-29T09:00:00Z"), try campaignInstant("2026-12-06T09:00:00Z")])
        #expect(ReminderPlan.none.reminderTimes(initialSendAt: sent).isEmpty)
    }

    @Test("the next reminder is timed from the previous message as actually sent")
    func nextFromActualSend() throws {
        let two = try #require(ReminderPlan(count: 2, afterDays: 3))
        let late = try campaignInstant("2026-11-22T17:45:00Z")
        #expect(two.nextReminder(messagesSent: 1, lastSentAt: late, hasResponded: false) == (try campaignInstant("2026-11-25T17:45:00Z")))
        let reminded = try campaignInstant("2026-11-25T18:00:00Z")
        #expect(two.nextReminder(messagesSent: 2, lastSentAt: reminded, hasResponded: false) == (try campaignInstant("2026-11-28T18:00:00Z")))
        #expect(two.nextReminder(messagesSent: 3, lastSentAt: reminded, hasResponded: false) == nil)
    }

    @Test("no reminder after an answer, before the first e-mail, or once the plan is used up")
    func stops() throws {
        let t = try campaignInstant("2026-11-22T09:00:00Z")
        #expect(ReminderPlan.default.nextReminder(messagesSent: 1, lastSentAt: t, hasResponded: true) == nil)
        #expect(ReminderPlan.default.nextReminder(messagesSent: 0, lastSentAt: t, hasResponded: false) == nil)
        #expect(ReminderPlan.default.nextReminder(messagesSent: 2, lastSentAt: t, hasResponded: false) == nil)
        #expect(ReminderPlan.none.nextReminder(messagesSent: 1, lastSentAt: t, hasResponded: false) == nil)
    }

    @Test("following every plan to the end, a contact gets 1 + count e-mails and never more than 3")
    func neverMoreThanThree() throws {
        #expect(ReminderPlan.maxMessagesPerContact == 3)
        for count in ReminderPlan.allowedCounts {
            for afterDays in ReminderPlan.allowedAfterDays {
                let plan = try #require(ReminderPlan(count: count, afterDays: afterDays))
                var sent = 1
                var last = try campaignInstant("2026-11-22T09:00:00Z")
                while let next = plan.nextReminder(messagesSent: sent, lastSentAt: last, hasResponded: false), sent < 10 {
                    #expect(next == last.adding(days: afterDays))
                    sent += 1
                    last = next
                }
                #expect(sent == 1 + count)
                #expect(sent <= 3)
            }
        }
    }

    @Test("count 0…2 and 1…30 days are accepted", arguments: [
        (0, 1, true), (2, 30, true), (3, 3, false), (-1, 3, false), (1, 0, false), (1, 31, false),
    ])
    func validation(count: Int, afterDays: Int, accepted: Bool) {
        #expect((ReminderPlan(count: count, afterDays: afterDays) != nil) == accepted)
    }

    @Test("decode takes count and after_days, each defaulted when left out")
    func decodes() throws {
        #expect(try ReminderPlan.decode(campaignJSON("{}")) == .default)
        #expect(try ReminderPlan.decode(campaignJSON(#"{"count": 2}"#)) == ReminderPlan(count: 2, afterDays: 3))
        #expect(try ReminderPlan.decode(campaignJSON(#"{"after_days": 5}"#)) == ReminderPlan(count: 1, afterDays: 5))
        #expect(try ReminderPlan.decode(campaignJSON(#"{"count": 0, "after_days": 30}"#)) == ReminderPlan(count: 0, afterDays: 30))
        let plan = try #require(ReminderPlan(count: 2, afterDays: 14))
        #expect(plan.json == .object(["count": .integer(2), "after_days": .integer(14)]))
        #expect(try ReminderPlan.decode(plan.json) == plan)
    }

    @Test("bad values are reported with their paths", arguments: [
        (#"{"count": 3}"#, ["reminders.count: must be an integer from 0 to 2, got 3"]),
        (#"{"after_days": 0}"#, ["reminders.after_days: must be an integer from 1 to 30, got 0"]),
        (#"{"count": "1", "after_days": 31}"#, ["reminders.count: must be an integer from 0 to 2, got string",
                                                 "reminders.after_days: must be an integer from 1 to 30, got 31"]),
        (#"{"count": 1, "interval": 3}"#, ["reminders.interval: unknown field"]),
        (#"[1, 3]"#, ["reminders: must be a JSON object, got array"]),
    ])
    func rejects(text: String, expected: [String]) throws {
        #expect(try reminderIssues(text) == expected)
    }
}
