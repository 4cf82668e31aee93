@testable import AdvocateCore
import Foundation
import NPS
import Testing

/// Seeded random text mixing the scripts comments come in and the scalars that make reading them
/// hard: emoji (with skin tones and ZWJ), combining marks, Turkish İ/ı, Arabic with harakat,
/// tatweel and hamza forms, Kazakh Cyrillic, full-width forms and ligatures, CJK, kana with
/// separate voicing marks, Hangul syllables and jamo, Thai, Devanagari, Greek and more.
enum MixedText {
    static let palettes: [[UInt32]] = [
        Array(0x20...0x7E),
        [0x130, 0x131, 0x49, 0x69, 0xC7, 0xE7, 0x15E, 0x15F, 0x11E, 0x11F, 0xD6, 0xF6, 0xDC, 0xFC, 0xDF, 0x1E9E],
        Array(0x621...0x64A), Array(0x64B...0x652) + [0x670, 0x640, 0x622, 0x623, 0x625, 0x629, 0x649, 0x654, 0x655, 0x660, 0x6F1],
        Array(0x410...0x44F) + [0x492, 0x493, 0x49A, 0x49B, 0x4A2, 0x4A3, 0x4E8, 0x4E9, 0x4B0, 0x4B1, 0x4AE, 0x4AF, 0x4BA, 0x4BB, 0x456, 0x406],
        Array(0x4E00...0x4E40), Array(0x3041...0x3096), Array(0x30A1...0x30FC) + [0x3099, 0x309A, 0x3001, 0x3002, 0xFF0C, 0x30FB, 0xFF76, 0xFF9E],
        Array(0xAC00...0xAC20) + [0x1100, 0x1161, 0x11A8, 0x3131],
        Array(0xE01...0xE3A) + Array(0xE40...0xE4E),
        Array(0xFF01...0xFF5E) + [0xFB01, 0xFB00, 0x2126, 0x212B, 0x1E9B, 0x1F0, 0x390, 0x3A3, 0x3C2, 0x3C3, 0x132, 0x149, 0x17F],
        [0x301, 0x300, 0x308, 0x307, 0x323, 0x200D, 0x200C, 0xFE0F, 0x1F3FD, 0x1F600, 0x1F621, 0x1F44E, 0x2764, 0x1F1F9, 0x1F1F7, 0x1F468, 0x1F469],
        [0x915, 0x94D, 0x937, 0x93F, 0x940, 0x902, 0x600, 0xA, 0xD, 0x9, 0x2028, 0xA0, 0x3000, 0x5F, 0x2D, 0x27, 0xAD, 0x2060],
        [0x5D0, 0x5D1, 0x5B8, 0x5BC, 0x10D0, 0x1C90, 0x1F08, 0x1F80, 0x1FB3, 0x345, 0xAB, 0x2160, 0x2460, 0x24B6, 0x1D400, 0x20000, 0xE000, 0x378],
    ]

    /// `count` texts of up to 24 scalars, mostly from one palette, with spaces between some.
    static func samples(count: Int, seed: UInt64) -> [String] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var scalars = String.UnicodeScalarView()
            let palette = palettes.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 0...24, using: &random) {
                let from = Int.random(in: 0..<10, using: &random) < 7 ? palette : palettes.randomElement(using: &random)!
                scalars.append(Unicode.Scalar(from.randomElement(using: &random)!)!)
                if Int.random(in: 0..<6, using: &random) == 0 { scalars.append(" ") }
            }
            return String(scalars)
        }
    }

    /// The seed articles, whole and line by line (lines are the size of comments).
    static func seedTexts() throws -> [String] {
        let seeds = try VerbatimSeeds.all()
        return seeds + seeds.flatMap { $0.split(whereSeparator: \.isNewline).map(String.init) }
    }
}

private func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }
private func hex(_ text: String) -> String { text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ") }

@Suite("Fast text road against the reference")
struct FastTextTests {
    @Test("match keys of the seeds, their lines and mixed-script text are the reference's, code point for code point")
    func matchKeys() throws {
        let texts = try MixedText.seedTexts() + MixedText.samples(count: 20_000, seed: 7)
        var fast = 0
        for text in texts {
            if FastText.matchKey(text) != nil { fast += 1 }
            let key = TextNormalizer.matchKey(text)
            let reference = ReferenceText.matchKey(text)
            #expect(scalars(key) == scalars(reference), "\(hex(text))")
        }
        // Both roads are taken: most plain text is fast, marks and compatibility forms are not.
        #expect(fast > texts.count / 5 && fast < texts.count)
    }

    @Test("features of the same texts are the reference's, in order, code point for code point")
    func features() throws {
        let texts = try MixedText.seedTexts() + MixedText.samples(count: 20_000, seed: 8)
        var fast = 0
        for text in texts {
            let key = ReferenceText.matchKey(text)
            var ranges: [Range<Int>] = []
            var copy = key
            if copy.withUTF8({ FastText.features($0, into: &ranges) }) { fast += 1 }
            #expect(Tokenizer.tokens(key).map(scalars) == ReferenceText.tokens(key).map(scalars), "\(hex(key))")
            #expect(Tokenizer.features(of: text) == Set(ReferenceText.tokens(key)))
        }
        #expect(fast > texts.count / 5 && fast < texts.count)
    }

    @Test("themes: a matcher of the starter set and rules made from the texts' own words tags like the reference")
    func themes() throws {
        let texts = try MixedText.seedTexts() + MixedText.samples(count: 5_000, seed: 9)
        var random = SeededGenerator(seed: 10)
        var rules: [(theme: Int64, rule: ThemeRule)] = StarterThemes.all.enumerated().flatMap { i, theme in
            theme.rules.map { (theme: Int64(i + 1), rule: $0) }
        }
        let languages: [String?] = [nil, "tr", "ar", "kk", "zh", "ja", "th", "hi", "en"]
        for text in texts.shuffled(using: &random).prefix(600) {
            let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let word = words.randomElement(using: &random) else { continue }
            let candidates = [word, String(word.prefix(3)) + "*", words.prefix(2).joined(separator: " "), String(word.prefix(1))]
            let language = languages.randomElement(using: &random)!
            for candidate in candidates {
                if let rule = try? ThemeRule.make(text: candidate, language: language, field: "").get() {
                    rules.append((theme: Int64.random(in: 20...60, using: &random), rule: rule))
                }
            }
        }
        let matcher = ThemeMatcher(rules)
        var tagged = 0
        for text in texts {
            for locale in [nil, "tr-TR", "ar", "zh-Hans", "th", "hi", "en"] {
                let themes = matcher.themes(of: text, locale: locale)
                #expect(themes == matcher.referenceThemes(of: text, locale: locale), "\(hex(text)) \(locale ?? "-")")
                if !themes.isEmpty { tagged += 1 }
            }
        }
        #expect(tagged > texts.count)
    }

    @Test("distinctive terms and their examples are the reference's, counts and z-scores exactly")
    func distinctiveTerms() throws {
        var random = SeededGenerator(seed: 11)
        let texts = try MixedText.seedTexts() + MixedText.samples(count: 5_000, seed: 12)
        let comments = texts.enumerated().map { i, text in
            CommentTerms.Comment(responseID: Int64(i), score: Score(Int.random(in: 0...10, using: &random))!, text: text)
        }
        let terms = CommentTerms(comments)
        let features = { (c: CommentTerms.Comment) in Set(ReferenceText.tokens(ReferenceText.matchKey(c.text))) }
        let detractors = comments.filter { $0.score.category == .detractor }
        let promoters = comments.filter { $0.score.category == .promoter }
        let reference = DistinctiveTerms(detractors: DistinctiveTerms.counts(detractors.map(features)),
                                         promoters: DistinctiveTerms.counts(promoters.map(features)))
        #expect(terms.analysis.terms.count == reference.terms.count)
        #expect(terms.analysis.terms.count > 1_000)
        for (mine, theirs) in zip(terms.analysis.terms, reference.terms) {
            #expect(mine.term == theirs.term && mine.detractorCount == theirs.detractorCount && mine.promoterCount == theirs.promoterCount)
            #expect(mine.z == theirs.z && mine.delta == theirs.delta && mine.prior == theirs.prior)
        }
        #expect(terms.detractors == detractors && terms.promoters == promoters)
        for term in terms.analysis.detractorTerms(limit: 10) + terms.analysis.promoterTerms(limit: 10) {
            let group = term.z > 0 ? detractors : promoters
            #expect(terms.examples(of: term) == Array(group.filter { features($0).contains(term.term) }.prefix(3)))
        }
    }

    @Test("the scalar table agrees with Foundation and Swift's Unicode properties (seeded sample and every ASCII scalar)")
    func scalarTable() {
        var random = SeededGenerator(seed: 13)
        let sample = (0..<4_000).map { _ in UInt32.random(in: 0...0x10FFFF, using: &random) }
            + (0..<4_000).map { _ in UInt32.random(in: 0...0xFFFF, using: &random) } + Array(0..<0x80)
        let table = ScalarTable.shared
        var stable = 0
        for value in sample {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let props = table.props(value)
            let kind: UInt8 = switch ReferenceText.Kind(scalar) {
            case .separator: 0
            case .word: ScalarTable.Props.word
            case .cjk: ScalarTable.Props.cjk
            }
            #expect(props & ScalarTable.Props.classMask == kind, "\(hex(String(scalar)))")
            guard props & ScalarTable.Props.unstable == 0 else { continue }
            stable += 1
            let text = String(scalar)
            #expect(scalars(text.precomposedStringWithCompatibilityMapping) == [value], "\(hex(text))")
            #expect(scalar.properties.canonicalCombiningClass.rawValue == 0)
            let key = ReferenceText.matchKey(text)
            #expect((props & ScalarTable.Props.mapped != 0) == (scalars(key) != [value]), "\(hex(text))")
            #expect(FastText.matchKey(text) == Array(key.utf8), "\(hex(text))")
        }
        #expect(stable > 1_000)
    }
}
