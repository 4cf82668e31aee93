import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Hummingbird
import Testing

@Suite("/api/v1/surveys/{id}/invitations, /api/v1/invitations")
struct InvitationsAPITests {
    func contacts(_ api: APIHarness) async throws {
        for (id, email) in [("c1", "one@example.com"), ("c2", "two@example.com"), ("nomail", nil)] {
            let body = email.map { #"{"email": "\#($0)"}"# } ?? "{}"
            #expect(try await api.send(.put, "/api/v1/contacts/\(id)", json: body).status.code < 300)
        }
    }

    @Test("202 lists who was invited and who was skipped and why; the invitations are listed and shown", arguments: TestBackend.available)
    func create(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            try await contacts(api)
            let survey = try await api.createSurvey()
            _ = try await api.send(.post, "/api/v1/suppressions", json: #"{"email": "two@example.com", "reason": "unsubscribed"}"#)
            let r = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: """
                {"contacts": [{"external_id": "c1"}, {"external_id": "c2"}, {"external_id": "nomail"}, {"external_id": "ghost"},
                              {"email": "New@Example.com"}, {"external_id": "c1"}], "reminders": 1}
                """)
            #expect(r.status == .accepted)
            #expect(r.json["counts"]?["invited"] == .integer(2) && r.json["counts"]?["skipped"] == .integer(4))
            guard case .array(let skipped)? = r.json["skipped"], case .array(let invited)? = r.json["invited"] else { Issue.record("shape"); return }
            #expect(skipped.map { $0["reason"] } == [.string("suppressed"), .string("no_email"), .string("unknown_contact"), .string("duplicate")])
            #expect(skipped.map { $0["index"] } == [.integer(1), .integer(2), .integer(3), .integer(5)])
            #expect(skipped[2]["contact"]?["external_id"] == .string("ghost"))
            #expect(invited[1]["contact"]?["email"] == .string("new@example.com"))
            #expect(invited[0]["invitation"]?["status"] == .string("scheduled") && invited[0]["invitation"]?["reminders"] == .integer(1))
            guard case .integer(let id)? = invited[0]["invitation"]?["id"] else { Issue.record("no id"); return }
            let shown = try await api.send(.get, "/api/v1/invitations/\(id)")
            #expect(shown.status == .ok && shown.json["email"] == .string("one@example.com"))
            let listed = try await api.send(.get, "/api/v1/invitations?survey_id=\(survey)&limit=1")
            #expect(listed.status == .ok && listed.json["next_cursor"] != .null)
            // A job per invitation, visible without its token.
            let jobs = try await api.send(.get, "/api/v1/jobs?state=queued")
            guard case .array(let queued)? = jobs.json["data"] else { Issue.record("no jobs"); return }
            #expect(queued.count == 2)
            #expect(queued.allSatisfy { $0["payload"]?["token"] == nil && $0["kind"] == .string("invitation.email") })
        }
    }

    @Test("bad bodies are 422 naming each field, and nothing is scheduled", arguments: TestBackend.available)
    func badInput(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            try await contacts(api)
            let survey = try await api.createSurvey()
            let cases: [(String, [String])] = [
                ("{}", ["contacts"]),
                (#"{"contacts": []}"#, ["contacts"]),
                (#"{"contacts": "c1"}"#, ["contacts"]),
                (#"{"contacts": [{"external_id": "c1", "email": "a@b.co"}]}"#, ["contacts[0]"]),
                (#"{"contacts": [{}]}"#, ["contacts[0]"]),
                (#"{"contacts": [{"email": "not-an-address"}]}"#, ["contacts[0].email"]),
                (#"{"contacts": [{"external_id": "c1", "phone": "1"}]}"#, ["contacts[0].phone"]),
                (#"{"contacts": [{"external_id": "c1"}], "channel": "sms"}"#, ["channel"]),
                (#"{"contacts": [{"external_id": "c1"}], "send_at": "yesterday"}"#, ["send_at"]),
                (#"{"contacts": [{"external_id": "c1"}], "send_at": "2020-01-01T00:00:00Z"}"#, ["send_at"]),
                (#"{"contacts": [{"external_id": "c1"}], "send_at": "2030-01-01T00:00:00Z"}"#, ["send_at"]),
                (#"{"contacts": [{"external_id": "c1"}], "reminders": 3}"#, ["reminders"]),
                (#"{"contacts": [{"external_id": "c1"}], "reminder_days": 0}"#, ["reminder_days"]),
                (#"{"contacts": [{"external_id": "c1"}], "throttle_days": -1}"#, ["throttle_days"]),
                (#"{"contacts": [{"external_id": "c1"}], "surprise": true}"#, ["surprise"]),
            ]
            for (body, fields) in cases {
                let r = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: body)
                #expect(r.status == .unprocessableContent && r.isProblem, "\(body)")
                #expect(r.errorFields == fields, "\(body): \(r.errorFields)")
            }
            let many = "[" + (0...10_000).map { _ in #"{"external_id": "c1"}"# }.joined(separator: ",") + "]"
            let tooMany = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": \#(many)}"#)
            #expect(tooMany.status == .unprocessableContent && tooMany.errorFields == ["contacts"])
            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: "{").status == .badRequest)
            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/invitations?x=1", json: #"{"contacts": [{"external_id": "c1"}]}"#).status == .badRequest)
            #expect(try await api.store.invitations(workspaceID: api.workspaceID, surveyID: nil, before: nil, limit: 10).items.isEmpty)
        }
    }

    @Test("another workspace's survey and invitations are 404", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            try await contacts(api)
            let survey = try await api.createSurvey()
            let r = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": [{"external_id": "c1"}]}"#)
            guard case .array(let invited)? = r.json["invited"], case .integer(let id)? = invited.first?["invitation"]?["id"] else {
                Issue.record("not invited"); return
            }
            let other = try await api.token(forWorkspace: "globex")
            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": [{"external_id": "c1"}]}"#, token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/invitations/\(id)", token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/invitations", token: other).json["data"] == .array([]))
            #expect(try await api.send(.get, "/api/v1/jobs", token: other).json["data"] == .array([]))
            #expect(try await api.send(.get, "/api/v1/invitations/\(id)", token: "").status == .unauthorized)
        }
    }

    @Test("without e-mail configured, invitations are refused with 409 saying what to configure", arguments: TestBackend.available)
    func notConfigured(_ backend: TestBackend) async throws {
        try await withAPI(backend, sending: .disabled) { api in
            try await contacts(api)
            let survey = try await api.createSurvey()
            let r = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": [{"external_id": "c1"}]}"#)
            #expect(r.status == .conflict && r.isProblem && r.detail.contains("--smtp-url"))
            #expect(try await api.store.invitations(workspaceID: api.workspaceID, surveyID: nil, before: nil, limit: 10).items.isEmpty)
        }
    }
}

@Suite("/api/v1/suppressions and /api/v1/jobs")
struct SuppressionsAndJobsAPITests {
    @Test("suppressing an address: 201, then 200 keeping the first reason; shown and listed; bad input 422", arguments: TestBackend.available)
    func suppressions(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let first = try await api.send(.post, "/api/v1/suppressions", json: #"{"email": "Ada@Example.com", "reason": "complained", "detail": "ESP feedback loop"}"#)
            #expect(first.status == .created && first.json["email"] == .string("ada@example.com"))
            let again = try await api.send(.post, "/api/v1/suppressions", json: #"{"email": "ada@example.com"}"#)
            #expect(again.status == .ok && again.json["reason"] == .string("complained"))
            #expect(try await api.send(.get, "/api/v1/suppressions/ada%40example.com").json["reason"] == .string("complained"))
            #expect(try await api.send(.get, "/api/v1/suppressions/nobody%40example.com").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/suppressions/not-an-address").status == .unprocessableContent)
            #expect(try await api.send(.get, "/api/v1/suppressions?reason=complained").firstItem?["email"] == .string("ada@example.com"))
            #expect(try await api.send(.get, "/api/v1/suppressions?reason=bored").status == .badRequest)
            for body in [#"{}"#, #"{"email": "x"}"#, #"{"email": "a@b.co", "reason": "angry"}"#, #"{"email": "a@b.co", "extra": 1}"#] {
                #expect(try await api.send(.post, "/api/v1/suppressions", json: body).status == .unprocessableContent, "\(body)")
            }
            #expect(try await api.send(.delete, "/api/v1/suppressions/ada%40example.com").status == .methodNotAllowed)
            let other = try await api.token(forWorkspace: "globex")
            #expect(try await api.send(.get, "/api/v1/suppressions/ada%40example.com", token: other).status == .notFound)
        }
    }

    @Test("a dead job is listed with its error and can be retried once; retrying a live job is 409", arguments: TestBackend.available)
    func deadJobs(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            try await api.store.enqueue([NewJob(workspaceID: api.workspaceID, kind: "invitation.email", payload: [:], runAt: api.clock.now(), maxAttempts: 1)])
            let job = try #require(try await api.store.claimJobs(kinds: ["invitation.email"], owner: "w", limit: 1, leaseMilliseconds: 1000).first)
            try await api.store.finishJob(JobLease(owner: "w", jobID: job.id), .retry(at: api.clock.now(), error: "535 authentication failed"))
            let dead = try await api.send(.get, "/api/v1/jobs?state=dead")
            #expect(dead.firstItem?["last_error"] == .string("535 authentication failed"))
            let retried = try await api.send(.post, "/api/v1/jobs/\(job.id)/retry")
            #expect(retried.status == .accepted && retried.json["state"] == .string("queued") && retried.json["attempts"] == .integer(0))
            #expect(try await api.send(.post, "/api/v1/jobs/\(job.id)/retry").status == .conflict)
            #expect(try await api.send(.post, "/api/v1/jobs/999999/retry").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/jobs?state=zombie").status == .badRequest)
        }
    }
}

@Suite("/u/{token}: unsubscribing")
struct UnsubscribePageTests {
    /// An invitation for `email` and its token.
    func invitation(_ api: APIHarness, email: String, locale: String? = nil) async throws -> String {
        _ = try await api.store.upsertContact(workspaceID: api.workspaceID, ContactInput(externalID: email, email: email, locale: locale))
        let survey = try await api.createSurvey()
        let pair = InvitationToken.make()
        _ = try await api.store.createInvitations(workspaceID: api.workspaceID, surveyID: survey, targets: [.externalID(email)],
                                                  options: InvitationOptions(sendAt: api.clock.now()), makeToken: { pair })
        return pair.token
    }

    @Test("GET shows a button and changes nothing; the form unsubscribes and can subscribe again", arguments: TestBackend.available)
    func page(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let token = try await invitation(api, email: "ada@example.com")
            let page = try await api.send(.get, "/u/\(token)", token: "")
            #expect(page.status == .ok && page.contentType == "text/html; charset=utf-8")
            #expect(String(decoding: page.bytes, as: UTF8.self).contains("ada@example.com"))
            #expect(try await api.store.suppression(workspaceID: api.workspaceID, email: "ada@example.com") == nil)
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let done = try await api.send(.post, "/u/\(token)", body: Array("action=unsubscribe".utf8), token: "", headers: form)
            #expect(done.status == .ok && String(decoding: done.bytes, as: UTF8.self).contains("resubscribe"))
            #expect(try await api.store.suppression(workspaceID: api.workspaceID, email: "ada@example.com")?.reason == .unsubscribed)
            #expect(String(decoding: try await api.send(.get, "/u/\(token)", token: "").bytes, as: UTF8.self).contains("value=\"resubscribe\""))
            _ = try await api.send(.post, "/u/\(token)", body: Array("action=resubscribe".utf8), token: "", headers: form)
            #expect(try await api.store.suppression(workspaceID: api.workspaceID, email: "ada@example.com") == nil)
        }
    }

    @Test("RFC 8058 one-click POST unsubscribes; unknown and malformed tokens are 404 pages; a bad form is 400", arguments: TestBackend.available)
    func oneClick(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let token = try await invitation(api, email: "grace@example.com", locale: "he")
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let r = try await api.send(.post, "/u/\(token)", body: Array("List-Unsubscribe=One-Click".utf8), token: "", headers: form)
            #expect(r.status == .ok)
            #expect(try await api.store.suppression(workspaceID: api.workspaceID, email: "grace@example.com")?.reason == .unsubscribed)
            let hebrew = try await api.send(.get, "/u/\(token)", token: "")
            #expect(String(decoding: hebrew.bytes, as: UTF8.self).contains("dir=\"rtl\""))
            for bad in ["nope", String(repeating: "A", count: 43), "%00"] {
                let missing = try await api.send(.get, "/u/\(bad)", token: "", headers: [.acceptLanguage: "de-DE,de;q=0.9"])
                #expect(missing.status == .notFound && String(decoding: missing.bytes, as: UTF8.self).contains("lang=\"de\""), "\(bad)")
            }
            #expect(try await api.send(.post, "/u/\(token)", body: Array("action=dance".utf8), token: "", headers: form).status == .badRequest)
            #expect(try await api.send(.post, "/u/\(token)", body: Array("action=%zz".utf8), token: "", headers: form).status == .badRequest)
        }
    }
}

extension APIResult {
    /// The first item of a page.
    var firstItem: JSONValue? {
        if case .array(let items)? = json["data"] { return items.first }
        return nil
    }
}
