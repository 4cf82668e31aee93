import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("/metrics and /readyz")
struct OperationsTests {
    @Test("the exposition format: help and type once, sorted labels with escaped values, cumulative histogram buckets")
    func exposition() {
        let m = Metrics()
        m.describe("t_requests_total", .counter, "Requests.\nAll of them.")
        m.increment("t_requests_total", ["status": "200", "route": "/a"])
        m.increment("t_requests_total", ["status": "200", "route": "/a"], by: 2)
        m.increment("t_requests_total", ["route": "/\"b\"\\\n"])
        m.observe("t_seconds", ["route": "/a"], 0.003)
        m.observe("t_seconds", ["route": "/a"], 0.2)
        m.observe("t_seconds", ["route": "/a"], 60)
        let text = m.exposition()
        #expect(text.contains("# HELP t_requests_total Requests.\\nAll of them.\n# TYPE t_requests_total counter\n"))
        #expect(text.contains(#"t_requests_total{route="/a",status="200"} 3"#))
        #expect(text.contains(#"t_requests_total{route="/\"b\"\\\n"} 1"#))
        #expect(text.contains(#"t_seconds_bucket{le="0.001",route="/a"} 0"#))
        #expect(text.contains(#"t_seconds_bucket{le="0.005",route="/a"} 1"#))
        #expect(text.contains(#"t_seconds_bucket{le="0.25",route="/a"} 2"#))
        #expect(text.contains(#"t_seconds_bucket{le="10",route="/a"} 2"#))
        #expect(text.contains(#"t_seconds_bucket{le="+Inf",route="/a"} 3"#))
        #expect(text.contains(#"t_seconds_count{route="/a"} 3"#))
    }

    @Test("requests are counted by route pattern (never the path), answers recorded and the job queue shown; /readyz answers when the database does")
    func endpoints() async throws {
        // Its own registry for HTTP: other tests run at the same time and count into the shared one.
        let metrics = Metrics()
        try await withAPI(.sqlite, metrics: metrics) { api in
            let survey = try await api.createSurvey()
            let labels = ["method": "POST", "route": "/api/v1/responses", "status": "201"]
            let before = metrics.value("advocate_http_requests_total", labels)
            let recorded = Metrics.shared.value("advocate_responses_recorded_total", ["outcome": "created"])
            for score in [9, 3] {
                _ = try await api.send(.post, "/api/v1/responses", json: #"{"survey_id": \#(survey), "score": \#(score)}"#)
            }
            _ = try await api.send(.get, "/api/v1/surveys/\(survey)")
            #expect(metrics.value("advocate_http_requests_total", labels) == before + 2)
            // The ingest writer counts into the process's registry, which other tests share.
            #expect(Metrics.shared.value("advocate_responses_recorded_total", ["outcome": "created"]) >= recorded + 2)
            _ = try await api.send(.post, "/api/v1/surveys/\(survey)/invitations", json: #"{"contacts": [{"email": "a@example.test"}], "channel": "email"}"#)
            let r = try await api.send(.get, "/metrics", token: "")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(decoding: r.bytes, as: UTF8.self)
            #expect(text.contains("# TYPE advocate_http_requests_total counter"))
            #expect(text.contains(#"advocate_http_requests_total{method="GET",route="/api/v1/surveys/{id}",status="200"}"#))
            #expect(!text.contains("/api/v1/surveys/\(survey)\""), "ids never become labels")
            #expect(text.contains(#"advocate_http_request_duration_seconds_bucket{le="+Inf",route="/api/v1/responses"}"#))
            #expect(text.contains(#"advocate_jobs{state="queued"} 1"#))
            let ready = try await api.send(.get, "/readyz", token: "")
            #expect(ready.status == .ok && ready.json["status"] == .string("ready"))
        }
    }

    @Test("every answer carries X-Request-Id: a sane one from a proxy is kept, anything else is replaced by the server's own")
    func requestIDs() async throws {
        try await withAPI(.sqlite) { api in
            let own = try await api.send(.get, "/healthz", token: "")
            let generated = try #require(own.headers[HTTPField.Name("X-Request-Id")!])
            #expect(generated.count >= 16 && generated.allSatisfy(\.isHexDigit))
            let other = try await api.send(.get, "/api/v1/surveys")
            #expect(other.headers[HTTPField.Name("X-Request-Id")!] != generated, "each request has its own")

            let kept = try await api.send(.get, "/healthz", token: "", headers: [HTTPField.Name("X-Request-Id")!: "lb-7f3a.42_x"])
            #expect(kept.headers[HTTPField.Name("X-Request-Id")!] == "lb-7f3a.42_x")
            for insane in ["has space", "new\nline", String(repeating: "a", count: 129), "ünicode", "<script>"] {
                let replaced = try await api.send(.get, "/healthz", token: "", headers: [HTTPField.Name("X-Request-Id")!: insane])
                let id = replaced.headers[HTTPField.Name("X-Request-Id")!]
                #expect(id != nil && id != insane && id!.allSatisfy(\.isHexDigit), "\(insane.debugDescription) → \(id ?? "none")")
            }
            let problem = try await api.send(.get, "/api/v1/surveys/999999")
            #expect(problem.status == .notFound && problem.headers[HTTPField.Name("X-Request-Id")!] != nil, "errors carry it too")
        }
    }

    @Test("behind TLS every answer carries HSTS, without TLS none does; nosniff always, errors included")
    func transportSecurity() async throws {
        try await withTestStore(.sqlite) { store, _ in
            for (publicURL, hsts) in [("https://nps.example.com", true), ("http://localhost:8080", false)] {
                let app = Application(router: buildRouter(store: store, publicURL: publicURL), logger: quietLogger)
                try await app.test(.router) { client in
                    for path in ["/healthz", "/api/v1/surveys", "/nowhere"] {
                        try await client.execute(uri: path, method: .get) { response in
                            #expect((response.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000; includeSubDomains") == hsts,
                                    "\(publicURL) \(path)")
                            #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(publicURL) \(path)")
                        }
                    }
                }
            }
        }
    }
}
