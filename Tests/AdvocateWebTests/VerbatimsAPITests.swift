import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import Testing

@Suite("/api/v1/surveys/{id}/terms")
struct VerbatimsAPITests {
    @Test("detractors' and promoters' distinctive terms, in Turkish and Chinese, with counts and example comments; passives left out",
          arguments: TestBackend.available)
    func terms(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            var answers: [(Int, String)] = []
            for i in 0..<30 {
                answers.append((2, "Destek çok YAVAŞ, fatura hatası \(i)"))
                answers.append((10, "Harika ürün, kurulum kolay \(i)"))
            }
            for _ in 0..<10 {
                answers.append((3, "客服响应太慢"))
                answers.append((9, "产品很好用"))
                answers.append((8, "Destek yavaş ama harika")) // a passive: in neither group
            }
            for (i, (score, comment)) in answers.enumerated() {
                let body = JSONValue.object(["survey_id": .integer(survey), "score": .integer(Int64(score)), "comment": .string(comment),
                                             "contact": .object(["external_id": .string("c\(i)")])])
                #expect(try await api.send(.post, "/api/v1/responses", json: body.serialized()).status == .created)
            }
            let r = try await api.send(.get, "/api/v1/surveys/\(survey)/terms?limit=20&min_z=0")
            #expect(r.status == .ok)
            #expect(r.json["detractor_comments"] == .integer(40) && r.json["promoter_comments"] == .integer(40))
            guard case .array(let detractorTerms)? = r.json["detractor_terms"], case .array(let promoterTerms)? = r.json["promoter_terms"] else {
                Issue.record("no terms"); return
            }
            let worse = detractorTerms.compactMap { if case .string(let t)? = $0["term"] { t } else { nil } }
            let better = promoterTerms.compactMap { if case .string(let t)? = $0["term"] { t } else { nil } }
            // "YAVAŞ" and "yavaş" are one term (terms are match keys: "hatası" reads "hatasi"); Chinese is read in bigrams.
            #expect(worse.contains("yavaş") && worse.contains("destek") && worse.contains("hatasi") && worse.contains("太慢") && !worse.contains("harika"))
            #expect(better.contains("harika") && better.contains("kolay") && better.contains("好用") && !better.contains("yavaş"))
            let yavas = try #require(detractorTerms.first { $0["term"] == .string("yavaş") })
            #expect(yavas["detractor_comments"] == .integer(30) && yavas["promoter_comments"] == .integer(0))
            if case .double(let z)? = yavas["z"] { #expect(z > 1.96) } else { Issue.record("no z") }
            // With the default cut (|z| > 1.96) only the clear ones remain: the 30-comment Turkish terms.
            let clear = try await api.send(.get, "/api/v1/surveys/\(survey)/terms")
            guard case .array(let clearTerms)? = clear.json["detractor_terms"] else { Issue.record("no terms"); return }
            #expect(clearTerms.contains { $0["term"] == .string("yavaş") } && clear.json["min_z"] == .double(1.96))
            guard case .array(let examples)? = yavas["examples"] else { Issue.record("no examples"); return }
            #expect(examples.count == 3 && examples.allSatisfy { if case .string(let c)? = $0["comment"] { c.contains("YAVAŞ") } else { false } })

            // A period without comments, and bad parameters.
            let empty = try await api.send(.get, "/api/v1/surveys/\(survey)/terms?from=2020-01-01&to=2020-12-31")
            #expect(empty.json["detractor_terms"] == .array([]) && empty.json["detractor_comments"] == .integer(0))
            let bad = try await api.send(.get, "/api/v1/surveys/\(survey)/terms?from=2026-12-01&to=2026-11-01&limit=0&min_z=abc&colour=red")
            #expect(bad.status == .badRequest && Set(bad.errorFields) == ["from", "limit", "min_z", "colour"])
            let other = try await api.token(forWorkspace: "globex")
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)/terms", token: other).status == .notFound)
        }
    }
}
