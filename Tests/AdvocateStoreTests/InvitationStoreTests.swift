import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Synchronization
import Testing

/// Distinct tokens for tests (the real ones come from AdvocateJobs' InvitationToken).
final class TestTokens: Sendable {
    private let next = Mutex(0)
    func make() -> InvitationTokenPair {
        let n = next.withLock { $0 += 1; return $0 }
        return InvitationTokenPair(token: "token-\(n)", hash: "hash-\(n)")
    }
}

@Suite("Invitations in the store")
struct InvitationStoreTests {
    static let day: Int64 = 86_400_000

    func contact(_ store: AdvocateStore, _ ws: Int64, _ id: String, email: String?) async throws {
        _ = try await store.upsertContact(workspaceID: ws, ContactInput(externalID: id, email: email))
    }

    @Test("each target is invited or skipped with its reason: unknown, duplicate, no e-mail, suppressed, throttled", arguments: TestBackend.available)
    func decisions(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await contact(store, ws.id, "ok", email: "ok@example.com")
            try await contact(store, ws.id, "noemail", email: nil)
            try await contact(store, ws.id, "unsub", email: "unsub@example.com")
            try await contact(store, ws.id, "answered", email: "answered@example.com")
            try await store.suppress(workspaceID: ws.id, email: "unsub@example.com", reason: .unsubscribed, detail: nil)
            try await store.answer(ws.id, survey: survey.id, contact: "answered", score: 9, at: "2026-11-01T10:00:00Z")
            let tokens = TestTokens()
            let decisions = try #require(try await store.createInvitations(
                workspaceID: ws.id, surveyID: survey.id,
                targets: [.externalID("ok"), .externalID("missing"), .externalID("ok"), .externalID("noemail"),
                          .externalID("unsub"), .externalID("answered"), .email("new@example.com")],
                options: InvitationOptions(sendAt: clock.now()), makeToken: tokens.make))
            func reason(_ i: Int) -> InvitationSkipReason? {
                if case .skipped(let r, _, _) = decisions[i] { return r }
                return nil
            }
            #expect(reason(0) == nil)
            #expect(reason(1) == .unknownContact)
            #expect(reason(2) == .duplicate)
            #expect(reason(3) == .noEmail)
            #expect(reason(4) == .suppressed)
            #expect(reason(5) == .throttled)
            guard case .invited(let byEmail, let newContact) = decisions[6] else { Issue.record("new@ not invited"); return }
            #expect(newContact.email == "new@example.com" && newContact.externalID == nil)
            #expect(byEmail.status == .scheduled && byEmail.email == "new@example.com")
            // One job per invitation, due at send_at, carrying the token.
            let claimed = try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "w", limit: 10, leaseMilliseconds: 60_000)
            #expect(claimed.count == 2)
            #expect(Set(claimed.compactMap { if case .integer(let id)? = $0.payload["invitation_id"] { id } else { nil } })
                    == Set(decisions.compactMap { if case .invited(let i, _) = $0 { i.id } else { nil } }))
            #expect(claimed.allSatisfy { if case .string(let t)? = $0.payload["token"] { t.hasPrefix("token-") } else { false } })
        }
    }

    @Test("the throttle counts invitations across surveys and lapses after its days; 0 turns it off", arguments: TestBackend.available)
    func throttle(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let first = try await store.makeSurvey(ws.id), second = try await store.makeSurvey(ws.id)
            try await contact(store, ws.id, "c", email: "c@example.com")
            let tokens = TestTokens()
            func invite(_ survey: Int64, throttle: Int = 90) async throws -> InvitationDecision {
                try await store.createInvitations(workspaceID: ws.id, surveyID: survey, targets: [.externalID("c")],
                                                  options: InvitationOptions(sendAt: clock.now(), throttleDays: throttle), makeToken: tokens.make)![0]
            }
            guard case .invited = try await invite(first.id) else { Issue.record("first invitation skipped"); return }
            clock.advance(milliseconds: 89 * Self.day)
            guard case .skipped(.throttled, _, let detail) = try await invite(second.id) else { Issue.record("not throttled"); return }
            #expect(detail.contains("2026-11-22T09:00:00"))
            guard case .invited = try await invite(second.id, throttle: 0) else { Issue.record("throttle 0 still throttled"); return }
            clock.advance(milliseconds: 91 * Self.day)
            guard case .invited = try await invite(first.id) else { Issue.record("still throttled after 90 days"); return }
        }
    }

    @Test("a sent message is committed once: a second worker, a stale lease or a repeated job commit nothing", arguments: TestBackend.available)
    func commitOnce(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await contact(store, ws.id, "c", email: "c@example.com")
            let tokens = TestTokens()
            let options = InvitationOptions(sendAt: clock.now(), reminders: 1, reminderDays: 3)
            guard case .invited(let invitation, _)? = try await store.createInvitations(
                workspaceID: ws.id, surveyID: survey.id, targets: [.externalID("c")], options: options, makeToken: tokens.make)?.first
            else { Issue.record("not invited"); return }
            let job = try #require(try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "a", limit: 1, leaseMilliseconds: 60_000).first)
            let accepted = AcceptedMessage(lease: JobLease(owner: "a", jobID: job.id), invitationID: invitation.id, message: 0,
                                           messageID: "<m1@test>", token: "token-1")
            // A stale owner cannot commit.
            var stale = accepted
            stale.lease.owner = "b"
            #expect(try await store.commitAccepted(stale) == false)
            #expect(try await store.commitAccepted(accepted) == true)
            #expect(try await store.commitAccepted(accepted) == false)
            let sent = try #require(try await store.invitation(workspaceID: ws.id, id: invitation.id))
            #expect(sent.status == .sent && sent.messagesSent == 1 && sent.sentAt == clock.now() && sent.messageID == "<m1@test>")
            // The reminder is due three days later, with the same token.
            #expect(try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "a", limit: 5, leaseMilliseconds: 60_000).isEmpty)
            clock.advance(milliseconds: 3 * Self.day)
            let reminder = try #require(try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "a", limit: 5, leaseMilliseconds: 60_000).first)
            #expect(reminder.payload["message"] == .integer(1) && reminder.payload["token"] == .string("token-1"))
            // The last reminder schedules nothing more.
            let second = AcceptedMessage(lease: JobLease(owner: "a", jobID: reminder.id), invitationID: invitation.id, message: 1,
                                         messageID: "<m2@test>", token: "token-1")
            #expect(try await store.commitAccepted(second))
            clock.advance(milliseconds: 30 * Self.day)
            #expect(try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "a", limit: 5, leaseMilliseconds: 60_000).isEmpty)
        }
    }

    @Test("a message refused after it was committed is un-counted and retried; a bounce suppresses the address", arguments: TestBackend.available)
    func revertAndBounce(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            let survey = try await store.makeSurvey(ws.id)
            try await contact(store, ws.id, "c", email: "c@example.com")
            try await contact(store, ws.id, "d", email: "d@example.com")
            let decisions = try #require(try await store.createInvitations(
                workspaceID: ws.id, surveyID: survey.id, targets: [.externalID("c"), .externalID("d")],
                options: InvitationOptions(sendAt: clock.now()), makeToken: TestTokens().make))
            let jobs = try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "a", limit: 2, leaseMilliseconds: 600_000)
            var ids: [Int64: Int64] = [:] // invitation → job
            for j in jobs { if case .integer(let i)? = j.payload["invitation_id"] { ids[i] = j.id } }
            guard case .invited(let c, _) = decisions[0], case .invited(let d, _) = decisions[1] else { Issue.record("not invited"); return }

            let acceptedC = AcceptedMessage(lease: JobLease(owner: "a", jobID: ids[c.id]!), invitationID: c.id, message: 0, messageID: "<c@t>", token: "t")
            #expect(try await store.commitAccepted(acceptedC))
            try await store.revertAccepted(acceptedC, failure: .temporary(error: "451 try later", retryAt: clock.now().adding(milliseconds: 60_000)))
            let reverted = try #require(try await store.invitation(workspaceID: ws.id, id: c.id))
            #expect(reverted.status == .scheduled && reverted.messagesSent == 0 && reverted.sentAt == nil && reverted.lastError == "451 try later")
            clock.advance(milliseconds: 60_000)
            #expect(try await store.claimJobs(kinds: [invitationEmailJobKind], owner: "a", limit: 2, leaseMilliseconds: 60_000).map(\.id) == [ids[c.id]!])

            try await store.recordSendFailure(JobLease(owner: "a", jobID: ids[d.id]!), invitationID: d.id, message: 0,
                                              .bounced(error: "550 5.1.1 no such user"))
            #expect(try await store.invitation(workspaceID: ws.id, id: d.id)?.status == .bounced)
            #expect(try await store.suppression(workspaceID: ws.id, email: "d@example.com")?.reason == .bounced)
            // The list keeps the first reason; only the person's own action removes an entry.
            try await store.suppress(workspaceID: ws.id, email: "d@example.com", reason: .unsubscribed, detail: nil)
            #expect(try await store.suppression(workspaceID: ws.id, email: "d@example.com")?.reason == .bounced)
            #expect(try await store.resubscribe(workspaceID: ws.id, email: "d@example.com"))
            #expect(try await store.suppression(workspaceID: ws.id, email: "d@example.com") == nil)
        }
    }

    @Test("invitations and suppressions of one workspace are invisible to another", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
            let tokens = TestTokens()
            let survey = try await store.makeSurvey(a.id)
            try await contact(store, a.id, "c", email: "c@example.com")
            try await store.suppress(workspaceID: a.id, email: "x@example.com", reason: .complained, detail: nil)
            // b cannot invite to a's survey, nor see a's invitations or suppressions.
            #expect(try await store.createInvitations(workspaceID: b.id, surveyID: survey.id, targets: [.externalID("c")],
                                                      options: InvitationOptions(sendAt: clock.now()), makeToken: tokens.make) == nil)
            let decisions = try #require(try await store.createInvitations(
                workspaceID: a.id, surveyID: survey.id, targets: [.externalID("c")], options: InvitationOptions(sendAt: clock.now()),
                makeToken: tokens.make))
            guard case .invited(let invitation, _) = decisions[0] else { Issue.record("not invited"); return }
            #expect(try await store.invitation(workspaceID: b.id, id: invitation.id) == nil)
            #expect(try await store.invitations(workspaceID: b.id, surveyID: nil, before: nil, limit: 10).items.isEmpty)
            #expect(try await store.suppression(workspaceID: b.id, email: "x@example.com") == nil)
            #expect(try await store.suppressions(workspaceID: b.id, reason: nil, after: nil, limit: 10).items.isEmpty)
            // The same address suppressed in a is not suppressed in b.
            _ = try await store.upsertContact(workspaceID: b.id, ContactInput(externalID: "x", email: "x@example.com"))
            let surveyB = try await store.makeSurvey(b.id)
            guard case .invited? = try await store.createInvitations(workspaceID: b.id, surveyID: surveyB.id, targets: [.externalID("x")],
                                                                     options: InvitationOptions(sendAt: clock.now()), makeToken: tokens.make)?.first
            else { Issue.record("b's contact was suppressed by a's list"); return }
        }
    }
}
