import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import Testing

private let scannerAgent = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; BingPreview/1.0b)"

@Suite("/r/{token}: the survey page and one-click score links")
struct RespondentPagesTests {
    @Test("a one-click score is provisional and not reported; the page's beacon counts it; a comment then completes it, one row throughout",
          arguments: TestBackend.available)
    func oneClickThenHuman(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let (token, _) = try await api.sentInvitation(surveyID: survey)
            let browser = RespondentBrowser(api)
            let landing = try await browser.get("/r/\(token)/7")
            #expect(landing.status == .ok)
            #expect(landing.html.contains(#"value="7" class="score passive" aria-label="7 out of 10" aria-pressed="true""#))
            #expect(landing.html.contains(#"data-beacon="/r/\#(token)/beacon""#) && landing.html.contains("/assets/page.js"))
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["provisional"])
            #expect(try await api.reportedCount(surveyID: survey) == 0)

            #expect(try await browser.post("/r/\(token)/beacon", []).status == .noContent)
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["counted"])
            #expect(try await api.reportedCount(surveyID: survey) == 1)

            let sent = try await browser.post("/r/\(token)", [("score", "7"), ("comment", "  Fast support, slow exports  "), ("send", "1")])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/r/\(token)")
            let thanks = try await browser.get("/r/\(token)")
            #expect(thanks.html.contains("<h1>Thank you!</h1>") && thanks.html.contains("What would make it a 10") == false)
            let rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 1 && rows[0].score == 7 && rows[0].comment == "Fast support, slow exports" && rows[0].status == "counted")
            #expect(try await api.reportedCount(surveyID: survey) == 1)
            let invitation = try await api.send(.get, "/api/v1/invitations")
            #expect(invitation.html.contains(#""status":"answered""#))
        }
    }

    @Test("coming back: the score can be changed and the report moves with it, never duplicated; a replayed form changes nothing more",
          arguments: TestBackend.available)
    func changeScore(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let (token, _) = try await api.sentInvitation(surveyID: survey)
            let browser = RespondentBrowser(api)
            _ = try await browser.get("/r/\(token)")
            #expect(try await browser.post("/r/\(token)", [("pick", "3")]).headers[.location] == "/r/\(token)?edit=1")
            let form = try await browser.get("/r/\(token)?edit=1")
            #expect(form.html.contains("We are sorry to hear that. What could we do better?"))
            _ = try await browser.post("/r/\(token)", [("score", "3"), ("comment", "Too expensive"), ("send", "1")])
            let report = try await api.send(.get, "/api/v1/surveys/\(survey)/report")
            #expect(report.json["detractors"] == .integer(1))

            // Back through an e-mail link with another score: shown for confirmation, not saved yet.
            let back = try await browser.get("/r/\(token)/10")
            #expect(back.html.contains(#"aria-pressed="true">10<"#) && back.html.contains("Too expensive"))
            #expect(try await api.storedResponses(surveyID: survey).map(\.score) == [3])
            let change: [(String, String)] = [("score", "10"), ("comment", "Changed my mind"), ("send", "1")]
            #expect(try await browser.post("/r/\(token)", change).headers[.location] == "/r/\(token)?saved=updated")
            #expect(try await browser.get("/r/\(token)?saved=updated").html.contains("Your answer has been updated."))
            #expect(try await browser.post("/r/\(token)", change).status == .seeOther)
            let rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 1 && rows[0].score == 10 && rows[0].comment == "Changed my mind")
            let after = try await api.send(.get, "/api/v1/surveys/\(survey)/report")
            #expect(after.json["detractors"] == .integer(0) && after.json["promoters"] == .integer(1) && after.json["responses"] == .integer(1))
        }
    }

    @Test("follow-up wording and extra questions follow the category; answers are stored; thank-you pages per category",
          arguments: TestBackend.available)
    func followUpAndThanks(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey(#"""
                {"name": "R", "product_name": "Acme", "settings": {
                  "questions": [{"id": "role", "type": "single_choice", "prompt": "Your role?", "options": ["Admin", "User"]},
                                {"id": "ease", "type": "rating", "prompt": "How easy?", "category": "promoter"},
                                {"id": "missing", "type": "text", "prompt": "What is missing?", "category": "detractor"}],
                  "review_sites": [{"name": "G2", "url": "https://g2.example/acme"}],
                  "referral_url": "https://acme.example/invite?u={external_id}",
                  "share_text": "Acme & friends: 100% worth it", "share_url": "https://acme.example/?ref=nps"}}
                """#)
            let (token, _) = try await api.sentInvitation(surveyID: survey, externalID: "u 1")
            let browser = RespondentBrowser(api)
            let promoter = try await browser.get("/r/\(token)/9")
            #expect(promoter.html.contains("Great to hear! What do you like most about Acme?"))
            #expect(promoter.html.contains("Your role?") && promoter.html.contains("How easy?") && !promoter.html.contains("What is missing?"))
            _ = try await browser.post("/r/\(token)", [("score", "9"), ("comment", ""), ("q_role", "1"), ("q_ease", "8"), ("send", "1")])
            let rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 1 && rows[0].comment == nil && rows[0].answers == #"{"ease":8,"role":"User"}"#)
            let thanks = try await browser.get("/r/\(token)").html
            #expect(thanks.contains(#"href="https://g2.example/acme""#) && thanks.contains("Write a review on G2"))
            #expect(thanks.contains("https://acme.example/invite?u=u%201"))
            #expect(thanks.contains("https://twitter.com/intent/tweet?text=Acme%20%26amp%3B") == false)
            #expect(thanks.contains("https://twitter.com/intent/tweet?text=Acme%20%26%20friends%3A%20100%25%20worth%20it&amp;url=https%3A%2F%2Facme.example%2F%3Fref%3Dnps"))
            #expect(thanks.contains("https://www.linkedin.com/feed/?shareActive=true&amp;text=Acme%20%26%20friends"))

            let (detractorToken, _) = try await api.sentInvitation(surveyID: survey, externalID: "bob")
            let bob = RespondentBrowser(api)
            let page = try await bob.get("/r/\(detractorToken)/2")
            #expect(page.html.contains("What is missing?") && !page.html.contains("How easy?"))
            _ = try await bob.post("/r/\(detractorToken)", [("score", "2"), ("q_missing", "SSO"), ("send", "1")])
            let sorry = try await bob.get("/r/\(detractorToken)").html
            #expect(sorry.contains("Someone from our team will reach out") && sorry.contains(#"name="no_contact""#))
            #expect(try await bob.post("/r/\(detractorToken)", [("step", "contact"), ("no_contact", "1")]).headers[.location]
                    == "/r/\(detractorToken)?saved=contact")
            #expect(try await bob.get("/r/\(detractorToken)?saved=contact").html.contains("we will not contact you about this"))
            #expect(try await api.storedResponses(surveyID: survey).last?.noContact == true)
            #expect(try await api.storedResponses(surveyID: survey).last?.answers == #"{"missing":"SSO"}"#)
        }
    }

    @Test("link scanners: bad agents, bursts of every link, HEAD and hits on delivery are flagged, never counted; a person then counts",
          arguments: TestBackend.available)
    func scanners(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            // Delivered 2 s ago: a gateway scanning on arrival.
            let (token, _) = try await api.sentInvitation(surveyID: survey, sentAgoMilliseconds: 2_000)
            let gateway = RespondentBrowser(api)
            _ = try await gateway.get("/r/\(token)/6")
            #expect(try await api.storedResponses(surveyID: survey).map(\.flagReason) == ["too_soon_after_delivery"])
            api.clock.advance(milliseconds: 60_000)
            // A browser-like scanner opening all eleven links at once.
            for score in 0...10 { _ = try await gateway.get("/r/\(token)/\(score)") }
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["flagged"])
            #expect(try await api.storedResponses(surveyID: survey).first?.flagReason == "burst")
            api.clock.advance(milliseconds: 60_000)
            #expect(try await RespondentBrowser(api).get("/r/\(token)/4", method: .head).bytes.isEmpty)
            _ = try await RespondentBrowser(api, userAgent: scannerAgent).get("/r/\(token)/9")
            // The scanner posts the form 35 s later: still not counted.
            api.clock.advance(milliseconds: 35_000)
            let scanner = RespondentBrowser(api, userAgent: scannerAgent)
            _ = try await scanner.get("/r/\(token)")
            _ = try await scanner.post("/r/\(token)", [("score", "9"), ("send", "1")])
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["flagged"])
            #expect(try await api.reportedCount(surveyID: survey) == 0)
            let report = try await api.send(.get, "/api/v1/surveys/\(survey)/report")
            #expect(report.json["not_counted"]?["flagged"] == .integer(1))
            // 1 on delivery, 10 of the burst (its first hit looked like a person until the second
            // came, and the answer it saved was flagged then), HEAD, the scanner's agent.
            #expect(report.json["not_counted"]?["scanner_hits"] == .integer(13))

            // A person, later: replaces the flagged answer and counts, once.
            api.clock.advance(milliseconds: 3_600_000)
            let person = RespondentBrowser(api)
            let page = try await person.get("/r/\(token)/8")
            #expect(page.html.contains(#"aria-pressed="true">8<"#))
            #expect(try await api.storedResponses(surveyID: survey).map(\.status) == ["provisional"])
            _ = try await person.post("/r/\(token)", [("score", "8"), ("send", "1")])
            let rows = try await api.storedResponses(surveyID: survey)
            #expect(rows.count == 1 && rows[0].status == "counted" && rows[0].score == 8 && rows[0].flagReason == nil)
            #expect(try await api.reportedCount(surveyID: survey) == 1)
            // …and a scanner hit afterwards does not touch the person's answer.
            _ = try await scanner.get("/r/\(token)/0")
            #expect(try await api.storedResponses(surveyID: survey).map(\.score) == [8])
        }
    }

    @Test("bad input: wrong score, forged or expired token, missing form token, oversized comment, invalid UTF-8 — clear pages, nothing written",
          arguments: TestBackend.available)
    func badInput(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let (token, _) = try await api.sentInvitation(surveyID: survey, locale: "de")
            let browser = RespondentBrowser(api)
            for bad in ["11", "-1", "07", "x", "3.0"] {
                let r = try await browser.get("/r/\(token)/\(bad)")
                #expect(r.status == .badRequest && r.html.contains("Bitte wählen Sie eine Bewertung von 0 bis 10."), "\(bad)")
            }
            for forged in [String(repeating: "A", count: 43), "short", "%00%01"] {
                let r = try await browser.get("/r/\(forged)/5")
                #expect(r.status == .notFound && r.html.contains("<h1>"), "\(forged)")
            }
            let noToken = try await browser.post("/r/\(token)", [("score", "5"), ("send", "1")], csrf: false)
            #expect(noToken.status == .forbidden && noToken.html.contains("role=\"alert\""))
            _ = try await browser.get("/r/\(token)")
            let long = String(repeating: "é", count: Limits.commentCharacters + 1)
            let tooLong = try await browser.post("/r/\(token)", [("score", "5"), ("comment", long), ("send", "1")])
            #expect(tooLong.status == .badRequest && tooLong.html.contains("5000") && tooLong.html.contains(#"aria-invalid="true""#))
            let csrf = browser.cookies["advocate_csrf"] ?? ""
            let invalid = try await browser.postRaw("/r/\(token)", Array("csrf=\(csrf)&score=5&comment=%FF%FE&send=1".utf8))
            #expect(invalid.status == .badRequest)
            let badChoice = try await browser.post("/r/\(token)", [("score", "12"), ("send", "1")])
            #expect(badChoice.status == .badRequest)
            #expect(try await api.storedResponses(surveyID: survey).isEmpty)

            // Expired: 30 days after sending by default.
            api.clock.advance(milliseconds: 30 * 86_400_000)
            let expired = try await browser.get("/r/\(token)/5")
            #expect(expired.status == .gone && expired.html.contains("lang=\"de\""))
            #expect(try await browser.post("/r/\(token)", [("score", "5"), ("send", "1")]).status == .gone)
            #expect(try await api.storedResponses(surveyID: survey).isEmpty)
        }
    }

    @Test("pages in ar, he, zh-Hans, tr and kk carry their lang and dir, digits by the catalog, and the scale in 0…10 order",
          arguments: TestBackend.available)
    func languages(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            for (locale, dir, zero) in [("ar", "rtl", "٠"), ("he", "rtl", "0"), ("zh-Hans", "ltr", "0"), ("tr", "ltr", "0"), ("kk", "ltr", "0")] {
                let (token, _) = try await api.sentInvitation(surveyID: survey, externalID: "c-\(locale)", locale: locale)
                let html = try await RespondentBrowser(api).get("/r/\(token)").html
                #expect(html.contains(#"<html lang="\#(locale)" dir="\#(dir)">"#), "\(locale)")
                let values = html.components(separatedBy: #"name="pick" value=""#).dropFirst().map { $0.prefix { $0 != "\"" } }
                #expect(values == (0...10).map { Substring(String($0)) }, "\(locale)")
                #expect(html.contains(#"aria-pressed="false">\#(zero)</button>"#), "\(locale)")
            }
            // Without a contact locale: the browser's Accept-Language, then the survey's default.
            let (token, _) = try await api.sentInvitation(surveyID: survey, externalID: "anon")
            let browser = RespondentBrowser(api)
            browser.acceptLanguage = "fr-CA,fr;q=0.9,en;q=0.5"
            #expect(try await browser.get("/r/\(token)").html.contains(#"lang="fr""#))
        }
    }

    @Test("pages are self-contained, small and locked down: no third-party asset, CSP, no-referrer, under 30 KB with their assets",
          arguments: [TestBackend.sqlite])
    func weightAndHeaders(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey(#"{"name": "R", "product_name": "Acme", "settings": {"questions": [{"id": "role", "type": "rating", "prompt": "Rate the onboarding"}]}}"#)
            let (token, _) = try await api.sentInvitation(surveyID: survey)
            let page = try await RespondentBrowser(api).get("/r/\(token)/9")
            let css = try await api.send(.get, "/assets/page.css", token: "")
            let js = try await api.send(.get, "/assets/page.js", token: "")
            #expect(css.status == .ok && js.status == .ok && css.headers[.eTag] != nil)
            #expect(page.bytes.count + css.bytes.count + js.bytes.count < 30 * 1024)
            #expect(!page.html.contains("http://") && !page.html.contains("https://"))
            let csp = page.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(page.headers[.init("Referrer-Policy")!] == "no-referrer" && page.headers[.cacheControl] == "no-store")
            let notModified = try await api.send(.get, "/assets/page.css", token: "", headers: [.ifNoneMatch: css.headers[.eTag]!])
            #expect(notModified.status == .notModified)
        }
    }
}
