import Foundation
import AdvocateStore
import AdvocateCore
import AdvocateTestSupport
import Hummingbird
import NPS
import Testing

@Suite("/api/v1/surveys/{id}/report")
struct ReportAPITests {
    /// Posts one answer per (score, day, plan) through the API.
    static func seed(_ api: APIHarness, survey: Int64, _ answers: [(score: Int, at: String, plan: String)]) async throws {
        let items = answers.enumerated().map { i, a in
            #"{"survey_id": \#(survey), "contact": {"external_id": "r\#(i)", "properties": {"plan": "\#(a.plan)"}}, "score": \#(a.score), "created_at": "\#(a.at)"}"#
        }
        let r = try await api.send(.post, "/api/v1/responses/batch", json: #"{"responses": [\#(items.joined(separator: ","))]}"#)
        #expect(r.status == .created)
    }

    @Test("the report has every documented field, with nps and bounds unrounded on −100…100", arguments: TestBackend.available)
    func shape(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            var answers: [(score: Int, at: String, plan: String)] = []
            for i in 0..<37 { answers.append((score: [10, 9, 9, 8, 7, 6, 3][i % 7], at: "2026-11-0\(2 + i % 3)T12:00:00Z", plan: i % 2 == 0 ? "pro" : "free")) }
            try await Self.seed(api, survey: survey, answers)

            let r = try await api.send(.get, "/api/v1/surveys/\(survey)/report?interval=day&by=plan")
            #expect(r.status == .ok)
            let json = r.json
            var tally = Tally.empty
            for a in answers { tally.add(Score(a.score)!) }
            #expect(json["responses"] == .integer(37))
            #expect(json["promoters"] == .integer(Int64(tally.promoters)))
            #expect(json["passives"] == .integer(Int64(tally.passives)))
            #expect(json["detractors"] == .integer(Int64(tally.detractors)))
            #expect(json["nps"] == .double(tally.nps!))
            let expected = tally.interval()!
            #expect(json["interval"]?["low"] == .double(expected.low))
            #expect(json["interval"]?["high"] == .double(expected.high))
            #expect(json["interval"]?["level"] == .double(0.95))
            #expect(json["interval"]?["method"] == .string("adjusted_wald"))
            #expect(json["band"] == .string(Band(nps: tally.nps!).rawValue))

            guard case .array(let trend)? = json["trend"] else { Issue.record("no trend"); return }
            #expect(trend.map { $0["start"] } == [.string("2026-11-02"), .string("2026-11-03"), .string("2026-11-04")])
            #expect(trend.map { $0["responses"] } == [.integer(13), .integer(12), .integer(12)])
            #expect(trend[0]["change_significant"] == .null)
            for point in trend.dropFirst() {
                guard case .bool? = point["change_significant"] else { Issue.record("change_significant is not a boolean: \(point)"); continue }
            }
            for point in trend { #expect(point["interval"]?["low"] != nil) }

            guard case .array(let breakdown)? = json["breakdown"] else { Issue.record("no breakdown"); return }
            #expect(Set(breakdown.compactMap { if case .string(let v)? = $0["value"] { v } else { nil } }) == ["pro", "free"])
            for row in breakdown {
                let plan = row["value"] == .string("pro") ? "pro" : "free"
                var t = Tally.empty
                for a in answers where a.plan == plan { t.add(Score(a.score)!) }
                #expect(row["responses"] == .integer(Int64(t.n)))
                #expect(row["nps"] == .double(t.nps!))
                #expect(row["interval"]?["low"] == .double(t.interval()!.low))
            }
        }
    }

    @Test("bounds are clipped to ±100 and a small sample is marked", arguments: TestBackend.available)
    func clippedBounds(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            try await Self.seed(api, survey: survey, (0..<10).map { _ in (score: 10, at: "2026-11-10T10:00:00Z", plan: "pro") })
            let json = try await api.send(.get, "/api/v1/surveys/\(survey)/report?method=wald").json
            #expect(json["nps"] == .double(100))
            #expect(json["interval"]?["high"] == .double(100))
            #expect(json["interval"]?["method"] == .string("wald"))
            #expect(json["small_sample"] == .bool(true))
            let adjusted = try await api.send(.get, "/api/v1/surveys/\(survey)/report").json
            #expect(adjusted["interval"]?["high"] == .double(100))
        }
    }

    @Test("an empty survey reports zero responses and null statistics", arguments: TestBackend.available)
    func empty(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let json = try await api.send(.get, "/api/v1/surveys/\(survey)/report").json
            #expect(json["responses"] == .integer(0))
            #expect(json["nps"] == .null)
            #expect(json["interval"] == .null)
            #expect(json["band"] == .null)
            #expect(json["trend"] == .array([]))
        }
    }

    @Test("from and to limit every figure to the range, by the survey's calendar days", arguments: TestBackend.available)
    func range(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            api.clock.set(Timestamp(rfc3339: "2026-12-15T09:00:00Z")!)
            let survey = try await api.createSurvey()
            try await Self.seed(api, survey: survey, [
                (score: 0, at: "2026-10-31T23:00:00Z", plan: "pro"),
                (score: 10, at: "2026-11-01T00:00:00Z", plan: "pro"),
                (score: 9, at: "2026-11-30T23:59:59Z", plan: "free"),
                (score: 1, at: "2026-12-01T00:00:00Z", plan: "free"),
            ])
            let r = try await api.send(.get, "/api/v1/surveys/\(survey)/report?from=2026-11-01&to=2026-11-30&interval=month")
            #expect(r.json["responses"] == .integer(2))
            #expect(r.json["nps"] == .double(100))
            #expect(r.json["from"] == .string("2026-11-01"))
            guard case .array(let trend)? = r.json["trend"] else { Issue.record("no trend"); return }
            #expect(trend.map { $0["start"] } == [.string("2026-11-01")])
        }
    }

    @Test("wrong report parameters are 400 naming each", arguments: TestBackend.available)
    func badParameters(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            for (query, fields) in [("interval=year", ["interval"]), ("method=bayes", ["method"]), ("from=2026-11-30&to=2026-11-01", ["from"]),
                                    ("from=30.11.2026", ["from"]), ("by=", ["by"]), ("segment=plan", ["segment"]),
                                    ("interval=year&method=x", ["interval", "method"])] {
                let r = try await api.send(.get, "/api/v1/surveys/\(survey)/report?\(query)")
                #expect(r.status == .badRequest, "\(query)")
                #expect(r.isProblem)
                #expect(Set(r.errorFields) == Set(fields), "\(query)")
            }
            #expect(try await api.send(.get, "/api/v1/surveys/987654/report").status == .notFound)
        }
    }

    @Test("breakdown by channel and by a property nobody has", arguments: TestBackend.available)
    func breakdownDimensions(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            for (score, channel) in [(10, "email"), (2, "email"), (9, "link")] {
                _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": \#(score), "channel": "\#(channel)"}"#)
            }
            let byChannel = try await api.send(.get, "/api/v1/surveys/\(survey)/report?by=channel").json
            guard case .array(let rows)? = byChannel["breakdown"] else { Issue.record("no breakdown"); return }
            #expect(rows.map { $0["value"] } == [.string("email"), .string("link")])
            #expect(rows.map { $0["responses"] } == [.integer(2), .integer(1)])
            let none = try await api.send(.get, "/api/v1/surveys/\(survey)/report?by=industry").json
            #expect(none["breakdown"] == .array([]))
            #expect(none["responses"] == .integer(3))
        }
    }
}
