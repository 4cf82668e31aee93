import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import SQLKit
import Testing

extension APIHarness {
    /// Contacts: `paid` paid ones, `free` free ones, plus one of each kind of exclusion.
    func campaignAudience(paid: Int, free: Int) async throws {
        for i in 0..<paid {
            _ = try await send(.put, "/api/v1/contacts/paid-\(i)", json: #"{"email": "paid\#(i)@example.com", "time_zone": "Asia/Almaty", "properties": {"plan": "paid"}}"#)
        }
        for i in 0..<free {
            _ = try await send(.put, "/api/v1/contacts/free-\(i)", json: #"{"email": "free\#(i)@example.com", "properties": {"plan": "free"}}"#)
        }
        _ = try await send(.put, "/api/v1/contacts/unsub", json: #"{"email": "unsub@example.com", "properties": {"plan": "paid"}}"#)
        _ = try await send(.post, "/api/v1/suppressions", json: #"{"email": "unsub@example.com"}"#)
        _ = try await send(.put, "/api/v1/contacts/bounced", json: #"{"email": "bounced@example.com", "properties": {"plan": "paid"}}"#)
        _ = try await send(.post, "/api/v1/suppressions", json: #"{"email": "bounced@example.com", "reason": "bounced"}"#)
        _ = try await send(.put, "/api/v1/contacts/nomail", json: #"{"properties": {"plan": "paid"}}"#)
        _ = try await send(.put, "/api/v1/contacts/recent", json: #"{"email": "recent@example.com", "properties": {"plan": "paid"}}"#)
        _ = try await send(.post, "/api/v1/responses", json: #"{"survey_id": 1, "contact": {"external_id": "recent"}, "score": 8}"#)
    }
}

private let paidAndSampledFree = #"""
    {"name": "Q4 relationship", "audience": [{"property": "plan", "op": "in", "value": ["paid", "free"]}],
     "sampling": [{"filter": [{"property": "plan", "op": "eq", "value": "paid"}], "rate": 1},
                  {"filter": [{"property": "plan", "op": "eq", "value": "free"}], "rate": 0.1}],
     "spread_days": 3, "local_time": "10:00", "seed": 7,
     "variants": [{"name": "A", "subject": "One question"}, {"name": "B", "subject": "How are we doing?", "weight": 3}]}
    """#

@Suite("/api/v1/campaigns")
struct CampaignsAPITests {
    @Test("the dry run counts who would be sent and why the others not; it writes nothing", arguments: TestBackend.available)
    func preview(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            try await api.campaignAudience(paid: 20, free: 100)
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: paidAndSampledFree)
            #expect(created.status == .created && created.json["status"] == .string("draft") && created.json["funnel"] == .null)
            guard case .integer(let id)? = created.json["id"] else { return }
            let preview = try await api.send(.post, "/api/v1/campaigns/\(id)/preview")
            #expect(preview.status == .ok)
            let skipped = preview.json["skipped"]
            #expect(skipped?["suppressed"] == .integer(1) && skipped?["bounced"] == .integer(1) && skipped?["no_email"] == .integer(1))
            #expect(skipped?["throttled"] == .integer(1))
            guard case .integer(let wouldSend)? = preview.json["would_send"], case .integer(let notSampled)? = skipped?["not_sampled"] else { return }
            #expect(wouldSend + notSampled == 120 && (20...35).contains(wouldSend))
            #expect(preview.json["audience"] == .integer(124))
            // Same seed, same draw.
            #expect(try await api.send(.post, "/api/v1/campaigns/\(id)/preview").json == preview.json)
            guard case .object(let byVariant)? = preview.json["by_variant"] else { Issue.record("no variants"); return }
            #expect(Set(byVariant.keys) == ["A", "B"])
            #expect(try await api.send(.get, "/api/v1/invitations").json["data"] == .array([]))
        }
    }

    @Test("launching schedules each invitation once, spread over the days at 10:00 local time, with its variant; then only cancel is allowed",
          arguments: TestBackend.available)
    func launch(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            try await api.campaignAudience(paid: 20, free: 100)
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: paidAndSampledFree)
            guard case .integer(let id)? = created.json["id"] else { return }
            let preview = try await api.send(.post, "/api/v1/campaigns/\(id)/preview")
            let launched = try await api.send(.post, "/api/v1/campaigns/\(id)/launch")
            #expect(launched.status == .accepted && launched.json["status"] == .string("launched"))
            #expect(launched.json["launch"] == preview.json)
            let invitations = try await api.store.invitations(workspaceID: api.workspaceID, surveyID: survey, before: nil, limit: 1000).items
            #expect(invitations.count == preview.json["would_send"].flatMap { if case .integer(let n) = $0 { Int(n) } else { nil } })
            #expect(Set(invitations.map(\.contactID)).count == invitations.count)
            #expect(invitations.allSatisfy { $0.campaignID == id && ($0.variant == "A" || $0.variant == "B") && $0.reminders == 1 && $0.reminderDays == 3 })
            // Paid customers live in Almaty (UTC+5): 10:00 there is 05:00 UTC; the others get the survey's zone (UTC).
            let hours = Set(invitations.map { ($0.sendAt.milliseconds % 86_400_000) / 3_600_000 })
            #expect(hours.isSubset(of: [5, 10]))
            let days = Set(invitations.map { $0.sendAt.milliseconds / 86_400_000 })
            #expect(days.count >= 2 && days.count <= 4)
            #expect(invitations.allSatisfy { $0.sendAt >= api.clock.now() })

            for (method, path) in [(HTTPRequest.Method.post, "launch"), (.patch, ""), (.delete, "")] {
                let r = try await api.send(method, "/api/v1/campaigns/\(id)\(path.isEmpty ? "" : "/" + path)", json: method == .patch ? #"{"name": "x"}"# : nil)
                #expect(r.status == .conflict && r.isProblem, "\(method) \(path)")
            }
            let shown = try await api.send(.get, "/api/v1/campaigns/\(id)")
            guard case .array(let funnel)? = shown.json["funnel"] else { Issue.record("no funnel"); return }
            #expect(funnel.count == 2 && funnel[1]["versus_first"] != nil)

            let cancelled = try await api.send(.post, "/api/v1/campaigns/\(id)/cancel")
            #expect(cancelled.status == .ok && cancelled.json["cancelled_invitations"] == .integer(Int64(invitations.count)))
            let after = try await api.store.invitations(workspaceID: api.workspaceID, surveyID: survey, before: nil, limit: 1000).items
            #expect(after.allSatisfy { $0.status == .cancelled })
            #expect(try await api.send(.post, "/api/v1/campaigns/\(id)/cancel").status == .conflict)
        }
    }

    @Test("the funnel per variant: sent, opened, clicked, answered, commented, and the significance against the first variant",
          arguments: TestBackend.available)
    func funnel(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            for i in 0..<200 {
                _ = try await api.send(.put, "/api/v1/contacts/c\(i)", json: #"{"email": "c\#(i)@example.com"}"#)
            }
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: #"""
                {"name": "AB", "track_opens": true, "variants": [{"name": "plain"}, {"name": "bold", "subject": "Tell us!"}]}
                """#)
            guard case .integer(let id)? = created.json["id"] else { return }
            _ = try await api.send(.post, "/api/v1/campaigns/\(id)/launch")
            // Pretend everything was sent; variant "bold" is answered far more often, by promoters.
            let invitations = try await api.store.invitations(workspaceID: api.workspaceID, surveyID: survey, before: nil, limit: 1000).items
            try await api.store.database.write { sql in
                try await sql.raw("UPDATE invitations SET status = 'sent', messages_sent = 1, sent_at = \(bind: api.clock.now().milliseconds - 86_400_000)").run()
            }
            var answered = 0
            for invitation in invitations {
                let bold = invitation.variant == "bold"
                guard invitation.contactID % (bold ? 2 : 10) == 0 else { continue }
                let score = bold ? 10 : 3
                _ = try await api.store.saveAnswer(AnswerChange(score: score, comment: .some(bold ? "Great" : nil)), for: .invitation(invitation))
                answered += 1
            }
            let shown = try await api.send(.get, "/api/v1/campaigns/\(id)")
            guard case .array(let funnel)? = shown.json["funnel"] else { Issue.record("no funnel"); return }
            #expect(funnel.map { $0["variant"] } == [.string("plain"), .string("bold")])
            let total = funnel.compactMap { if case .integer(let n)? = $0["answered"] { Int(n) } else { nil } }.reduce(0, +)
            #expect(total == answered)
            #expect(funnel[1]["commented"] == funnel[1]["answered"] && funnel[0]["commented"] == .integer(0))
            #expect(funnel[1]["versus_first"]?["response_rate_significant"] == .bool(true))
            #expect(funnel[1]["versus_first"]?["nps_significant"] == .bool(true))
            // The tracking image answers the same for any token; a real one's first load counts as an open.
            let unknown = try await api.send(.get, "/o/\(String(repeating: "x", count: 43))", token: "")
            #expect(unknown.status == .ok && unknown.contentType == "image/gif")
            #expect(try await api.send(.get, "/api/v1/campaigns/\(id)").json["funnel"] == shown.json["funnel"])
            let hash = try await api.store.database.read { sql in
                try await sql.raw("SELECT token_hash FROM invitations WHERE id = \(bind: invitations[0].id)").first()!.decode(column: "token_hash", as: String.self)
            }
            try await api.store.recordOpen(tokenHash: hash)
            try await api.store.recordOpen(tokenHash: hash)
            guard case .array(let opened)? = try await api.send(.get, "/api/v1/campaigns/\(id)").json["funnel"] else { return }
            #expect(opened.map { $0["opened"] }.contains(.integer(1)))
        }
    }

    @Test("bad campaigns: each wrong field is named; an audience that matches nobody cannot be launched; another workspace's are 404",
          arguments: TestBackend.available)
    func badInput(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let bad = try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: #"""
                {"audience": [{"property": "plan", "op": "near", "value": 1}], "sampling": [{"rate": 2}], "throttle_days": -1,
                 "reminders": {"count": 3}, "spread_days": 400, "local_time": "25:00", "variants": [{"name": "only"}],
                 "recurring_days": 7, "track_opens": "yes", "colour": "red"}
                """#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields).isSuperset(of: ["name", "throttle_days", "spread_days", "local_time", "variants", "recurring_days", "track_opens", "colour"]))
            #expect(bad.errorFields.contains { $0.hasPrefix("audience") } && bad.errorFields.contains { $0.hasPrefix("sampling") }
                    && bad.errorFields.contains { $0.hasPrefix("reminders") })
            #expect(try await api.send(.get, "/api/v1/campaigns").json["data"] == .array([]))

            let nobody = try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: #"{"name": "Nobody", "audience": [{"property": "plan", "op": "eq", "value": "enterprise"}]}"#)
            guard case .integer(let id)? = nobody.json["id"] else { return }
            #expect(try await api.send(.post, "/api/v1/campaigns/\(id)/preview").json["would_send"] == .integer(0))
            let refused = try await api.send(.post, "/api/v1/campaigns/\(id)/launch")
            #expect(refused.status == .conflict && refused.detail.contains("audience matches no contact"))
            #expect(try await api.send(.get, "/api/v1/campaigns/\(id)").json["status"] == .string("draft"))

            let other = try await api.token(forWorkspace: "globex")
            for (method, path) in [(HTTPRequest.Method.get, ""), (.post, "/preview"), (.post, "/launch"), (.delete, "")] {
                #expect(try await api.send(method, "/api/v1/campaigns/\(id)\(path)", token: other).status == .notFound)
            }
            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: #"{"name": "x"}"#, token: other).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/campaigns/\(id)").status == .noContent)
        }
    }

    @Test("without e-mail configured a campaign cannot be launched (409 says what to configure)", arguments: [TestBackend.sqlite])
    func notConfigured(_ backend: TestBackend) async throws {
        try await withAPI(backend, sending: .disabled) { api in
            let survey = try await api.createSurvey()
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/campaigns", json: #"{"name": "x"}"#)
            guard case .integer(let id)? = created.json["id"] else { return }
            let r = try await api.send(.post, "/api/v1/campaigns/\(id)/launch")
            #expect(r.status == .conflict && r.detail.contains("--smtp-url"))
        }
    }
}

@Suite("/api/v1/events and /api/v1/triggers")
struct TriggersAPITests {
    @Test("an event fires the matching rules: an invitation N minutes later, conditions on the event's properties, the throttle obeyed",
          arguments: TestBackend.available)
    func events(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey(#"{"name": "Support CSAT-NPS", "product_name": "Acme Support", "kind": "transactional"}"#)
            let rule = try await api.send(.post, "/api/v1/triggers", json: #"""
                {"survey_id": \#(survey), "event": "ticket.closed", "delay_minutes": 120,
                 "conditions": [{"property": "priority", "op": "in", "value": ["high", "urgent"]}], "throttle_days": 30}
                """#)
            #expect(rule.status == .created && rule.json["reminders"] == .integer(0) && rule.json["enabled"] == .bool(true))
            let occurred = api.clock.now().adding(milliseconds: -30 * 60_000)
            let event = try await api.send(.post, "/api/v1/events", json: #"""
                {"contact": {"external_id": "cus_9", "email": "Dana@Example.com", "name": "Dana"}, "name": "ticket.closed",
                 "properties": {"priority": "high", "ticket_id": 4711}, "occurred_at": "\#(occurred.rfc3339)"}
                """#)
            #expect(event.status == .accepted)
            guard case .array(let fired)? = event.json["triggers"] else { Issue.record("no triggers"); return }
            #expect(fired.count == 1 && fired[0]["result"] == .string("invited"))
            #expect(fired[0]["send_at"] == .string(occurred.adding(milliseconds: 120 * 60_000).rfc3339))
            let contact = try await api.send(.get, "/api/v1/contacts/cus_9")
            #expect(contact.json["email"] == .string("dana@example.com"))

            let low = try await api.send(.post, "/api/v1/events", json: #"{"contact": {"external_id": "cus_10", "email": "lee@example.com"}, "name": "ticket.closed", "properties": {"priority": "low"}}"#)
            #expect(low.json["triggers"].flatMap { if case .array(let a) = $0 { a.first?["result"] } else { nil } } == .string("conditions_not_met"))
            // A second ticket the next day: throttled (30 days).
            api.clock.advance(milliseconds: 86_400_000)
            let again = try await api.send(.post, "/api/v1/events", json: #"{"contact": {"external_id": "cus_9"}, "name": "ticket.closed", "properties": {"priority": "urgent"}}"#)
            guard case .array(let second)? = again.json["triggers"] else { return }
            #expect(second.first?["result"] == .string("skipped") && second.first?["reason"] == .string("throttled"))
            // Other events fire nothing; an e-mail-only contact works too.
            let other = try await api.send(.post, "/api/v1/events", json: #"{"contact": {"email": "new@example.com"}, "name": "course.completed"}"#)
            #expect(other.status == .accepted && other.json["triggers"] == .array([]))
            let invitations = try await api.store.invitations(workspaceID: api.workspaceID, surveyID: survey, before: nil, limit: 100).items
            #expect(invitations.count == 1 && invitations[0].campaignID == nil)
        }
    }

    @Test("rules are validated, changed, disabled and deleted; bad events are 422 and record nothing; other workspaces see none",
          arguments: TestBackend.available)
    func rules(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let bad = try await api.send(.post, "/api/v1/triggers", json: #"{"survey_id": 999, "event": "a b", "delay_minutes": -5, "reminders": 3}"#)
            #expect(bad.status == .unprocessableContent && Set(bad.errorFields) == ["event", "delay_minutes", "reminders"])
            let unknownSurvey = try await api.send(.post, "/api/v1/triggers", json: #"{"survey_id": 999, "event": "signup"}"#)
            #expect(unknownSurvey.status == .unprocessableContent && unknownSurvey.errorFields == ["survey_id"])
            let created = try await api.send(.post, "/api/v1/triggers", json: #"{"survey_id": \#(survey), "event": "signup", "reminders": 1}"#)
            guard case .integer(let id)? = created.json["id"] else { return }
            let disabled = try await api.send(.patch, "/api/v1/triggers/\(id)", json: #"{"enabled": false, "delay_minutes": 60}"#)
            #expect(disabled.json["enabled"] == .bool(false) && disabled.json["delay_minutes"] == .integer(60) && disabled.json["reminders"] == .integer(1))
            let event = try await api.send(.post, "/api/v1/events", json: #"{"contact": {"external_id": "u1", "email": "u1@example.com"}, "name": "signup"}"#)
            #expect(event.json["triggers"] == .array([]))

            for body in [#"{"name": "signup"}"#, #"{"contact": {}, "name": "signup"}"#, #"{"contact": {"external_id": "u2"}, "name": "sign up"}"#,
                         #"{"contact": {"external_id": "u2"}, "name": "signup", "occurred_at": "2099-01-01T00:00:00Z"}"#] {
                let r = try await api.send(.post, "/api/v1/events", json: body)
                #expect(r.status == .unprocessableContent, "\(body)")
            }
            #expect(try await api.send(.get, "/api/v1/contacts/u2").status == .notFound)

            let other = try await api.token(forWorkspace: "globex")
            #expect(try await api.send(.get, "/api/v1/triggers/\(id)", token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/triggers", token: other).json["data"] == .array([]))
            #expect(try await api.send(.delete, "/api/v1/triggers/\(id)").status == .noContent)
            #expect(try await api.send(.get, "/api/v1/triggers/\(id)").status == .notFound)
        }
    }
}
