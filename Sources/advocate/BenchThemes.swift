import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation
import NPS

extension BenchCommand {
    /// Verbatim analysis: tagging comments with 50 themes (the starter set and 42 made-up ones),
    /// distinctive terms, and applying changed rules to old comments in the database, over
    /// generated multilingual comments (Turkish, Arabic, Kazakh, Chinese, Japanese, English,
    /// Russian, German, Spanish).
    struct Themes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "themes",
            abstract: "Time tagging N comments with 50 themes on every core, distinctive terms over M comments, and re-tagging R stored comments (use -c release).")

        @Option(help: "Comments to tag in memory.") var comments: Int = 1_000_000
        @Option(help: "Comments to compare for distinctive terms.") var termsComments: Int = 100_000
        @Option(help: "Stored comments to tag again after a rule change (0: skip).") var retagComments: Int = 100_000
        @Option(help: "PostgreSQL URL instead of a temporary SQLite database for the re-tagging run.") var database: String?

        /// Words people write, per language: complaints and praise the starter set knows, and filler it does not.
        static let vocabulary: [(locale: String, words: [String])] = [
            ("tr", ["destek", "çok", "yavaş", "fiyat", "pahalı", "harika", "ürün", "kurulum", "kolay", "hata", "rapor", "ekip", "hızlı", "güzel", "uygulama", "müşteri", "deneyimi", "sorun", "zaman", "her"]),
            ("ar", ["الدعم", "بطيء", "السعر", "غالي", "رائع", "المنتج", "سهل", "مشكلة", "التقارير", "الفريق", "سريع", "جيد", "التطبيق", "العملاء", "الوقت", "كل", "جدا", "خدمة", "ممتاز", "واجهة"]),
            ("kk", ["қолдау", "баяу", "баға", "қымбат", "керемет", "өнім", "оңай", "қате", "есеп", "команда", "жылдам", "жақсы", "қосымша", "клиент", "уақыт", "әр", "өте", "қызмет", "сапа", "жұмыс"]),
            ("zh", ["客服", "响应", "太慢", "价格", "太贵", "很好", "产品", "安装", "简单", "错误", "报表", "团队", "很快", "不错", "应用", "客户", "时间", "每次", "服务", "界面"]),
            ("ja", ["サポート", "対応が遅い", "価格", "高い", "素晴らしい", "製品", "簡単", "エラー", "レポート", "チーム", "速い", "良い", "アプリ", "お客様", "時間", "毎回", "とても", "サービス", "画面", "機能"]),
            ("en", ["support", "slow", "price", "expensive", "great", "product", "setup", "easy", "bug", "reports", "team", "fast", "good", "app", "customer", "time", "every", "very", "service", "interface"]),
            ("ru", ["поддержка", "медленно", "цена", "дорого", "отлично", "продукт", "установка", "просто", "ошибка", "отчёты", "команда", "быстро", "хорошо", "приложение", "клиент", "время", "каждый", "очень", "сервис", "интерфейс"]),
            ("de", ["support", "langsam", "preis", "teuer", "toll", "produkt", "einrichtung", "einfach", "fehler", "berichte", "team", "schnell", "gut", "app", "kunde", "zeit", "jedes", "sehr", "service", "oberfläche"]),
            ("es", ["soporte", "lento", "precio", "caro", "genial", "producto", "instalación", "fácil", "error", "informes", "equipo", "rápido", "bueno", "aplicación", "cliente", "tiempo", "cada", "muy", "servicio", "interfaz"]),
        ]

        /// A comment of 6 to 24 words (CJK without spaces), with its locale and a 0–10 score.
        static func comment(_ random: inout SeededGenerator) -> (text: String, locale: String, score: Score) {
            let (locale, words) = vocabulary.randomElement(using: &random)!
            let parts = (0..<Int.random(in: 6...24, using: &random)).map { _ in words.randomElement(using: &random)! }
            let text = parts.joined(separator: locale == "zh" || locale == "ja" ? "" : " ")
            return (text + (Bool.random(using: &random) ? "!" : "."), locale, Score(Int.random(in: 0...10, using: &random))!)
        }

        /// The starter set and 42 more themes of eight rules each, drawn from the vocabulary
        /// (words, prefixes and two-word phrases, some for one language).
        static func rules() -> [(theme: Int64, rule: ThemeRule)] {
            var random = SeededGenerator(seed: 50)
            var rules: [(theme: Int64, rule: ThemeRule)] = []
            for (i, theme) in StarterThemes.all.enumerated() { rules += theme.rules.map { (Int64(i + 1), $0) } }
            for theme in Int64(StarterThemes.all.count + 1)...50 {
                for _ in 0..<8 {
                    let (locale, words) = vocabulary.randomElement(using: &random)!
                    let word = words.randomElement(using: &random)!
                    let text: String
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0 where word.count > 3: text = String(word.prefix(word.count - 1)) + "*"
                    case 1 where locale != "zh" && locale != "ja": text = word + " " + words.randomElement(using: &random)!
                    default: text = word
                    }
                    if let rule = try? ThemeRule.make(text: text, language: Bool.random(using: &random) ? locale : nil, field: "").get() {
                        rules.append((theme, rule))
                    }
                }
            }
            return rules
        }

        func run() async throws {
            let rules = Self.rules()
            let matcher = ThemeMatcher(rules)
            print("\(Set(rules.map(\.theme)).count) themes, \(rules.count) rules")
            try await tagging(matcher)
            terms()
            if retagComments > 0 { try await retagging(rules) }
        }

        /// Tags in memory on every core: what ingest and re-tagging spend on reading comments.
        func tagging(_ matcher: ThemeMatcher) async throws {
            var random = SeededGenerator(seed: 1)
            let generated = (0..<comments).map { _ in Self.comment(&random) }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let t0 = DispatchTime.now().uptimeNanoseconds
            let tagged = await withTaskGroup(of: Int.self) { group in
                let size = (generated.count + cores - 1) / cores
                for start in stride(from: 0, to: generated.count, by: size) {
                    let slice = generated[start..<min(start + size, generated.count)]
                    group.addTask { slice.reduce(0) { $0 + (matcher.themes(of: $1.text, locale: $1.locale).isEmpty ? 0 : 1) } }
                }
                return await group.reduce(0, +)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            print(String(format: "tagging: %d comments in %.2f s on %d cores (%.0f comments/s); %d have a theme", comments, seconds, cores,
                         Double(comments) / seconds, tagged))
        }

        /// Distinctive terms of one period's comments: tokenising, counting and the log-odds.
        func terms() {
            var random = SeededGenerator(seed: 2)
            let generated = (0..<termsComments).map { i -> CommentTerms.Comment in
                let c = Self.comment(&random)
                return CommentTerms.Comment(responseID: Int64(i), score: c.score, text: c.text)
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let terms = CommentTerms(generated)
            let top = terms.analysis.detractorTerms(limit: 20, minimumZ: DistinctiveTerms.exploratoryZ)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            print(String(format: "distinctive terms: %d comments (%d terms) in %.3f s; %d clear detractor terms", termsComments,
                         terms.analysis.terms.count, seconds, top.count))
        }

        /// Applies changed rules to stored comments as the background job does, chunk by chunk.
        func retagging(_ rules: [(theme: Int64, rule: ThemeRule)]) async throws {
            let dir = NSTemporaryDirectory() + "advocate-bench-themes-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let store = try await AdvocateStore.open(try DatabaseLocation.from(data: dir, database: database))
            do {
                let (ws, _) = try await store.ensureWorkspace(slug: "bench-themes-\(UUID().uuidString.prefix(8).lowercased())")
                let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "Bench", productName: "Bench"))
                var random = SeededGenerator(seed: 3)
                for start in stride(from: 0, to: retagComments, by: 10_000) {
                    let batch = (start..<min(start + 10_000, retagComments)).map { _ in
                        let c = Self.comment(&random)
                        return ResponseSubmission(surveyID: survey.id, contact: nil, score: c.score, comment: c.text, locale: c.locale)
                    }
                    _ = try await store.record(workspaceID: ws.id, batch, batch: true)
                }
                var byTheme: [Int64: [ThemeRule]] = [:]
                for (theme, rule) in rules { byTheme[theme, default: []].append(rule) }
                var retag: ThemeRetag?
                for theme in byTheme.keys.sorted() {
                    if case .success(let (_, started)) = try await store.createTheme(workspaceID: ws.id, name: "Theme \(theme)", rules: byTheme[theme]!) {
                        retag = started
                    }
                }
                guard let retag else { return }
                let t0 = DispatchTime.now().uptimeNanoseconds
                while try await store.continueRetag(id: retag.id) {}
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                print(String(format: "re-tagging: %d stored comments with 50 themes in %.2f s (%.0f comments/s, %d per transaction; %@)",
                             retagComments, seconds, Double(retagComments) / seconds, AdvocateStore.retagChunk, String(describing: store.database.dialect)))
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }
}
