import AdvocateCore
import Foundation
import NPS
import Testing

private let t0 = Timestamp(rfc3339: "2026-11-30T09:00:00Z")!
private let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

@Suite("Scanner detection")
struct ScannerDetectionTests {
    @Test("scanner and preview-bot User-Agents are machines; browsers, including headless ones, are not; no User-Agent is a machine",
          arguments: [
              ("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; BingPreview/1.0b)", true),
              ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.4266; Pro)", true),
              ("Mozilla/5.0 (compatible; Proofpoint URL Defense)", true),
              ("Mimecast-LinkScanner/1.0", true),
              ("Barracuda Sentinel (EE)", true),
              ("curl/8.5.0", true),
              ("python-requests/2.31.0", true),
              ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true),
              ("", true),
              (chrome, false),
              ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36", false),
              ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", false),
          ])
    func userAgents(_ agent: String, _ machine: Bool) {
        #expect(ScannerDetection.isScannerAgent(agent) == machine)
    }

    @Test("a browser's first hit long after delivery shows no signal")
    func person() {
        #expect(ScannerDetection.signals(method: "GET", userAgent: chrome, score: 8, at: t0, earlierHits: [],
                                         deliveredAt: t0.adding(milliseconds: -3_600_000)).isEmpty)
    }

    @Test("HEAD, a different score link within 10 s, and a hit within 15 s of delivery are each signals")
    func signals() {
        #expect(ScannerDetection.signals(method: "HEAD", userAgent: chrome, score: 8, at: t0, earlierHits: [], deliveredAt: nil) == [.head])
        let earlier = [ScoreLinkHit(score: 0, at: t0.adding(milliseconds: -9_999))]
        #expect(ScannerDetection.signals(method: "GET", userAgent: chrome, score: 8, at: t0, earlierHits: earlier, deliveredAt: nil) == [.burst])
        // The same link twice is a person reloading, and 10 s apart is no burst.
        #expect(ScannerDetection.signals(method: "GET", userAgent: chrome, score: 0, at: t0, earlierHits: earlier, deliveredAt: nil).isEmpty)
        let older = [ScoreLinkHit(score: 0, at: t0.adding(milliseconds: -10_000))]
        #expect(ScannerDetection.signals(method: "GET", userAgent: chrome, score: 8, at: t0, earlierHits: older, deliveredAt: nil).isEmpty)
        #expect(ScannerDetection.signals(method: "GET", userAgent: chrome, score: 8, at: t0, earlierHits: [],
                                         deliveredAt: t0.adding(milliseconds: -14_999)) == [.tooSoonAfterDelivery])
        #expect(ScannerDetection.signals(method: "GET", userAgent: chrome, score: 8, at: t0, earlierHits: [],
                                         deliveredAt: t0.adding(milliseconds: -15_000)).isEmpty)
        #expect(ScannerDetection.signals(method: "HEAD", userAgent: "curl/8", score: 8, at: t0, earlierHits: earlier,
                                         deliveredAt: t0) == [.head, .userAgent, .burst, .tooSoonAfterDelivery])
    }
}

@Suite("Widget eligibility")
struct WidgetEligibilityTests {
    var settings: WidgetSettings {
        var s = WidgetSettings()
        s.enabled = true
        s.surveyID = 1
        return s
    }

    @Test("disabled or without a survey: never shown")
    func disabled() {
        #expect(WidgetEligibility.decide(WidgetSettings(), history: WidgetHistory(), event: nil, contactID: 1, now: t0) == .disabled)
        var s = settings
        s.surveyID = nil
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(), event: nil, contactID: 1, now: t0) == .disabled)
        #expect(WidgetEligibility.decide(settings, history: WidgetHistory(), event: nil, contactID: 1, now: t0) == nil)
    }

    @Test("first ask at least 30 days after sign-up, exactly at the boundary")
    func newUsers() {
        let signedUp = t0.adding(days: -30)
        #expect(WidgetEligibility.decide(settings, history: WidgetHistory(signedUpAt: signedUp), event: nil, contactID: 1, now: t0) == nil)
        #expect(WidgetEligibility.decide(settings, history: WidgetHistory(signedUpAt: signedUp), event: nil, contactID: 1,
                                         now: t0.adding(milliseconds: -1)) == .tooNew)
    }

    @Test("90 days after an answer, 30 after a dismissal")
    func resurvey() {
        let answered = WidgetHistory(lastAnsweredAt: t0.adding(days: -89))
        #expect(WidgetEligibility.decide(settings, history: answered, event: nil, contactID: 1, now: t0) == .recentlyAnswered)
        #expect(WidgetEligibility.decide(settings, history: answered, event: nil, contactID: 1, now: t0.adding(days: 1)) == nil)
        let dismissed = WidgetHistory(lastDismissedAt: t0.adding(days: -29))
        #expect(WidgetEligibility.decide(settings, history: dismissed, event: nil, contactID: 1, now: t0) == .recentlyDismissed)
        #expect(WidgetEligibility.decide(settings, history: dismissed, event: nil, contactID: 1, now: t0.adding(days: 1)) == nil)
    }

    @Test("the daily cap counts other people; someone already shown today is shown again")
    func dailyCap() {
        var s = settings
        s.dailyCap = 2
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(othersShownToday: 1), event: nil, contactID: 1, now: t0) == nil)
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(othersShownToday: 2), event: nil, contactID: 1, now: t0) == .dailyCapReached)
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(shownToday: true, othersShownToday: 2), event: nil, contactID: 1, now: t0) == nil)
    }

    @Test("with trigger events, only right after one of them")
    func events() {
        var s = settings
        s.events = ["onboarding_completed"]
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(), event: nil, contactID: 1, now: t0) == .waitingForEvent)
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(), event: "login", contactID: 1, now: t0) == .waitingForEvent)
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(), event: "onboarding_completed", contactID: 1, now: t0) == nil)
    }

    @Test("sampling: stable for a user within a period, near the percentage over many users, all or none at 100 and 0")
    func sampling() {
        let sampled = (1...20_000).filter { WidgetEligibility.isSampled(contactID: Int64($0), percent: 25, periodDays: 90, now: t0) }.count
        #expect((4_700...5_300).contains(sampled))
        for id in Int64(1)...200 {
            let a = WidgetEligibility.isSampled(contactID: id, percent: 25, periodDays: 90, now: t0)
            #expect(a == WidgetEligibility.isSampled(contactID: id, percent: 25, periodDays: 90, now: t0.adding(milliseconds: 1)))
        }
        #expect(WidgetEligibility.isSampled(contactID: 7, percent: 100, periodDays: 90, now: t0))
        #expect(!WidgetEligibility.isSampled(contactID: 7, percent: 0, periodDays: 90, now: t0))
        var s = settings
        s.samplePercent = 0
        #expect(WidgetEligibility.decide(s, history: WidgetHistory(), event: nil, contactID: 1, now: t0) == .notSampled)
    }

    @Test("settings: fields replace, bad values are named, enabling needs a survey")
    func settingsInput() throws {
        let s = try WidgetSettings.decode(try JSONValue.parse(#"{"enabled": true, "survey_id": 3, "sample_percent": 10, "events": ["signup.done"]}"#), over: WidgetSettings())
        #expect(s.enabled && s.surveyID == 3 && s.samplePercent == 10 && s.events == ["signup.done"] && s.resurveyDays == 90)
        #expect(WidgetSettings(stored: s.json.serialized()) == s)
        let bad = try JSONValue.parse(#"{"enabled": true, "sample_percent": 101, "events": ["a b"], "colour": 1}"#)
        do {
            _ = try WidgetSettings.decode(bad, over: WidgetSettings())
            Issue.record("accepted bad settings")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["sample_percent", "events[0]", "colour", "survey_id"])
        }
    }
}

@Suite("Share links and survey settings")
struct ShareLinksAndSettingsTests {
    @Test("share intents percent-encode everything but unreserved characters, in any script")
    func intents() throws {
        let text = "I recommend Acme & co. #NPS 100% + Türkçe/中文"
        let x = ShareLinks.xIntent(text: text, url: "https://acme.example/?a=1&b=2")
        let components = try #require(URLComponents(string: x))
        #expect(components.host == "twitter.com" && components.path == "/intent/tweet")
        #expect(components.queryItems?.first { $0.name == "text" }?.value == text)
        #expect(components.queryItems?.first { $0.name == "url" }?.value == "https://acme.example/?a=1&b=2")
        let linkedIn = try #require(URLComponents(string: ShareLinks.linkedInIntent(text: text, url: "https://acme.example")))
        #expect(linkedIn.queryItems?.first { $0.name == "text" }?.value == text + " https://acme.example")
        #expect(ShareLinks.encodeComponent("a-b_c.d~e f") == "a-b_c.d~e%20f")
    }

    @Test("referral links fill in the contact, URL-encoded")
    func referral() {
        #expect(ShareLinks.referral("https://acme.example/r?u={external_id}&c={contact_id}", externalID: "a b&c", contactID: 42)
                == "https://acme.example/r?u=a%20b%26c&c=42")
        #expect(ShareLinks.referral("https://acme.example/r?u={external_id}", externalID: nil, contactID: nil) == "https://acme.example/r?u=")
    }

    @Test("survey settings: questions, sites and colours are validated with their paths; stored settings round-trip")
    func settings() throws {
        let good = try JSONValue.parse("""
            {"scale_style": "neutral", "brand_color": "#0A66C2", "token_days": 14,
             "questions": [{"id": "role", "type": "single_choice", "prompt": {"en": "Role?", "tr": "Rol?"}, "options": ["Admin", {"en": "User", "tr": "Kullanıcı"}]},
                           {"id": "why", "type": "text", "prompt": "Why?", "category": "detractor"}],
             "review_sites": [{"name": "G2", "url": "https://g2.com/x"}], "referral_url": "https://a.example/r?u={external_id}",
             "share_text": "Try Acme", "share_url": "https://a.example"}
            """)
        let s = try SurveySettings.decode(good, path: "settings", over: SurveySettings())
        #expect(s.scaleStyle == .neutral && s.brandColor == "#0a66c2" && s.tokenDays == 14 && s.questions.count == 2)
        #expect(s.questions(for: .promoter).map(\.id) == ["role"] && s.questions(for: .detractor).map(\.id) == ["role", "why"])
        #expect(s.questions[0].options[1].resolve("tr-TR") == "Kullanıcı" && s.questions[0].options[1].resolve("de") == "User")
        #expect(SurveySettings(stored: s.json.serialized()) == s)
        #expect(s.questions[0].answer(from: "1") == .some(.string("User")))
        #expect(s.questions[0].answer(from: "2") == nil)
        #expect(s.questions[0].answer(from: " ") == .some(nil))

        let bad = try JSONValue.parse("""
            {"scale_style": "rainbow", "brand_color": "red", "token_days": 0,
             "questions": [{"id": "Role!", "type": "single_choice", "prompt": "", "options": ["only one"]}, {"id": "x", "type": "essay", "prompt": "?"}],
             "review_sites": [{"name": "G2", "url": "javascript:alert(1)"}], "referral_url": "ftp://x"}
            """)
        do {
            _ = try SurveySettings.decode(bad, path: "settings", over: SurveySettings())
            Issue.record("accepted bad settings")
        } catch {
            #expect(Set(error.issues.map(\.field)) == [
                "settings.scale_style", "settings.brand_color", "settings.token_days", "settings.questions[0].id",
                "settings.questions[0].prompt", "settings.questions[0].options", "settings.questions[1].type",
                "settings.review_sites[0].url", "settings.referral_url",
            ])
        }
        let six = JSONValue.object(["questions": .array((0..<6).map { .object(["id": .string("q\($0)"), "type": .string("text"), "prompt": .string("?")]) })])
        #expect(throws: ValidationError.self) { try SurveySettings.decode(six, path: "settings", over: SurveySettings()) }
    }
}
