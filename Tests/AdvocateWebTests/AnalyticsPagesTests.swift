import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Hummingbird
import NPS
import Testing

@Suite("Dashboard analytics: several filters, overview filters, outcomes and calculators")
struct AnalyticsPagesTests {
    /// 80 answers over the last 60 days: plan paid/free × country TR/DE × channel api/email,
    /// paid mostly promoters, free mostly detractors.
    static func seed(_ api: APIHarness, survey: Int64) async throws -> [(plan: String, country: String, channel: Channel, score: Int)] {
        var rows: [(plan: String, country: String, channel: Channel, score: Int)] = []
        var batch: [ResponseSubmission] = []
        let now = api.clock.now()
        for n in 0..<80 {
            let plan = n % 2 == 0 ? "paid" : "free", country = n % 4 < 2 ? "TR" : "DE"
            let channel: Channel = n % 3 == 0 ? .email : .api
            let score = plan == "paid" ? (n % 10 == 0 ? 5 : 10) : (n % 5 == 1 ? 9 : 2)
            rows.append((plan, country, channel, score))
            batch.append(ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "c\(n)", properties: ["plan": .string(plan), "country": .string(country)]),
                                            score: Score(score)!, createdAt: now.adding(days: -(n % 60)), channel: channel, locale: n % 2 == 0 ? "tr" : "en"))
        }
        _ = try await api.store.record(workspaceID: api.workspaceID, batch, batch: true)
        return rows
    }

    @Test("segments combine (AND across names, OR within one) with channel and language, everywhere on the report, and stay in the links", arguments: TestBackend.available)
    func severalFilters(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let rows = try await Self.seed(api, survey: survey)
            let browser = try await api.signedIn("owner@example.test", role: .owner)
            func n(_ keep: ((plan: String, country: String, channel: Channel, score: Int)) -> Bool) -> Int { rows.filter(keep).count }

            let paidTR = try await browser.get("/app/surveys/\(survey)?segment=plan%3Apaid&segment=country%3ATR&by=channel")
            #expect(paidTR.status == .ok)
            #expect(paidTR.html.contains("n = \(n { $0.plan == "paid" && $0.country == "TR" })"))
            #expect(paidTR.html.contains("country:TR, plan:paid"))
            // The breakdown rows drill in keeping the filter.
            #expect(paidTR.html.contains("segment=channel%3Aemail&amp;segment=country%3ATR&amp;segment=plan%3Apaid"))

            let either = try await browser.get("/app/surveys/\(survey)?segment=plan%3Apaid&segment=plan%3Afree&channel=email")
            #expect(either.html.contains("n = \(n { $0.channel == .email })"))
            let plain = try await browser.get("/app/surveys/\(survey)")
            #expect(!plain.html.contains("Clear the filters") && plain.html.contains("n = 80"), "no filter, nothing said about one")
            let both = try await browser.get("/app/surveys/\(survey)?language=tr,en")
            #expect(both.html.contains("n = 80") && both.html.contains(#"name="language" value="en,tr""#))
            let turkish = try await browser.get("/app/surveys/\(survey)?language=tr&segment=country%3ADE")
            #expect(turkish.html.contains("n = \(n { $0.plan == "paid" && $0.country == "DE" })"), "the Turkish answers are the paid ones")

            let overview = try await browser.get("/app?segment=plan%3Afree")
            #expect(overview.status == .ok && overview.html.contains("only plan:free"))
            #expect(overview.html.contains("<td>\(n { $0.plan == "free" })</td>"))
            #expect(overview.html.contains("/app/surveys/\(survey)?from=") && overview.html.contains("&amp;segment=plan%3Afree"))
        }
    }

    @Test("malformed filters and dates are a 400 page that says what is wrong, never a 500", arguments: TestBackend.available)
    func badFilters(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let browser = try await api.signedIn("owner@example.test", role: .owner)
            for (query, message) in [("segment=plan", "NAME:VALUE"), ("segment=%3Apaid", "NAME:VALUE"), ("channel=fax", "must be one of"),
                                     ("language=%3Cscript%3E", "language tag"), ("campaign_id=abc", "must be an integer"),
                                     ("from=2026-02-30", "must be a date"), ("from=2026-11-01&to=2026-10-01", "must not be after"),
                                     ("segment=a:b" + String(repeating: "&segment=a:b", count: 25), "at most 20")] {
                for path in ["/app", "/app/surveys/\(survey)"] {
                    let page = try await browser.get("\(path)?\(query)")
                    #expect(page.status == .badRequest, "\(path)?\(query)")
                    #expect(page.html.contains(message), "\(path)?\(query)")
                    #expect(!page.html.contains("<script>"), "\(path)?\(query)")
                }
            }
            let api400 = try await api.send(.get, "/api/v1/surveys/\(survey)/report?segment=plan&channel=fax")
            #expect(api400.status == .badRequest && Set(api400.errorFields) == ["segment", "channel"])
        }
    }

    @Test("the API report takes the same filters", arguments: TestBackend.available)
    func apiFilters(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let rows = try await Self.seed(api, survey: survey)
            let r = try await api.send(.get, "/api/v1/surveys/\(survey)/report?segment=plan:free&segment=country:DE&channel=api&by=country")
            #expect(r.status == .ok)
            #expect(r.json["responses"] == .integer(Int64(rows.filter { $0.plan == "free" && $0.country == "DE" && $0.channel == .api }.count)))
            #expect(r.json["filter"] == .string("channel:api, country:DE, plan:free"))
        }
    }

    @Test("churn by category after 90 and 180 days, the calculators from the URL and from contact data, bad figures named; another workspace's contacts never count", arguments: TestBackend.available)
    func outcomes(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let now = api.clock.now()
            var batch: [ResponseSubmission] = []
            // 10 detractors of whom 4 churned 30 days after answering, 10 promoters of whom 1 did; all answered 200 days ago.
            for i in 0..<20 {
                let detractor = i < 10
                let churned = detractor ? i < 4 : i == 10
                var properties: Properties = ["mrr": .integer(detractor ? 50 : 150), "signed_up_at": .string("2024-01-01")]
                if churned { properties["churned_at"] = .string(Timestamp(milliseconds: now.adding(days: -170).milliseconds).rfc3339) }
                batch.append(ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "k\(i)", properties: properties),
                                                score: Score(detractor ? 3 : 10)!, createdAt: now.adding(days: -200)))
            }
            _ = try await api.store.record(workspaceID: api.workspaceID, batch, batch: true)
            let otherToken = try await api.token(forWorkspace: "globex")
            let theirs = try await api.createSurvey(token: otherToken)
            let globex = #"{"survey_id": \#(theirs), "score": 0, "created_at": "2026-01-01T00:00:00Z", "contact": {"external_id": "g1", "properties": {"churned_at": "2026-02-01", "mrr": 99999}}}"#
            #expect(try await api.send(.post, "/api/v1/responses", json: globex, token: otherToken).status == .created)

            let browser = try await api.signedIn("owner@example.test", role: .viewer)
            let page = try await browser.get("/app/outcomes?survey_id=\(survey)")
            #expect(page.status == .ok)
            #expect(page.html.contains("<h3>Within 90 days</h3>") && page.html.contains("<h3>Within 180 days</h3>"))
            #expect(page.html.contains(#"<th scope="row">Detractors</th><td>10</td><td>4</td><td>40.0%"#))
            #expect(page.html.contains(#"<th scope="row">Promoters</th><td>10</td><td>1</td><td>10.0%"#))
            #expect(!page.html.contains("99999") && !page.html.contains("<td>11</td>"), "globex's contact is not ours")
            // Defaults from the contacts: 5 had left before the last 30 days, so 15 customers at its
            // start, none lost since; 6 at 50 and 9 at 150 a month is 110 on average.
            #expect(page.html.contains(#"name="customers" value="15""#) && page.html.contains(#"name="lost" value="0""#))
            #expect(page.html.contains(#"name="revenue" value="110""#))

            let calc = try await browser.get("/app/outcomes?customers=100&lost=5&spend=1000&won=10&revenue=50&margin=80")
            #expect(calc.status == .ok)
            #expect(calc.html.contains(#"<dd id="churn-rate">5.00%</dd>"#) && calc.html.contains(#"<dd id="cac">100.00</dd>"#))
            #expect(calc.html.contains(#"<dd id="clv">800.00</dd>"#) && calc.html.contains(#"<dd id="ratio">8.0 to 1</dd>"#))
            let bad = try await browser.get("/app/outcomes?customers=lots&margin=140&won=0&spend=10")
            #expect(bad.status == .badRequest)
            #expect(bad.html.contains("&quot;lots&quot; is not a number") && bad.html.contains("&quot;140&quot; is not a number from 0 to 100"))
            #expect(bad.html.contains("needs the spend and new customers"))
            #expect(try await browser.get("/app/outcomes?survey_id=\(theirs)").status == .notFound)
        }
    }
}
