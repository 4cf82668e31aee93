import AdvocateCore
import Foundation
import NPS
import Testing

private func rule(_ text: String, _ language: String? = nil) throws -> ThemeRule {
    try ThemeRule.make(text: text, language: language, field: "rule").get()
}

private func matcher(_ rules: [(Int64, ThemeRule)]) -> ThemeMatcher {
    ThemeMatcher(rules.map { (theme: $0.0, rule: $0.1) })
}

@Suite("Theme rules and matching")
struct ThemeMatchingTests {
    @Test("a Turkish keyword matches in any case and, with *, every ending; İ, I and ı are one letter")
    func turkish() throws {
        let m = matcher([(1, try rule("yavaş*")), (2, try rule("İSTANBUL")), (3, try rule("destek"))])
        #expect(m.themes(of: "Destek çok YAVAŞ", locale: "tr") == [1, 3])
        #expect(m.themes(of: "Uygulama yavaşladı, sonra yavaşlık", locale: nil) == [1])
        #expect(m.themes(of: "ıstanbul'da ofisimiz var", locale: "tr") == [2])
        // A keyword is a whole word: "destekçi" is not "destek" (the rule would say destek*).
        #expect(m.themes(of: "Net Destekçi Puanı", locale: "tr").isEmpty)
    }

    @Test("Arabic: harakat, tatweel and alef forms do not decide a match")
    func arabic() throws {
        let m = matcher([(1, try rule("بطيء")), (2, try rule("أسعار"))])
        #expect(m.themes(of: "الدعم بَطِيء جداً", locale: "ar") == [1])
        #expect(m.themes(of: "الدعم بـطـيء", locale: "ar") == [1])
        #expect(m.themes(of: "اسعار مرتفعة", locale: "ar") == [2])
    }

    @Test("Chinese and Japanese: a keyword matches wherever its characters stand together; one character matches inside")
    func cjk() throws {
        let m = matcher([(1, try rule("响应慢")), (2, try rule("慢")), (3, try rule("サポート"))])
        #expect(m.themes(of: "客服响应慢了！", locale: "zh-Hans") == [1, 2])
        #expect(m.themes(of: "响应很快", locale: "zh").isEmpty)
        #expect(m.themes(of: "太慢", locale: nil) == [2])
        #expect(m.themes(of: "サポートの対応が遅い", locale: "ja") == [3])
    }

    @Test("a phrase matches its words next to each other, in order; * may end any of them")
    func phrases() throws {
        let m = matcher([(1, try rule("slow support")), (2, try rule("служб* поддержки"))])
        #expect(m.themes(of: "Very SLOW support, again.", locale: "en") == [1])
        #expect(m.themes(of: "support is slow", locale: "en").isEmpty)
        #expect(m.themes(of: "Служба поддержки не отвечает", locale: "ru") == [2])
        #expect(m.themes(of: "службу поддержки", locale: "ru") == [2])
    }

    @Test("a rule for one language applies to comments in it, and to comments of unknown language")
    func languages() throws {
        let m = matcher([(1, try rule("kolay", "tr")), (2, try rule("kolay"))])
        #expect(m.themes(of: "çok kolay", locale: "tr-TR") == [1, 2])
        #expect(m.themes(of: "kolay", locale: "en") == [2])
        #expect(m.themes(of: "kolay", locale: nil) == [1, 2])
        #expect(try rule("bom dia", "pt-BR").language == "pt")
    }

    @Test("the seed articles: real Turkish, Kazakh, Chinese and Arabic sentences are matched by rules written in other cases")
    func seeds() throws {
        let m = matcher([(1, try rule("MÜŞTERİ DENEYİMİ*")), (2, try rule("ПРОМОУТЕР*")), (3, try rule("火箭科学")), (4, try rule("sendgrid"))])
        let turkish = try VerbatimSeeds.containing(VerbatimSeeds.turkishTitle)
        let kazakh = try VerbatimSeeds.containing(VerbatimSeeds.kazakhPhrase)
        let chinese = try VerbatimSeeds.containing(VerbatimSeeds.chineseSentence)
        let arabic = try VerbatimSeeds.containing(VerbatimSeeds.arabicPhrase)
        #expect(m.themes(of: VerbatimSeeds.turkishTitle, locale: "tr").contains(1))
        #expect(m.themes(of: turkish, locale: "tr").contains(1))
        #expect(m.themes(of: kazakh, locale: "kk").contains(2))
        #expect(m.themes(of: chinese, locale: "zh").contains(3))
        #expect(m.themes(of: arabic, locale: "ar").contains(4))
        // And none of them mentions the others' words.
        #expect(!m.themes(of: chinese, locale: nil).contains(2) && !m.themes(of: kazakh, locale: nil).contains(3))
    }

    @Test("empty, emoji-only, huge and mixed-script comments: no crash, and only real words match")
    func oddComments() throws {
        let m = matcher([(1, try rule("slow")), (2, try rule("太慢")), (3, try rule("yavaş*"))])
        #expect(m.themes(of: "", locale: nil).isEmpty)
        #expect(m.themes(of: "😡😡👎🏽 !!!", locale: nil).isEmpty)
        let huge = String(repeating: "slow 太慢 yavaşça ", count: 400) + "😡"
        #expect(m.themes(of: huge, locale: "tr") == [1, 2, 3])
        // Without spaces, words still end where the script changes: slow, 太慢, yavaş.
        #expect(m.themes(of: "slow太慢yavaş", locale: nil) == [1, 2, 3])
        #expect(ThemeMatcher([]).themes(of: "slow", locale: nil).isEmpty)
    }

    @Test("invalid rules are refused with a clear reason naming the field")
    func invalidRules() {
        func problem(_ text: String, _ language: String? = nil) -> [ValidationIssue] {
            if case .failure(let e) = ThemeRule.make(text: text, language: language, field: "rules[0]") { e.issues } else { [] }
        }
        #expect(problem("   ").map(\.field) == ["rules[0].text"])
        #expect(problem("😡😡").first?.message.contains("no word to match") == true)
        #expect(problem("*").first?.message.contains("* only at the end") == true)
        #expect(problem("ab*c").first?.message.contains("* only at the end") == true)
        #expect(problem("a*").first?.message.contains("no word to match") == true)  // one letter is no word
        #expect(problem("慢*").first?.message.contains("two letters") == true)
        #expect(problem(String(repeating: "x", count: 101)).first?.message.contains("at most 100") == true)
        #expect(problem("one two three four five six seven eight nine").first?.message.contains("more than 8 words") == true)
        #expect(problem("slow", "english!").map(\.field) == ["rules[0].language"])
        #expect(problem("slow*").isEmpty && problem("客服").isEmpty && problem("ช้า").isEmpty)
    }

    @Test("reading rules from JSON names each bad one; kind follows from the text")
    func readJSON() throws {
        let value = try JSONValue.parse(#"[{"text": "slow"}, {"text": ""}, {"text": "slow support", "kind": "keyword"}, {"txt": "x"}, {"text": "hızlı", "language": "tr", "kind": "keyword"}]"#)
        guard case .failure(let error) = ThemeRule.readList(value, field: "rules") else { Issue.record("accepted"); return }
        #expect(Set(error.issues.map(\.field)) == ["rules[1].text", "rules[2].kind", "rules[3].text", "rules[3].txt"])
        let good = try ThemeRule.readList(JSONValue.parse(#"[{"text": "slow support"}, {"text": "hızlı", "language": "tr"}]"#), field: "rules").get()
        #expect(good.map(\.kind) == [.phrase, .keyword] && ThemeRule.decode(ThemeRule.json(good).serialized()) == good)
    }

    @Test("the editor's one-rule-a-line form: a language before a colon, blank lines skipped, bad lines named")
    func lines() throws {
        let rules = try ThemeRule.parseLines("tr: yavaş*\n\n  slow support \nzh-Hant: 回覆慢\nhttp: like a word").get()
        #expect(rules.map(\.line) == ["tr: yavaş*", "slow support", "zh: 回覆慢", "http: like a word"])
        guard case .failure(let error) = ThemeRule.parseLines("ok\nab*c\n😡") else { Issue.record("accepted"); return }
        #expect(error.issues.map(\.field) == ["rules line 2.text", "rules line 3.text"])
    }
}

@Suite("Starter themes")
struct StarterThemeTests {
    @Test("every rule of the starter set is valid, and every theme has rules in each of the 32 survey languages")
    func complete() throws {
        #expect(StarterThemes.problems.isEmpty, "\(StarterThemes.problems)")
        #expect(StarterThemes.all.count >= 8)
        let languages = Set(Catalog.all.keys.compactMap(ThemeRule.languageCode))
        #expect(languages.count >= 30)
        for theme in StarterThemes.all {
            #expect(Set(theme.rules.compactMap(\.language)).isSuperset(of: languages), "\(theme.name)")
        }
    }

    @Test("it tags real complaints and praise in several languages")
    func tags() throws {
        let ids = Dictionary(uniqueKeysWithValues: StarterThemes.all.enumerated().map { ($1.name, Int64($0)) })
        let m = ThemeMatcher(StarterThemes.all.enumerated().flatMap { i, t in t.rules.map { (theme: Int64(i), rule: $0) } })
        func names(_ text: String, _ locale: String) -> Set<String> {
            Set(m.themes(of: text, locale: locale).compactMap { id in ids.first { $0.value == id }?.key })
        }
        #expect(names("Destek ekibi çok yavaş, fiyatlar da pahalı", "tr").isSuperset(of: ["Support speed", "Performance", "Pricing"]))
        #expect(names("客服响应太慢，价格太贵", "zh-Hans").isSuperset(of: ["Support speed", "Performance", "Pricing"]))
        #expect(names("الدعم بطيء جدا والسعر غالي", "ar").isSuperset(of: ["Support speed", "Performance", "Pricing"]))
        #expect(names("Қолдау қызметі баяу жауап береді", "kk").isSuperset(of: ["Support speed", "Performance"]))
        #expect(names("The documentation is great and setup was easy", "en").isSuperset(of: ["Documentation", "Onboarding", "Ease of use"]))
        #expect(names("アプリがクラッシュする", "ja") == ["Bugs and reliability"])
    }
}

@Suite("Top reasons")
struct TopReasonsTests {
    @Test("recommend: positive impact, largest first; don't: negative impact, most negative first; themes without impact left out")
    func order() {
        let p = Score(10)!, d = Score(0)!
        var responses: [ThemedResponse] = []
        // Theme 1 (praise) on 10 promoters, theme 2 (complaint) on 10 detractors, theme 3 on 2 detractors, theme 4 on everyone.
        for _ in 0..<10 { responses.append(ThemedResponse(score: p, themes: [1, 4])) }
        for _ in 0..<10 { responses.append(ThemedResponse(score: d, themes: [2, 4])) }
        responses[10].themes.insert(3)
        responses[11].themes.insert(3)
        for _ in 0..<20 { responses.append(ThemedResponse(score: Score(8)!, themes: [4])) }
        let reasons = KeyDrivers.topReasons(KeyDrivers.analyse(responses))
        #expect(reasons.recommend.map(\.theme) == [1])
        #expect(reasons.dontRecommend.map(\.theme) == [2, 3])
        // Impact = NPS(all) − NPS(without): all = 0; without theme 2 = 10/30 = 33.3 points.
        #expect(abs(reasons.dontRecommend[0].impact! - (0 - 100.0 / 3)) < 1e-9)
    }
}
