import AdvocateCore
import NPS
import Testing

@Suite("Accounts: who manages members, when digests are due, what the account e-mails say")
struct AccountLogicTests {
    @Test("admins manage admins, members and viewers; only owners grant or take the owner role; the last owner stays")
    func memberPolicy() {
        #expect(MemberPolicy.grantRefusal(actor: .owner, role: .owner) == nil)
        #expect(MemberPolicy.grantRefusal(actor: .admin, role: .admin) == nil)
        #expect(MemberPolicy.grantRefusal(actor: .admin, role: .owner) != nil)
        #expect(MemberPolicy.grantRefusal(actor: .member, role: .viewer) != nil)
        #expect(MemberPolicy.grantRefusal(actor: .viewer, role: .viewer) != nil)
        // Demoting: an admin cannot touch an owner; an owner can, unless it is the last one.
        #expect(MemberPolicy.changeRefusal(actor: .admin, current: .owner, new: .admin, owners: 2) != nil)
        #expect(MemberPolicy.changeRefusal(actor: .owner, current: .owner, new: .admin, owners: 2) == nil)
        #expect(MemberPolicy.changeRefusal(actor: .owner, current: .owner, new: .admin, owners: 1) == .lastOwner)
        #expect(MemberPolicy.changeRefusal(actor: .owner, current: .owner, new: .owner, owners: 1) == nil)
        #expect(MemberPolicy.changeRefusal(actor: .admin, current: .viewer, new: .admin, owners: 1) == nil)
        #expect(MemberPolicy.removalRefusal(actor: .owner, current: .owner, owners: 1) == .lastOwner)
        #expect(MemberPolicy.removalRefusal(actor: .owner, current: .owner, owners: 2) == nil)
        #expect(MemberPolicy.removalRefusal(actor: .admin, current: .owner, owners: 2) != nil)
        #expect(MemberPolicy.removalRefusal(actor: .admin, current: .member, owners: 1) == nil)
        #expect(MemberPolicy.removalRefusal(actor: .member, current: .viewer, owners: 1) != nil)
    }

    @Test("a daily digest is due from 08:00 local about the day before; a weekly one from Monday 08:00 about the week before")
    func schedule() throws {
        let istanbul = try #require(SurveyTimeZone(validated: "Europe/Istanbul")) // UTC+3, no DST
        // 2026-11-30 is a Monday.
        let before = try #require(Timestamp(rfc3339: "2026-11-30T04:59:59Z")), at = try #require(Timestamp(rfc3339: "2026-11-30T05:00:00Z"))
        #expect(DigestSchedule.due(.daily, zone: istanbul, now: before)?.key == "daily:2026-11-28")
        #expect(DigestSchedule.due(.daily, zone: istanbul, now: at)?.key == "daily:2026-11-29")
        #expect(DigestSchedule.due(.weekly, zone: istanbul, now: before)?.key == "weekly:2026-11-16")
        let week = try #require(DigestSchedule.due(.weekly, zone: istanbul, now: at))
        #expect(week.key == "weekly:2026-11-23" && week.to.description == "2026-11-29" && week.previousFrom.description == "2026-11-16")
        #expect(DigestSchedule.due(.off, zone: istanbul, now: at) == nil)
        #expect(DigestSchedule.sendTime(of: try #require(CalendarDay(iso8601: "2026-11-30")), zone: istanbul) == at)
        // Across a spring-forward night 08:00 is still 08:00 on the wall clock (Berlin: UTC+2 from 29 March 2026).
        let berlin = try #require(SurveyTimeZone(validated: "Europe/Berlin"))
        #expect(DigestSchedule.sendTime(of: try #require(CalendarDay(iso8601: "2026-03-29")), zone: berlin) == Timestamp(rfc3339: "2026-03-29T06:00:00Z"))
    }

    @Test("the digest shows the figures with the test's verdict, escapes what people wrote and links to the dashboard")
    func digestContent() throws {
        let now = try #require(Timestamp(rfc3339: "2026-11-30T09:00:00Z"))
        let period = try #require(DigestSchedule.due(.daily, zone: .utc, now: now))
        let figures = DigestReport.SurveyFigures(
            id: 7, name: "Relationship <Q4>", tally: Tally(promoters: 60, passives: 20, detractors: 20), previous: Tally(promoters: 30, passives: 30, detractors: 40),
            sent: 200, answered: 100, commented: 25,
            detractors: [DigestReport.Detractor(responseID: 42, score: 2, comment: "<script>alert(1)</script> & slow")],
            recommend: ["Support"], dontRecommend: ["Speed"])
        let mail = DigestEmail.content(DigestReport(workspaceName: "Acme", frequency: .daily, period: period, surveys: [figures]),
                                       base: "https://nps.example.com", unsubscribeURL: "https://nps.example.com/digest/unsubscribe/x")
        #expect(mail.subject == "Daily NPS digest for Acme: Sunday 29 November 2026")
        #expect(mail.text.contains("NPS: 40\nChange: +50 (significant)\nResponses: 100\nInvitations sent: 200\nResponse rate: 50%\nComment rate: 25%"))
        #expect(mail.text.contains("Top reasons people recommend: Support") && mail.text.contains("Top reasons people don't: Speed"))
        #expect(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; slow") && !mail.html.contains("<script>"))
        #expect(mail.html.contains("Relationship &lt;Q4&gt;"))
        #expect(mail.html.contains("href=\"https://nps.example.com/app/responses/42\""))
        #expect(mail.html.contains("href=\"https://nps.example.com/app/surveys/7?from=2026-11-29&amp;to=2026-11-29\""))
        #expect(mail.text.contains("Stop this digest: https://nps.example.com/digest/unsubscribe/x"))
        // A small change on small samples is not called significant.
        let small = DigestReport.SurveyFigures(id: 1, name: "S", tally: Tally(promoters: 3, passives: 1, detractors: 1), previous: Tally(promoters: 2, passives: 1, detractors: 2),
                                               sent: 0, answered: 0, commented: 0, detractors: [], recommend: [], dontRecommend: [])
        let text = DigestEmail.content(DigestReport(workspaceName: "Acme", frequency: .weekly, period: period, surveys: [small]), base: "", unsubscribeURL: "").text
        #expect(text.contains("NPS: 40 (small sample)\nChange: +40 (not significant)") && text.contains("Response rate: –"))
    }

    @Test("account e-mails survive the job payload and link to the server they are sent from")
    func accountEmails() throws {
        let reset = AccountEmail.passwordReset(path: "/reset/abc", minutes: 60)
        #expect(AccountEmail(payload: reset.payload(to: "ada@example.com")) == reset)
        let invitation = AccountEmail.memberInvitation(path: "/join/xyz", workspace: "Acme <EU>", inviter: "Bo", role: .admin, days: 7)
        #expect(AccountEmail(payload: invitation.payload(to: "cy@example.com")) == invitation)
        let content = invitation.content(base: "https://nps.example.com")
        #expect(content.subject == "Join Acme <EU> on Advocate")
        #expect(content.text.contains("https://nps.example.com/join/xyz") && content.html.contains("Acme &lt;EU&gt;"))
        #expect(AccountEmail(payload: ["template": .string("password_reset"), "path": .string("https://evil.example/x"), "minutes": .integer(60)]) == nil)
        #expect(AccountEmail(payload: [:]) == nil)
    }
}
