import AdvocateCore
import Testing

/// Reads a campaign-like body the way an API handler would, with the campaign accessors.
private struct CampaignBody {
    var audience: ContactFilter?
    var sampling: SamplingPlan?
    var reminders: ReminderPlan?
    var throttle: Throttle?
    var sendTime: LocalTime?

    static func read(_ text: String) throws -> (CampaignBody, [String]) {
        let r = InputReader(try campaignJSON(text))
        let body = CampaignBody(audience: r.contactFilter("audience"), sampling: r.samplingPlan("sampling"),
                                reminders: r.reminderPlan("reminders"), throttle: r.throttle("throttle_days"),
                                sendTime: r.localTime("send_time"))
        r.rejectUnknownFields()
        return (body, r.issues.map(\.description))
    }
}

@Suite("Campaign: InputReader accessors")
struct CampaignInputTests {
    @Test("a valid body gives every part")
    func valid() throws {
        let (body, issues) = try CampaignBody.read("""
        {"audience": [{"field": "locale", "op": "in", "value": ["tr", "kk"]}],
         "sampling": [{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 1}, {"rate": 0.1}],
         "reminders": {"count": 2, "after_days": 4}, "throttle_days": 30, "send_time": "09:30"}
        """)
        #expect(issues.isEmpty)
        #expect(body.audience?.conditions.count == 1)
        #expect(body.sampling?.groups.map(\.rate) == [1, 0.1])
        #expect(body.reminders == ReminderPlan(count: 2, afterDays: 4))
        #expect(body.throttle == Throttle(days: 30))
        #expect(body.sendTime == LocalTime(hour: 9, minute: 30))
    }

    @Test("absent and null fields are nil without a problem, so the caller's defaults apply")
    func absent() throws {
        let (empty, none) = try CampaignBody.read("{}")
        #expect(none.isEmpty)
        #expect(empty.audience == nil && empty.sampling == nil && empty.reminders == nil && empty.throttle == nil && empty.sendTime == nil)
        let (nulls, nullIssues) = try CampaignBody.read(
            #"{"audience": null, "sampling": null, "reminders": null, "throttle_days": null, "send_time": null}"#)
        #expect(nullIssues.isEmpty)
        #expect(nulls.audience == nil && nulls.sampling == nil && nulls.reminders == nil && nulls.throttle == nil && nulls.sendTime == nil)
    }

    @Test("every problem in every part is reported with its full path")
    func collectsEverything() throws {
        let (body, issues) = try CampaignBody.read("""
        {"audience": [{"property": "plan", "op": "eq", "value": "paid"}, {"property": "plan", "op": "like", "value": "p%"}],
         "sampling": [{"rate": 2}], "reminders": {"count": 5}, "throttle_days": 3651, "send_time": "9am", "name": "Q4"}
        """)
        #expect(issues == [
            "audience[1].op: must be one of eq, ne, in, not_in, gte, lte, exists, not_exists",
            "sampling[0].rate: must be a number from 0 to 1 (0.1 invites 10%), got 2",
            "reminders.count: must be an integer from 0 to 2, got 5",
            "throttle_days: must be an integer from 0 to 3650, got 3651",
            #"send_time: must be a time of day as HH:MM, from 00:00 to 23:59, got "9am""#,
            "name: unknown field",
        ])
        #expect(body.audience == nil && body.sampling == nil && body.reminders == nil && body.throttle == nil && body.sendTime == nil)
    }

    @Test("throttle_days 0 turns the throttle off")
    func throttleOff() throws {
        let (body, issues) = try CampaignBody.read(#"{"throttle_days": 0}"#)
        #expect(issues.isEmpty)
        #expect(body.throttle == .off)
    }
}
