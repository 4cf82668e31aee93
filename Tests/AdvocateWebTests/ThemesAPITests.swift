import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import NPS
import Testing

extension APIHarness {
    /// Records answers straight through the ingest writer (the path every channel takes).
    func record(_ items: [ResponseSubmission]) async throws -> [Int64] {
        try await store.record(workspaceID: workspaceID, items, batch: true).map(\.id)
    }

    /// Runs the queued jobs that apply theme rules to old comments.
    func runRetags() async throws -> Int {
        try await JobRunner(store: store, handlers: [ThemeRetagger(store: store)], configuration: .init(owner: "test")).runDue()
    }

    /// The ids of the themes a response has (applied ones), by name.
    func themeNames(ofResponse id: Int64) async throws -> Set<String> {
        let r = try await send(.get, "/api/v1/responses/\(id)/themes")
        guard case .array(let items)? = r.json["data"] else { return [] }
        return Set(items.compactMap { item in
            if item["applied"] == .bool(true), case .string(let name)? = item["name"] { name } else { nil }
        })
    }
}

private func answer(_ survey: Int64, _ score: Int, _ comment: String?, locale: String? = nil, plan: String? = nil, contact: String) -> ResponseSubmission {
    ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: contact), score: Score(score)!, comment: comment,
                       properties: plan.map { ["plan": .string($0)] } ?? [:], locale: locale)
}

@Suite("/api/v1/themes: themes, rules, tagging at ingest and in the background, hand decisions")
struct ThemesAPITests {
    @Test("rules tag new comments at ingest and old ones through the job runner, with progress; a hand decision survives re-application",
          arguments: TestBackend.available)
    func tagging(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let old = try await api.record([
                answer(survey, 2, "Destek çok YAVAŞ", locale: "tr", contact: "a"),
                answer(survey, 3, "客服响应太慢了", locale: "zh-Hans", contact: "b"),
                answer(survey, 10, "Harika ürün", locale: "tr", contact: "c"),
                answer(survey, 9, nil, contact: "d"),
            ])
            // A theme with rules: old comments are queued for tagging, not yet tagged.
            let created = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Slow support", "rules": [{"text": "yavaş*", "language": "tr"}, {"text": "太慢"}, {"text": "slow support"}]}"#)
            #expect(created.status == .created && created.json["retag"]?["state"] == .string("running") && created.json["retag"]?["total"] == .integer(3))
            guard case .integer(let theme)? = created.json["id"] else { Issue.record("no id"); return }
            #expect(created.headers[.location] == "/api/v1/themes/\(theme)")
            #expect(created.json["rules"]?[0]?["kind"] == .string("keyword") && created.json["rules"]?[2]?["kind"] == .string("phrase"))
            #expect(try await api.themeNames(ofResponse: old[0]).isEmpty)
            #expect(try await api.send(.get, "/api/v1/themes/retag").json["done"] == .integer(0))

            #expect(try await api.runRetags() == 1)
            let progress = try await api.send(.get, "/api/v1/themes/retag")
            #expect(progress.json["state"] == .string("done") && progress.json["done"] == .integer(3) && progress.json["total"] == .integer(3))
            #expect(try await api.themeNames(ofResponse: old[0]) == ["Slow support"])
            #expect(try await api.themeNames(ofResponse: old[1]) == ["Slow support"])
            #expect(try await api.themeNames(ofResponse: old[2]).isEmpty)
            let listed = try await api.send(.get, "/api/v1/responses?theme_id=\(theme)")
            let listedIDs: [JSONValue] = if case .array(let items)? = listed.json["data"] { items.compactMap { $0["id"] } } else { [] }
            #expect(listedIDs == [.integer(old[1]), .integer(old[0])])

            // New comments are tagged in the ingest transaction, in any language the rules have.
            let new = try await api.record([answer(survey, 1, "Very slow support.", locale: "en", contact: "e"),
                                            answer(survey, 4, "yavaş", locale: "en", contact: "f")])
            #expect(try await api.themeNames(ofResponse: new[0]) == ["Slow support"])
            #expect(try await api.themeNames(ofResponse: new[1]).isEmpty)  // a Turkish rule, an English comment

            // By hand: removed from a matching comment, added to one no rule matches.
            let removed = try await api.send(.delete, "/api/v1/responses/\(old[0])/themes/\(theme)")
            #expect(removed.status == .ok && removed.json["data"]?[0]?["origin"] == .string("hand") && removed.json["data"]?[0]?["applied"] == .bool(false)
                    && removed.json["data"]?[0]?["decided_by"] == .string("api"))
            #expect(try await api.send(.put, "/api/v1/responses/\(old[2])/themes/\(theme)").status == .ok)
            #expect(try await api.themeNames(ofResponse: old[0]).isEmpty)
            #expect(try await api.themeNames(ofResponse: old[2]) == ["Slow support"])

            // Changing the rules applies them again to every comment; the hand decisions stay.
            let changed = try await api.send(.patch, "/api/v1/themes/\(theme)", json: #"{"rules": [{"text": "destek"}, {"text": "ürün"}]}"#)
            #expect(changed.status == .ok && changed.json["retag"]?["state"] == .string("running"))
            #expect(try await api.runRetags() == 1)
            #expect(try await api.themeNames(ofResponse: old[0]).isEmpty)  // removed by hand, although "destek" matches
            #expect(try await api.themeNames(ofResponse: old[1]).isEmpty)  // 太慢 is no longer a rule
            #expect(try await api.themeNames(ofResponse: old[2]) == ["Slow support"])
            #expect(try await api.themeNames(ofResponse: new[0]).isEmpty)

            // Editing a comment tags it again.
            #expect(try await api.store.updateResponse(workspaceID: api.workspaceID, id: new[1], score: nil, comment: .some("Destek ekibi"), properties: nil) != nil)
            #expect(try await api.themeNames(ofResponse: new[1]) == ["Slow support"])

            // A rename alone changes no tag and starts no run.
            let renamed = try await api.send(.patch, "/api/v1/themes/\(theme)", json: #"{"name": "Support"}"#)
            #expect(renamed.status == .ok && renamed.json["retag"] == nil && renamed.json["name"] == .string("Support"))
        }
    }

    @Test("rules outdated by a newer change stop; a run resumes from its last committed chunk", arguments: TestBackend.available)
    func supersededRuns(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let ids = try await api.record((0..<(AdvocateStore.retagChunk + 10)).map { answer(survey, $0 % 11, "comment \($0) slow", contact: "c\($0)") })
            let first = try await api.store.createTheme(workspaceID: api.workspaceID, name: "Slow", rules: [try ThemeRule.make(text: "slow", language: nil, field: "").get()])
            guard case .success(let (theme, retag?)) = first else { Issue.record("not created"); return }
            // One chunk, then the rules change: the old run stops at its next step, the new one does the work.
            #expect(try await api.store.continueRetag(id: retag.id))
            #expect(try await api.store.latestRetag(workspaceID: api.workspaceID)?.done == AdvocateStore.retagChunk)
            _ = try await api.store.updateTheme(workspaceID: api.workspaceID, id: theme.id, name: nil, rules: [try ThemeRule.make(text: "comment", language: nil, field: "").get()])
            #expect(try await !api.store.continueRetag(id: retag.id))
            #expect(try await api.runRetags() == 2)
            let latest = try await api.store.latestRetag(workspaceID: api.workspaceID)
            #expect(latest?.state == .done && latest?.done == ids.count && latest?.total == ids.count)
            let list = try await api.send(.get, "/api/v1/themes")
            #expect(list.json["retag"]?["state"] == .string("done"))
            #expect(try await api.themeNames(ofResponse: ids.last!) == ["Slow"])
        }
    }

    @Test("bad input is refused with the field named and changes nothing; names are unique", arguments: TestBackend.available)
    func validation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let bad = try await api.send(.post, "/api/v1/themes", json: #"{"name": "", "rules": [{"text": "ok"}, {"text": "ab*c"}, {"text": "😡"}, {"text": "x", "language": "english!"}], "colour": 1}"#)
            #expect(bad.status == .unprocessableContent && bad.isProblem)
            #expect(Set(bad.errorFields) == ["name", "rules[1].text", "rules[2].text", "rules[3].text", "rules[3].language", "colour"])
            #expect(bad.detail.contains("rules[1].text"))
            let notArray = try await api.send(.post, "/api/v1/themes", json: #"{"name": "X", "rules": "slow"}"#)
            #expect(notArray.status == .unprocessableContent && notArray.errorFields == ["rules"])
            #expect(try await api.send(.get, "/api/v1/themes").json["data"] == .array([]))

            #expect(try await api.send(.post, "/api/v1/themes", json: #"{"name": "Pricing"}"#).status == .created)
            let twice = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Pricing"}"#)
            #expect(twice.status == .conflict && twice.errorFields == ["name"])
            let badRule = try await api.send(.post, "/api/v1/themes/1/rules", json: #"{"text": "*"}"#)
            #expect(badRule.status == .unprocessableContent && badRule.errorFields == ["text"])
            #expect(try await api.send(.get, "/api/v1/themes/999").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/themes?x=1").status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/themes/retag").status == .notFound)
            let preview = try await api.send(.post, "/api/v1/themes/preview", json: #"{}"#)
            #expect(preview.status == .unprocessableContent && preview.errorFields == ["rules"])
        }
    }

    @Test("a workspace never sees or changes another's themes or its responses' themes", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let ids = try await api.record([answer(survey, 2, "slow", contact: "a")])
            let created = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Slow", "rules": [{"text": "slow"}]}"#)
            guard case .integer(let theme)? = created.json["id"] else { Issue.record("no id"); return }
            let other = try await api.token(forWorkspace: "globex")
            #expect(try await api.send(.get, "/api/v1/themes", token: other).json["data"] == .array([]))
            #expect(try await api.send(.get, "/api/v1/themes/\(theme)", token: other).status == .notFound)
            #expect(try await api.send(.patch, "/api/v1/themes/\(theme)", json: #"{"name": "Mine"}"#, token: other).status == .notFound)
            #expect(try await api.send(.post, "/api/v1/themes/\(theme)/rules", json: #"{"text": "fast"}"#, token: other).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/themes/\(theme)", token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/responses/\(ids[0])/themes", token: other).status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/responses/\(ids[0])/themes/\(theme)", token: other).status == .notFound)
            // Their own theme on our response is refused too.
            let theirs = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Theirs"}"#, token: other)
            guard case .integer(let theirTheme)? = theirs.json["id"] else { Issue.record("no id"); return }
            #expect(try await api.send(.put, "/api/v1/responses/\(ids[0])/themes/\(theirTheme)", token: other).status == .notFound)
            #expect(try await api.send(.put, "/api/v1/responses/\(ids[0])/themes/\(theirTheme)").status == .notFound)
            #expect(try await api.send(.get, "/api/v1/themes/retag", token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/surveys/\(survey)/drivers", token: other).status == .notFound)
            #expect(try await api.send(.get, "/api/v1/themes/\(theme)").json["name"] == .string("Slow"))
            #expect(try await api.runRetags() == 1)
            #expect(try await api.themeNames(ofResponse: ids[0]) == ["Slow"])
        }
    }

    @Test("the starter set installs in one call, once; a preview shows what draft rules would match without saving", arguments: TestBackend.available)
    func starterAndPreview(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            _ = try await api.record([answer(survey, 2, "Destek çok yavaş", locale: "tr", contact: "a"),
                                      answer(survey, 10, "<b>Great</b> docs", locale: "en", contact: "b")])
            let installed = try await api.send(.post, "/api/v1/themes/starter")
            guard case .array(let themes)? = installed.json["data"] else { Issue.record("no themes"); return }
            #expect(installed.status == .created && themes.count == StarterThemes.all.count && installed.json["retag"]?["total"] == .integer(2))
            let again = try await api.send(.post, "/api/v1/themes/starter")
            #expect(again.status == .ok && again.json["data"] == .array([]))
            #expect(try await api.runRetags() == 1)

            let preview = try await api.send(.post, "/api/v1/themes/preview", json: #"{"rules": [{"text": "yavaş*", "language": "tr"}, {"text": "docs"}]}"#)
            #expect(preview.status == .ok && preview.json["comments_read"] == .integer(2) && preview.json["matched"] == .integer(2))
            #expect(preview.json["matches"]?[0]?["rules"] == .array([.string("docs")]) && preview.json["matches"]?[0]?["comment"] == .string("<b>Great</b> docs"))
            #expect(try await api.send(.get, "/api/v1/themes").json["data"].map { if case .array(let a) = $0 { a.count } else { 0 } } == StarterThemes.all.count)
        }
    }

    @Test("a distinctive term becomes a rule in one call; adding it twice changes nothing", arguments: TestBackend.available)
    func termToRule(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let created = try await api.send(.post, "/api/v1/themes", json: #"{"name": "Speed"}"#)
            guard case .integer(let theme)? = created.json["id"] else { Issue.record("no id"); return }
            let added = try await api.send(.post, "/api/v1/themes/\(theme)/rules", json: #"{"text": "yavaş", "language": "tr"}"#)
            #expect(added.status == .ok && added.json["rules"] == .array([.object(["text": .string("yavaş"), "language": .string("tr"), "kind": .string("keyword")])]))
            #expect(added.json["retag"]?["state"] == .string("running"))
            let twice = try await api.send(.post, "/api/v1/themes/\(theme)/rules", json: #"{"text": "yavaş", "language": "tr"}"#)
            #expect(twice.status == .ok && twice.json["retag"] == nil)
            #expect(try await api.send(.delete, "/api/v1/themes/\(theme)").status == .noContent)
            #expect(try await api.send(.get, "/api/v1/themes/\(theme)").status == .notFound)
        }
    }
}

/// Generated comments in seven languages with a planted "slow support" theme.
struct PlantedComments {
    struct Language {
        var locale: String
        /// The planted phrase, and the rule that finds it.
        var phrase: String
        var rule: String
        /// The match key the distinctive terms should show.
        var term: String
        /// Words to fill comments with.
        var filler: [String]
    }

    var items: [ResponseSubmission] = []
    /// Whether each item carries the planted phrase.
    var planted: [Bool] = []

    /// Seed words: the real articles' words, without any that could match a planted rule.
    static func words(_ text: String, excluding stems: [String]) -> [String] {
        let words = text.split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count >= 3 }
        let clean = words.filter { w in !stems.contains { TextNormalizer.matchKey(w).contains($0) } }
        return Array(Set(clean)).sorted().prefix(300).map { $0 }
    }

    static func languages() throws -> [Language] {
        let stems = ["yava", "بطي", "баяу", "慢", "遅", "slow", "медлен"]
        // The seed articles (Tests/Fixtures/seeds): real Turkish, Arabic, Kazakh and Chinese.
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/seeds").standardized
        let seeds = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }
            .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        func seed(_ phrase: String) -> String { seeds.first { $0.contains(phrase) } ?? "" }
        let chinese = seed("随便问一个火箭科学家").filter { $0.unicodeScalars.first!.value >= 0x4E00 && $0.unicodeScalars.first!.value <= 0x9FFF && $0 != "慢" }
        return [
            Language(locale: "tr", phrase: "destek çok YAVAŞ", rule: "yavaş*", term: "yavaş", filler: words(seed("Müşteri Deneyiminizi"), excluding: stems)),
            Language(locale: "ar", phrase: "الدعم بَطِيء", rule: "بطيء", term: "بطيء", filler: words(seed("نهج SendGrid"), excluding: stems)),
            Language(locale: "kk", phrase: "қолдау БАЯУ", rule: "баяу*", term: "баяу", filler: words(seed("Промоутердің таза ұпайы"), excluding: stems)),
            Language(locale: "zh", phrase: "客服太慢", rule: "太慢", term: "太慢", filler: stride(from: 0, to: max(0, chinese.count - 4), by: 4).map { i in
                String(Array(chinese)[i..<i + 4]) }),
            Language(locale: "ja", phrase: "サポートが遅い", rule: "遅い", term: "遅い", filler: ["使いやすい", "便利です", "機能が多い", "画面がきれい", "毎日使う"]),
            Language(locale: "en", phrase: "support is SLOW", rule: "slow", term: "slow", filler: ["great", "product", "billing", "dashboard", "export", "team", "reports"]),
            Language(locale: "ru", phrase: "поддержка медленная", rule: "медленн*", term: "медленная", filler: ["отчёты", "удобно", "интерфейс", "экспорт", "команда"]),
        ]
    }

    /// `perLanguage` answers per language: half detractors, four in five of them with the phrase;
    /// the others mostly promoters, one in ten with the phrase too.
    init(survey: Int64, perLanguage: Int, seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for language in try Self.languages() {
            for i in 0..<perLanguage {
                let score = i % 2 == 0 ? Int.random(in: 0...6, using: &random) : [7, 8, 9, 9, 10, 10, 10, 9][Int.random(in: 0..<8, using: &random)]
                let plant = score <= 6 ? Double.random(in: 0..<1, using: &random) < 0.8 : i % 10 == 1
                let separator = language.locale == "zh" || language.locale == "ja" ? "，" : " "
                var parts = (0..<3).map { _ in language.filler.randomElement(using: &random)! }
                if plant { parts.insert(language.phrase, at: Int.random(in: 0...parts.count, using: &random)) }
                items.append(ResponseSubmission(surveyID: survey, contact: ContactInput(externalID: "\(language.locale)-\(i)"), score: Score(score)!,
                                                comment: parts.joined(separator: separator),
                                                properties: ["plan": .string(i % 3 == 0 ? "paid" : "free")], locale: language.locale))
                planted.append(plant)
            }
        }
    }

    /// NPS(all) − NPS(without the phrase), counted here from the generated answers, in points.
    func impact(where include: (ResponseSubmission) -> Bool = { _ in true }) -> Double {
        func nps(_ scores: [Int]) -> Double {
            let promoters = scores.filter { $0 >= 9 }.count, detractors = scores.filter { $0 <= 6 }.count
            return (Double(promoters) - Double(detractors)) * 100 / Double(scores.count)
        }
        let chosen = zip(items, planted).filter { include($0.0) }
        return nps(chosen.map(\.0.score.value)) - nps(chosen.filter { !$0.1 }.map(\.0.score.value))
    }
}

@Suite("/api/v1/surveys/{id}/drivers and terms over generated multilingual comments")
struct DriversAPITests {
    @Test("a planted 'slow support' in seven languages is among the top detractor terms, and its key-driver impact is exactly the one counted here",
          arguments: TestBackend.available)
    func plantedTheme(_ backend: TestBackend) async throws {
        try await withAPI(backend) { api in
            let survey = try await api.createSurvey()
            let generated = try PlantedComments(survey: survey, perLanguage: 100, seed: 6)
            let half = generated.items.count / 2
            _ = try await api.record(Array(generated.items[..<half]))

            // The theme: old comments tagged through the job runner, the rest at ingest.
            let languages = try PlantedComments.languages()
            let rules = JSONValue.array(languages.map { .object(["text": .string($0.rule), "language": .string($0.locale)]) })
            let created = try await api.send(.post, "/api/v1/themes", json: JSONValue.object(["name": .string("Slow support"), "rules": rules]).serialized())
            #expect(created.status == .created)
            #expect(try await api.runRetags() == 1)
            _ = try await api.record(Array(generated.items[half...]))

            // Every language's planted word is among the top detractor terms.
            let terms = try await api.send(.get, "/api/v1/surveys/\(survey)/terms?limit=40&min_z=0")
            guard case .array(let detractorTerms)? = terms.json["detractor_terms"] else { Issue.record("no terms: \(terms.status) \(terms.json)"); return }
            let found = Set(detractorTerms.compactMap { if case .string(let t)? = $0["term"] { t } else { nil } })
            for language in languages {
                #expect(found.contains(TextNormalizer.matchKey(language.term)), "\(language.locale): \(language.term) not in \(found.sorted())")
            }

            let drivers = try await api.send(.get, "/api/v1/surveys/\(survey)/drivers")
            #expect(drivers.status == .ok && drivers.json["commenters"] == .integer(Int64(generated.items.count)))
            guard case .double(let impact)? = drivers.json["drivers"]?[0]?["impact"] else { Issue.record("no impact: \(drivers.json)"); return }
            #expect(abs(impact - generated.impact()) < 1e-9)
            #expect(drivers.json["top_reasons_not_recommend"]?[0]?["theme"] == .string("Slow support"))
            #expect(drivers.json["top_reasons_recommend"] == .array([]))
            #expect(drivers.json["drivers"]?[0]?["significant"] == .bool(true))
            let planted = generated.planted.filter { $0 }.count
            #expect(drivers.json["drivers"]?[0]?["commenters_with"] == .integer(Int64(planted)))

            // Per segment: the Turkish commenters, and the paid plan.
            let turkish = try await api.send(.get, "/api/v1/surveys/\(survey)/drivers?segment=locale:tr")
            guard case .double(let trImpact)? = turkish.json["drivers"]?[0]?["impact"] else { Issue.record("no impact"); return }
            #expect(abs(trImpact - generated.impact { $0.locale == "tr" }) < 1e-9 && turkish.json["segment"] == .string("locale:tr"))
            let paid = try await api.send(.get, "/api/v1/surveys/\(survey)/drivers?segment=plan:paid")
            guard case .double(let paidImpact)? = paid.json["drivers"]?[0]?["impact"] else { Issue.record("no impact"); return }
            #expect(abs(paidImpact - generated.impact { $0.properties["plan"] == .string("paid") }) < 1e-9)
            #expect(paid.json["commenters"] == .integer(Int64(generated.items.filter { $0.properties["plan"] == .string("paid") }.count)))
            let paidTerms = try await api.send(.get, "/api/v1/surveys/\(survey)/terms?segment=plan:paid&min_z=0")
            #expect(paidTerms.json["segment"] == .string("plan:paid")
                    && paidTerms.json["detractor_comments"].map { if case .integer(let n) = $0 { n > 0 && n < Int64(generated.items.count / 2) } else { false } } == true)

            // Bad parameters name themselves.
            let bad = try await api.send(.get, "/api/v1/surveys/\(survey)/drivers?segment=plan&from=2026-12-01&to=2026-01-01&limit=0")
            #expect(bad.status == .badRequest && Set(bad.errorFields) == ["segment", "from", "limit"])
        }
    }
}
