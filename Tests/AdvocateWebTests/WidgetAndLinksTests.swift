import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Crypto
import Foundation
import Hummingbird
import Testing

private func sign(_ userID: String, _ secret: String) -> String {
    HMAC<SHA256>.authenticationCode(for: Data(userID.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        .map { String(format: "%02x", $0) }.joined()
}

extension APIHarness {
    /// Enables the widget on a new survey and returns (survey id, secret).
    func enableWidget(_ settings: String = "") async throws -> (Int64, String) {
        let survey = try await createSurvey()
        let extra = settings.isEmpty ? "" : ", \(settings)"
        let put = try await send(.put, "/api/v1/widget", json: #"{"enabled": true, "survey_id": \#(survey)\#(extra)}"#)
        guard put.status == .ok else { throw HarnessError("widget settings: \(put.html)") }
        let secret = try await send(.post, "/api/v1/widget/secret")
        guard case .string(let s)? = secret.json["secret"] else { throw HarnessError("no secret: \(secret.html)") }
        return (survey, s)
    }

    func widgetCheck(user: String, secret: String?, extra: String = "", signature: String? = nil, workspace: String = "acme") async throws -> APIResult {
        let sig = signature ?? secret.map { sign(user, $0) }
        let signatureField = sig.map { #", "signature": "\#($0)""# } ?? ""
        return try await send(.post, "/widget/v1/check", json: #"""
            {"workspace": "\#(workspace)", "user": {"id": "\#(user)", "email": "\#(user)@example.com", "created_at": "2026-01-01T00:00:00Z"}\#(signatureField), "locale": "ar-EG,ar,en"\#(extra)}
            """#, token: "", headers: [.origin: "https://app.customer.example"])
    }
}

@Suite("/widget/v1: the in-app widget")
struct WidgetTests {
    @Test("a signed user is asked in their language; the score counts at once, the comment updates the same response", arguments: TestBackend.available)
    func answer(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (survey, secret) = try await api.enableWidget()
            let check = try await api.widgetCheck(user: "u-1", secret: secret)
            #expect(check.status == .ok && check.json["show"] == .bool(true))
            #expect(check.headers[.accessControlAllowOrigin] == "*")
            #expect(check.json["survey"]?["dir"] == .string("rtl") && check.json["survey"]?["lang"] == .string("ar"))
            guard case .array(let numerals)? = check.json["survey"]?["numerals"] else { Issue.record("no numerals"); return }
            #expect(numerals.count == 11 && numerals[10] == .string("١٠"))
            guard case .string(let display)? = check.json["display"] else { Issue.record("no display"); return }
            let scored = try await api.send(.post, "/widget/v1/answer", json: #"{"display": "\#(display)", "score": 4}"#, token: "")
            #expect(scored.status == .ok && scored.json["category"] == .string("detractor"))
            #expect(try await api.reportedCount(surveyID: survey) == 1)
            _ = try await api.send(.post, "/widget/v1/answer", json: #"{"display": "\#(display)", "score": 4, "comment": "بطيء جدا"}"#, token: "")
            let rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 1 && rows[0].comment == "بطيء جدا" && rows[0].channel == "in_app" && rows[0].status == "counted")
            // Answered: not asked again for 90 days.
            #expect(try await api.widgetCheck(user: "u-1", secret: secret).json["reason"] == .string("recently_answered"))
            api.clock.advance(milliseconds: 91 * 86_400_000)
            #expect(try await api.widgetCheck(user: "u-1", secret: secret).json["show"] == .bool(true))
        }
    }

    @Test("unsigned and forged identities are refused with problem+json; a rotated secret invalidates the old one", arguments: TestBackend.available)
    func signatures(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (_, secret) = try await api.enableWidget()
            let unsigned = try await api.widgetCheck(user: "u-1", secret: nil)
            #expect(unsigned.status == .unauthorized && unsigned.isProblem && unsigned.headers[.accessControlAllowOrigin] == "*")
            let forged = try await api.widgetCheck(user: "u-1", secret: nil, signature: sign("u-2", secret))
            #expect(forged.status == .forbidden && forged.isProblem)
            let upper = try await api.widgetCheck(user: "u-1", secret: nil, signature: sign("u-1", secret).uppercased())
            #expect(upper.status == .ok)
            _ = try await api.send(.post, "/api/v1/widget/secret")
            #expect(try await api.widgetCheck(user: "u-1", secret: secret).status == .forbidden)
            #expect(try await api.widgetCheck(user: "u-1", secret: secret, workspace: "nope").status == .notFound)
            let bad = try await api.send(.post, "/widget/v1/check", json: #"{"workspace": "acme", "user": {}, "event": "a b"}"#, token: "")
            #expect(bad.status == .unprocessableContent && Set(bad.errorFields) == ["user.id", "event"])
            let preflight = try await api.send(.options, "/widget/v1/check", token: "", headers: [.origin: "https://x.example"])
            #expect(preflight.status == .noContent && preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
        }
    }

    @Test("eligibility is the server's: new users wait, dismissals wait 30 days, trigger events, the daily cap", arguments: TestBackend.available)
    func eligibility(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let (_, secret) = try await api.enableWidget(#""daily_cap": 1, "events": ["ticket.closed"]"#)
            // Signed up 2026-01-01; the clock is later, so not too new. Without the event: wait.
            #expect(try await api.widgetCheck(user: "a", secret: secret).json["reason"] == .string("waiting_for_event"))
            let shown = try await api.widgetCheck(user: "a", secret: secret, extra: #", "event": "ticket.closed""#)
            #expect(shown.json["show"] == .bool(true))
            #expect(try await api.widgetCheck(user: "b", secret: secret, extra: #", "event": "ticket.closed""#).json["reason"]
                    == .string("daily_cap_reached"))
            guard case .string(let display)? = shown.json["display"] else { return }
            #expect(try await api.send(.post, "/widget/v1/dismiss", json: #"{"display": "\#(display)"}"#, token: "").status == .noContent)
            #expect(try await api.widgetCheck(user: "a", secret: secret, extra: #", "event": "ticket.closed""#).json["reason"]
                    == .string("recently_dismissed"))
            let tooNew = try await api.send(.post, "/widget/v1/check", json: #"""
                {"workspace": "acme", "user": {"id": "c", "created_at": "\#(api.clock.now().rfc3339)"}, "signature": "\#(sign("c", secret))", "event": "ticket.closed"}
                """#, token: "")
            #expect(tooNew.json["reason"] == .string("too_new"))
            let unknown = try await api.send(.post, "/widget/v1/answer", json: #"{"display": "\#(String(repeating: "x", count: 43))", "score": 5}"#, token: "")
            #expect(unknown.status == .notFound && unknown.isProblem)
            let badScore = try await api.send(.post, "/widget/v1/answer", json: #"{"display": "\#(display)", "score": 11}"#, token: "")
            #expect(badScore.status == .unprocessableContent && badScore.errorFields == ["score"])
        }
    }

    @Test("widget settings: validated, another workspace's survey refused, secrets never shown again", arguments: TestBackend.available)
    func settings(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let other = try await api.token(forWorkspace: "globex")
            let foreign = try await api.createSurvey(token: other)
            let refused = try await api.send(.put, "/api/v1/widget", json: #"{"enabled": true, "survey_id": \#(foreign)}"#)
            #expect(refused.status == .unprocessableContent && refused.errorFields == ["survey_id"])
            let bad = try await api.send(.put, "/api/v1/widget", json: #"{"enabled": true, "sample_percent": 150}"#)
            #expect(bad.status == .unprocessableContent && Set(bad.errorFields) == ["sample_percent", "survey_id"])
            _ = try await api.enableWidget()
            let shown = try await api.send(.get, "/api/v1/widget")
            #expect(shown.json["has_secret"] == .bool(true) && shown.json["secret"] == nil && shown.json["enabled"] == .bool(true))
            #expect(try await api.send(.get, "/api/v1/widget", token: other).json["enabled"] == .bool(false))
        }
    }
}

@Suite("/l/{token} and /api/v1/links: survey links")
struct SurveyLinkTests {
    @Test("an anonymous link takes one answer per browser, updated on return; another browser adds one; revoked links stop",
          arguments: TestBackend.available)
    func anonymous(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"name": "QR on receipts", "channel": "sms"}"#)
            #expect(created.status == .created && created.json["kind"] == .string("anonymous") && created.json["url"] == .null)
            guard case .string(let path)? = created.json["path"], case .integer(let id)? = created.json["id"] else { return }
            #expect(path.hasPrefix("/l/") && created.json["token"] == nil)

            let first = RespondentBrowser(api)
            #expect(try await first.get(path).html.contains(#"name="pick" value="0""#))
            _ = try await first.post(path, [("pick", "8")])
            _ = try await first.post(path, [("score", "8"), ("comment", "Quick checkout"), ("send", "1")])
            _ = try await first.get(path)
            _ = try await first.post(path, [("score", "9"), ("comment", "Quick checkout"), ("send", "1")])
            var rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 1 && rows[0].score == 9 && rows[0].channel == "sms")
            let second = RespondentBrowser(api)
            _ = try await second.get(path)
            _ = try await second.post(path, [("pick", "3")])
            rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 2)
            let noCookies = RespondentBrowser(api)
            #expect(try await noCookies.post(path, [("pick", "5")], csrf: false).status == .forbidden)

            let revoked = try await api.send(.delete, "/api/v1/links/\(id)")
            #expect(revoked.status == .ok && revoked.json["revoked_at"] != .null)
            #expect(try await first.get(path).status == .gone)
            #expect(try await first.post(path, [("score", "1"), ("send", "1")]).status == .gone)
            #expect(try await api.storedResponses(surveyID: survey).map(\.score) == [9, 3])
        }
    }

    @Test("anonymous answers are rate-limited per address: the 21st new answer within the hour is refused", arguments: [TestBackend.sqlite])
    func rateLimit(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"name": "Kiosk"}"#)
            guard case .string(let path)? = created.json["path"] else { return }
            for _ in 1...20 {
                let b = RespondentBrowser(api)
                _ = try await b.get(path)
                #expect(try await b.post(path, [("pick", "10")]).status == .seeOther)
            }
            let b = RespondentBrowser(api)
            _ = try await b.get(path)
            let refused = try await b.post(path, [("pick", "10")])
            #expect(refused.status == .tooManyRequests && refused.html.contains("Too many answers"))
            #expect(try await api.storedResponses(surveyID: survey).count == 20)
            api.clock.advance(milliseconds: 3_600_000)
            #expect(try await b.post(path, [("pick", "10")]).status == .seeOther)
        }
    }

    @Test("a personal link is an invitation on its channel; suppressed and unknown contacts are refused; bad bodies are 422",
          arguments: TestBackend.available)
    func personal(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            _ = try await api.send(.put, "/api/v1/contacts/u1", json: #"{"email": "u1@example.com", "locale": "kk"}"#)
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"contact": {"external_id": "u1"}, "channel": "sms"}"#)
            #expect(created.status == .created && created.json["kind"] == .string("contact"))
            guard case .string(let path)? = created.json["path"] else { return }
            let browser = RespondentBrowser(api)
            #expect(try await browser.get(path + "/10").html.contains(#"lang="kk""#))
            _ = try await browser.post(path, [("score", "10"), ("send", "1")])
            #expect(try await api.storedResponses(surveyID: survey).map(\.channel) == ["sms"])

            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"contact": {"external_id": "ghost"}}"#).errorFields
                    == ["contact.external_id"])
            _ = try await api.send(.post, "/api/v1/suppressions", json: #"{"email": "u1@example.com"}"#)
            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"contact": {"external_id": "u1"}}"#).status == .conflict)
            let bad = try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"channel": "fax", "expires_at": "2020-01-01T00:00:00Z"}"#)
            #expect(bad.status == .unprocessableContent && Set(bad.errorFields) == ["channel", "expires_at", "name"])
            #expect(try await api.send(.post, "/api/v1/surveys/999/links", json: #"{"name": "x"}"#).status == .notFound)
        }
    }

    @Test("one workspace never sees or opens another's links and surveys", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let other = try await api.token(forWorkspace: "globex")
            let survey = try await api.createSurvey()
            let created = try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"name": "Mine"}"#)
            guard case .integer(let id)? = created.json["id"] else { return }
            #expect(try await api.send(.get, "/api/v1/links/\(id)", token: other).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/links/\(id)", token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/links", token: other).json["data"] == .array([]))
            #expect(try await api.send(.post, "/api/v1/surveys/\(survey)/links", json: #"{"name": "Theirs"}"#, token: other).status == .notFound)
            guard case .array(let mine)? = try await api.send(.get, "/api/v1/links").json["data"] else { Issue.record("no list"); return }
            #expect(mine.count == 1 && mine[0]["name"] == .string("Mine"))
        }
    }
}
