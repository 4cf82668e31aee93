import AdvocateCore
import Foundation
import NPS
import Testing

// MARK: - Fixtures

/// The "text" and "key_driver" sections of the NPS test vectors, read from the NPS tests' checked
/// copy of the shared vectors/nps.json (Tests/NPSTests/Fixtures/nps.json, which `VectorCopyTests`
/// keeps identical to the shared file). Located through `#filePath`, as this target has no
/// resources.
enum VerbatimVectors {
    static let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .appendingPathComponent("../NPSTests/Fixtures/nps.json")
        .standardized

    /// Parsed once per process; a missing or malformed file fails every vector test with the
    /// decoding error.
    private static let loaded = Result { () throws -> File in
        try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    static func file() throws -> File { try loaded.get() }

    struct File: Decodable, Sendable {
        let text: Text
        let keyDriver: [KeyDriverVector]

        enum CodingKeys: String, CodingKey {
            case text
            case keyDriver = "key_driver"
        }
    }

    struct Text: Decodable, Sendable {
        let fightinWordsUniformPrior: UniformPrior
        let fightinWordsInformativePrior: InformativePrior
        let cjkBigram: Bigrams
        let cjkBigramZh: Bigrams
        let turkicFold: TurkicFold
        let arabicNorm: [String: String]
        let kazakhCasefold: [String: String]

        enum CodingKeys: String, CodingKey {
            case fightinWordsUniformPrior = "fightin_words_uniform_prior"
            case fightinWordsInformativePrior = "fightin_words_informative_prior"
            case cjkBigram = "cjk_bigram"
            case cjkBigramZh = "cjk_bigram_zh"
            case turkicFold = "turkic_fold"
            case arabicNorm = "arabic_norm"
            case kazakhCasefold = "kazakh_casefold"
        }
    }

    struct UniformPrior: Decodable, Sendable {
        let docI: String
        let docJ: String
        let priorAlphaW: Double
        let zScores: [String: Double]
        let publishedCrosscheck: Published

        struct Published: Decodable, Sendable {
            let quickBrownFox: Double
            let purpleLazierDonkey: Double
            let sharedWords: Double

            enum CodingKeys: String, CodingKey {
                case quickBrownFox = "quick_brown_fox"
                case purpleLazierDonkey = "purple_lazier_donkey"
                case sharedWords = "shared_words"
            }
        }

        enum CodingKeys: String, CodingKey {
            case docI = "doc_i"
            case docJ = "doc_j"
            case priorAlphaW = "prior_alpha_w"
            case zScores = "z_scores"
            case publishedCrosscheck = "published_crosscheck"
        }
    }

    struct InformativePrior: Decodable, Sendable {
        let detractorDoc: String
        let promoterDoc: String
        /// Prose: "alpha_w = a0 * bg_w / sum(bg), bg = pooled counts, a0 = 10".
        let prior: String
        let zScores: [String: Double]

        enum CodingKeys: String, CodingKey {
            case detractorDoc = "detractor_doc"
            case promoterDoc = "promoter_doc"
            case prior
            case zScores = "z_scores"
        }

        /// The a0 stated in `prior`, so that the test follows the vector if it changes.
        var a0: Double? {
            guard let range = prior.range(of: "a0 = ") else { return nil }
            return Double(prior[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        }

        /// The prior the vector describes, if `prior` says what this test assumes.
        var isPooledInformativePrior: Bool {
            prior.contains("alpha_w = a0 * bg_w / sum(bg)") && prior.contains("bg = pooled counts")
        }
    }

    struct Bigrams: Decodable, Sendable {
        let input: String
        let output: [String]
        let publishedCrosscheck: Published?

        struct Published: Decodable, Sendable {
            let expected: [String]
        }

        enum CodingKeys: String, CodingKey {
            case input, output
            case publishedCrosscheck = "published_crosscheck"
        }
    }

    struct TurkicFold: Decodable, Sendable {
        let matchFold: [String: String]

        enum CodingKeys: String, CodingKey {
            case matchFold = "match_fold"
        }
    }

    struct KeyDriverVector: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let withTheme: Counts
        let withoutTheme: Counts
        let shareMentioning: Double
        let npsAll: Double
        let npsWith: Double
        let npsWithout: Double
        let impactPoints: Double
        let impactIdentityCheck: Double
        let zWithVsWithoutWald: Double
        let pTwoSided: Double

        enum CodingKeys: String, CodingKey {
            case id
            case withTheme = "with_theme"
            case withoutTheme = "without_theme"
            case shareMentioning = "share_mentioning"
            case npsAll = "nps_all"
            case npsWith = "nps_with"
            case npsWithout = "nps_without"
            case impactPoints = "impact_points"
            case impactIdentityCheck = "impact_identity_check"
            case zWithVsWithoutWald = "z_with_vs_without_wald"
            case pTwoSided = "p_two_sided"
        }

        var testDescription: String { id }
    }

    struct Counts: Decodable, Sendable {
        let promoters: Int
        let passives: Int
        let detractors: Int

        var tally: Tally { Tally(promoters: promoters, passives: passives, detractors: detractors) }
    }
}

/// The product's seed articles (Turkish, Arabic, Kazakh, Chinese) in Tests/Fixtures/seeds.
enum VerbatimSeeds {
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/seeds")
        .standardized

    /// Every seed's text, by file name.
    static func all() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".txt") }.sorted()
        return try names.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }

    /// The seed that contains `phrase`, so that a test names its language by a real sentence of it.
    static func containing(_ phrase: String) throws -> String {
        try #require(try all().first { $0.contains(phrase) }, "no seed contains \(phrase)")
    }

    static let turkishTitle = "Müşteri Deneyiminizi Optimize Etmek İçin Net Destekçi Puanı Nasıl Kullanılır?"
    static let arabicPhrase = "نهج SendGrid تجاه NPS"
    static let kazakhPhrase = "Промоутердің таза ұпайы"
    static let chineseSentence = "随便问一个火箭科学家。"
}

/// Absolute tolerance for a value printed with `decimals` places: twice the worst rounding error.
private func tolerance(decimals: Int) -> Double {
    (0..<decimals).reduce(1.0) { value, _ in value / 10 }
}

/// How many times each token of `text` occurs: the per-group counts of the fightin_words vectors,
/// which count occurrences in one document per group (not responses).
private func occurrences(_ text: String) -> [String: Int] {
    Tokenizer.tokens(TextNormalizer.matchKey(text)).reduce(into: [:]) { $0[$1, default: 0] += 1 }
}

/// The code points of `text`, for checks that must not pass by canonical equivalence (Swift's
/// `==` on strings compares canonically equivalent strings as equal).
private func scalars(_ text: String) -> [UInt32] {
    text.unicodeScalars.map(\.value)
}

/// Whether a feature is a usable term: not empty, with no whitespace, punctuation or control.
private func isCleanFeature(_ feature: String) -> Bool {
    !feature.isEmpty && feature.unicodeScalars.allSatisfy { scalar in
        if scalar.properties.isWhitespace { return false }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation, .control, .spaceSeparator,
            .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }
}

// MARK: - Match key

@Suite("Verbatim match key")
struct VerbatimMatchKeyTests {
    @Test("turkic_fold: İSTANBUL, ISTANBUL, Istanbul, ıstanbul and istanbul all give istanbul")
    func turkicFoldVector() throws {
        let vector = try VerbatimVectors.file().text.turkicFold.matchFold
        #expect(vector.count == 5)
        for (input, expected) in vector {
            #expect(scalars(TextNormalizer.matchKey(input)) == scalars(expected), "\(input)")
        }
    }

    @Test("arabic_norm: alef forms, teh marbuta, alef maksura, harakat and tatweel normalise")
    func arabicNormVector() throws {
        let vector = try VerbatimVectors.file().text.arabicNorm
        #expect(vector.count == 5)
        for (input, expected) in vector {
            #expect(scalars(TextNormalizer.matchKey(input)) == scalars(expected), "\(input)")
        }
    }

    @Test("kazakh_casefold: Cyrillic and Latin Kazakh fold to lower case")
    func kazakhCasefoldVector() throws {
        let vector = try VerbatimVectors.file().text.kazakhCasefold
        #expect(vector.count == 4)
        for (input, expected) in vector {
            #expect(scalars(TextNormalizer.matchKey(input)) == scalars(expected), "\(input)")
        }
    }

    @Test("a decomposed İ (I + U+0307) and a precomposed one give the same key, without the dot")
    func decomposedDottedCapitalI() {
        #expect(scalars(TextNormalizer.matchKey("I\u{0307}STANBUL")) == scalars("istanbul"))
        #expect(!TextNormalizer.matchKey("İçin I\u{0307}çin").unicodeScalars.contains("\u{0307}"))
    }

    @Test("NFKC and full case folding: full-width letters, ligatures and ß take one form")
    func compatibilityAndFullFolding() {
        #expect(TextNormalizer.matchKey("ＮＰＳ") == "nps")
        #expect(TextNormalizer.matchKey("ﬁle") == "file")
        #expect(TextNormalizer.matchKey("STRASSE") == TextNormalizer.matchKey("Straße"))
    }

    @Test("the key of a key is the key itself, code point for code point, for every seed")
    func idempotentOnSeeds() throws {
        let seeds = try VerbatimSeeds.all()
        #expect(seeds.count == 4)
        for seed in seeds {
            let key = TextNormalizer.matchKey(seed)
            #expect(scalars(TextNormalizer.matchKey(key)) == scalars(key), "\(seed.prefix(40))")
        }
    }

    @Test("the Turkish seed's title in Turkish upper case, Turkish lower case and default upper case gives one key")
    func turkishCaseVariantsShareAKey() throws {
        let title = VerbatimSeeds.turkishTitle
        _ = try VerbatimSeeds.containing(title)
        // Turkish casing: i ↔ İ and ı ↔ I.
        let turkishUpper = String(title.map { $0 == "i" ? "İ" : $0 == "ı" ? "I" : $0 }).uppercased()
        let turkishLower = String(title.map { $0 == "İ" ? "i" : $0 == "I" ? "ı" : $0 }).lowercased()
        #expect(turkishUpper.contains("İ") && turkishUpper.contains("I") && turkishLower.contains("ı"))
        let key = scalars(TextNormalizer.matchKey(title))
        #expect(scalars(TextNormalizer.matchKey(turkishUpper)) == key)
        #expect(scalars(TextNormalizer.matchKey(turkishLower)) == key)
        #expect(scalars(TextNormalizer.matchKey(title.uppercased())) == key)
        #expect(scalars(TextNormalizer.matchKey(title.lowercased())) == key)
        #expect(TextNormalizer.matchKey(title) == "müşteri deneyiminizi optimize etmek için net destekçi puani nasil kullanilir?")
    }

    @Test("the Arabic seed's alef forms collapse: the key has no آ أ إ ة ى, harakat or tatweel, and bare alef spellings match")
    func arabicSeedAlefFormsCollapse() throws {
        let seed = try VerbatimSeeds.containing(VerbatimSeeds.arabicPhrase)
        // The seed really has the forms the normaliser removes.
        for form in ["آ", "أ", "إ", "ة", "ى"] { #expect(seed.contains(form), "\(form)") }
        #expect(seed.unicodeScalars.contains { (0x064B...0x065F).contains($0.value) || $0.value == 0x0670 })

        let key = TextNormalizer.matchKey(seed)
        let removed: Set<UInt32> = [0x0622, 0x0623, 0x0625, 0x0629, 0x0649, 0x0640, 0x0670]
        #expect(!key.unicodeScalars.contains { removed.contains($0.value) || (0x064B...0x065F).contains($0.value) })

        // The same text written with bare alef everywhere has the same key.
        var bare = String.UnicodeScalarView()
        for scalar in seed.unicodeScalars {
            bare.append([0x0622, 0x0623, 0x0625].contains(scalar.value) ? "\u{0627}" : scalar)
        }
        #expect(scalars(TextNormalizer.matchKey(String(bare))) == scalars(key))
        #expect(TextNormalizer.matchKey("أشياء") == TextNormalizer.matchKey("اشياء"))
    }

    @Test("the Kazakh seed folds: upper-casing it does not change its key, and the key has no capitals")
    func kazakhSeedCaseFolds() throws {
        let seed = try VerbatimSeeds.containing(VerbatimSeeds.kazakhPhrase)
        let key = TextNormalizer.matchKey(seed)
        #expect(scalars(TextNormalizer.matchKey(seed.uppercased())) == scalars(key))
        #expect(key.contains("промоутердің таза ұпайы"))
        #expect(!key.contains { $0.isUppercase })
    }
}

// MARK: - Tokenizer

@Suite("Verbatim tokenizer")
struct VerbatimTokenizerTests {
    @Test("cjk_bigram: 東京都は、日本の首都であり gives the Elastic documentation's bigrams")
    func japaneseBigramVector() throws {
        let vector = try VerbatimVectors.file().text.cjkBigram
        let tokens = Tokenizer.tokens(TextNormalizer.matchKey(vector.input))
        #expect(tokens == vector.output)
        #expect(tokens == vector.publishedCrosscheck?.expected)
    }

    @Test("cjk_bigram_zh: 客服响应太慢 gives overlapping bigrams")
    func chineseBigramVector() throws {
        let vector = try VerbatimVectors.file().text.cjkBigramZh
        #expect(Tokenizer.tokens(TextNormalizer.matchKey(vector.input)) == vector.output)
    }

    @Test("a sentence of the Chinese seed gives its overlapping bigrams")
    func chineseSeedSentence() throws {
        _ = try VerbatimSeeds.containing(VerbatimSeeds.chineseSentence)
        #expect(Tokenizer.tokens(TextNormalizer.matchKey(VerbatimSeeds.chineseSentence))
            == ["随便", "便问", "问一", "一个", "个火", "火箭", "箭科", "科学", "学家"])
    }

    @Test("Latin inside Chinese is a word of its own, and punctuation ends a bigram run")
    func mixedScripts() throws {
        _ = try VerbatimSeeds.containing("利用NPS数据,并使用它")
        #expect(Tokenizer.tokens(TextNormalizer.matchKey("利用NPS数据,并使用它"))
            == ["利用", "nps", "数据", "并使", "使用", "用它"])
    }

    @Test("a lone CJK character between punctuation is a unigram")
    func loneCJKCharacter() {
        #expect(Tokenizer.tokens("好。服务很好") == ["好", "服务", "务很", "很好"])
        #expect(Tokenizer.tokens("안 좋아요") == ["안", "좋아", "아요"])
    }

    @Test("spaced scripts give word runs of two or more characters, split at punctuation and apostrophes")
    func wordRuns() {
        #expect(Tokenizer.tokens(TextNormalizer.matchKey("İstanbul'da a ılık gün: 10/10, I ❤️ it_works"))
            == ["istanbul", "da", "ilik", "gün", "10", "10", "it", "works"])
        #expect(Tokenizer.tokens(TextNormalizer.matchKey("الخدمة ممتازة!")) == ["الخدمه", "ممتازه"])
    }

    @Test("the vectors' words: the fightin_words documents tokenize to exactly the vectors' vocabulary")
    func fightinWordsVocabulary() throws {
        let text = try VerbatimVectors.file().text
        let uniform = text.fightinWordsUniformPrior
        #expect(Set(occurrences(uniform.docI).keys).union(occurrences(uniform.docJ).keys)
            == Set(uniform.zScores.keys))
        let informative = text.fightinWordsInformativePrior
        #expect(Set(occurrences(informative.detractorDoc).keys).union(occurrences(informative.promoterDoc).keys)
            == Set(informative.zScores.keys))
    }

    @Test("features of a response count each term once")
    func featuresAreASet() {
        let features = Tokenizer.features(of: "Slow, SLOW, slow support. 客服太慢，客服太慢")
        #expect(features == ["slow", "support", "客服", "服太", "太慢"])
    }

    @Test("every feature of every seed is non-empty and has no whitespace or punctuation")
    func seedFeaturesAreClean() throws {
        let seeds = try VerbatimSeeds.all()
        #expect(seeds.count == 4)
        for seed in seeds {
            let tokens = Tokenizer.tokens(TextNormalizer.matchKey(seed))
            #expect(tokens.count > 100)
            let unclean = tokens.filter { !isCleanFeature($0) }
            #expect(unclean.isEmpty, "\(unclean.prefix(10))")
            #expect(Tokenizer.features(of: seed) == Set(tokens))
        }
    }
}

// MARK: - Distinctive terms

@Suite("Verbatim distinctive terms")
struct VerbatimDistinctiveTermsTests {
    @Test("fightin_words_uniform_prior: every z-score at α = 0.05, to 12 decimals")
    func uniformPriorVector() throws {
        let vector = try VerbatimVectors.file().text.fightinWordsUniformPrior
        let result = DistinctiveTerms(
            detractors: occurrences(vector.docI), promoters: occurrences(vector.docJ),
            prior: .uniform(vector.priorAlphaW))
        #expect(result.terms.count == vector.zScores.count)
        for term in result.terms {
            let expected = try #require(vector.zScores[term.term], "\(term.term)")
            #expect(abs(term.z - expected) <= tolerance(decimals: 12), "\(term.term): \(term.z) vs \(expected)")
        }
    }

    @Test("fightin_words published check: ±0.6894227886807968 and 0 (Wigder/fightin_words README)")
    func uniformPriorPublishedValues() throws {
        let vector = try VerbatimVectors.file().text.fightinWordsUniformPrior
        let published = vector.publishedCrosscheck
        let result = DistinctiveTerms(
            detractors: occurrences(vector.docI), promoters: occurrences(vector.docJ),
            prior: .uniform(vector.priorAlphaW))
        let z = Dictionary(uniqueKeysWithValues: result.terms.map { ($0.term, $0.z) })
        for word in ["quick", "brown", "fox"] {
            #expect(abs(try #require(z[word]) - published.quickBrownFox) <= tolerance(decimals: 12))
        }
        for word in ["purple", "lazier", "donkey"] {
            #expect(abs(try #require(z[word]) - published.purpleLazierDonkey) <= tolerance(decimals: 12))
        }
        for word in ["the", "jumps", "over", "lazy", "pig"] {
            #expect(abs(try #require(z[word]) - published.sharedWords) <= tolerance(decimals: 12))
        }
    }

    @Test("fightin_words_informative_prior: every z-score with a0 = 10 on pooled counts, to 9 decimals")
    func informativePriorVector() throws {
        let vector = try VerbatimVectors.file().text.fightinWordsInformativePrior
        #expect(vector.isPooledInformativePrior)
        let a0 = try #require(vector.a0)
        #expect(a0 == 10)
        let detractors = occurrences(vector.detractorDoc)
        let promoters = occurrences(vector.promoterDoc)
        for prior in [DistinctiveTerms.Prior.informative(a0: a0), .default] {
            let result = DistinctiveTerms(detractors: detractors, promoters: promoters, prior: prior)
            #expect(result.terms.count == vector.zScores.count)
            for term in result.terms {
                let expected = try #require(vector.zScores[term.term], "\(term.term)")
                #expect(abs(term.z - expected) <= tolerance(decimals: 9), "\(term.term): \(term.z) vs \(expected)")
            }
        }
    }

    @Test("each term's δ, σ² and ζ follow the formula, and the counts are the groups' counts")
    func termFieldsAreConsistent() throws {
        let vector = try VerbatimVectors.file().text.fightinWordsInformativePrior
        let detractors = occurrences(vector.detractorDoc)
        let promoters = occurrences(vector.promoterDoc)
        let result = DistinctiveTerms(detractors: detractors, promoters: promoters)
        let pooledTotal = Double(detractors.values.reduce(0, +) + promoters.values.reduce(0, +))
        var priorSum = 0.0
        for term in result.terms {
            #expect(term.detractorCount == detractors[term.term] ?? 0)
            #expect(term.promoterCount == promoters[term.term] ?? 0)
            #expect(abs(term.prior - 10 * Double(term.detractorCount + term.promoterCount) / pooledTotal) <= 1e-12)
            let a = term.prior
            #expect(abs(term.variance - (1 / (Double(term.detractorCount) + a) + 1 / (Double(term.promoterCount) + a))) <= 1e-12)
            #expect(abs(term.z - term.delta / term.variance.squareRoot()) <= 1e-12)
            priorSum += a
        }
        #expect(abs(priorSum - 10) <= 1e-9)
        // "slow": y_i = 2, y_j = 0, α = 10·2/17; n_i = 9, n_j = 8, α₀ = 10.
        let slow = try #require(result.terms.first { $0.term == "slow" })
        let alpha = 20.0 / 17
        let delta = log((2 + alpha) / (9 + 10 - 2 - alpha)) - log(alpha / (8 + 10 - alpha))
        #expect(abs(slow.delta - delta) <= 1e-12)
    }

    @Test("ranking: detractor terms by ζ descending, promoter terms by ζ ascending, zero ζ in neither")
    func ranking() throws {
        let vector = try VerbatimVectors.file().text.fightinWordsInformativePrior
        let result = DistinctiveTerms(detractors: occurrences(vector.detractorDoc), promoters: occurrences(vector.promoterDoc))
        #expect(result.detractorTerms().map(\.term) == ["slow", "support", "billing", "error"])
        #expect(result.promoterTerms().map(\.term) == ["great", "easy", "setup", "value", "product"])
        #expect(result.detractorTerms(limit: 2).map(\.term) == ["slow", "support"])
        #expect(result.promoterTerms(limit: 1).map(\.term) == ["great"])

        let uniform = try VerbatimVectors.file().text.fightinWordsUniformPrior
        let shared = DistinctiveTerms(detractors: occurrences(uniform.docI), promoters: occurrences(uniform.docJ),
                                      prior: .uniform(uniform.priorAlphaW))
        let sides = Set(shared.detractorTerms().map(\.term)).union(shared.promoterTerms().map(\.term))
        #expect(sides == ["quick", "brown", "fox", "purple", "lazier", "donkey"])
    }

    @Test("the exploratory cut keeps only terms with |ζ| > 1.96")
    func exploratoryCut() {
        // "slow" is nearly all detractors, "great" all promoters, "app" common on both sides.
        let detractors = ["slow": 40, "app": 25, "support": 12]
        let promoters = ["slow": 2, "app": 25, "great": 30]
        let result = DistinctiveTerms(detractors: detractors, promoters: promoters)
        #expect(DistinctiveTerms.exploratoryZ == 1.96)
        let detractorSide = result.detractorTerms(minimumZ: DistinctiveTerms.exploratoryZ)
        let promoterSide = result.promoterTerms(minimumZ: DistinctiveTerms.exploratoryZ)
        #expect(detractorSide.allSatisfy { $0.z > 1.96 } && promoterSide.allSatisfy { $0.z < -1.96 })
        #expect(detractorSide.map(\.term).contains("slow"))
        #expect(promoterSide.map(\.term).contains("great"))
        #expect(!(detractorSide + promoterSide).map(\.term).contains("app"))
        #expect(result.terms.filter { abs($0.z) > 1.96 }.count == detractorSide.count + promoterSide.count)
    }

    @Test("counts(_:) counts responses, not occurrences")
    func countsPerResponse() {
        let comments = ["slow slow slow", "Slow support", "great support"]
        let counts = DistinctiveTerms.counts(comments.map(Tokenizer.features(of:)))
        #expect(counts == ["slow": 2, "support": 2, "great": 1])
    }

    @Test("a supplied background gives α_w = a0·bg_w/n_bg, and a term it lacks that one group never uses is left out")
    func suppliedBackground() throws {
        let result = DistinctiveTerms(
            detractors: ["slow": 3, "new": 1], promoters: ["slow": 1, "fast": 2],
            prior: .informative(a0: 4, background: ["slow": 6, "fast": 2]))
        #expect(Set(result.terms.map(\.term)) == ["slow", "fast"])
        #expect(abs(try #require(result.terms.first { $0.term == "slow" }).prior - 3) <= 1e-12)
        #expect(abs(try #require(result.terms.first { $0.term == "fast" }).prior - 1) <= 1e-12)
        #expect(result.terms.allSatisfy { $0.z.isFinite })
    }
}

// MARK: - Key drivers

@Suite("Verbatim key drivers")
struct VerbatimKeyDriverTests {
    @Test("key_driver vector: share, NPS with, without and overall, impact, identity and Wald z",
          arguments: try VerbatimVectors.file().keyDriver)
    func keyDriverVector(_ vector: VerbatimVectors.KeyDriverVector) throws {
        let driver = KeyDriver(theme: 1, with: vector.withTheme.tally, without: vector.withoutTheme.tally)
        let exact = 1e-9
        #expect(abs(try #require(driver.share) - vector.shareMentioning) <= exact)
        #expect(abs(try #require(driver.commenters.nps) - vector.npsAll) <= exact)
        #expect(abs(try #require(driver.npsWith) - vector.npsWith) <= exact)
        #expect(abs(try #require(driver.npsWithout) - vector.npsWithout) <= exact)
        let impact = try #require(driver.impact)
        #expect(abs(impact - vector.impactPoints) <= exact)
        // The identity impact = f·(NPS_with − NPS_without).
        let share = try #require(driver.share)
        let npsWith = try #require(driver.npsWith)
        let npsWithout = try #require(driver.npsWithout)
        let identity = share * (npsWith - npsWithout)
        #expect(abs(identity - vector.impactIdentityCheck) <= exact)
        #expect(abs(identity - impact) <= exact)

        let wald = try #require(driver.comparison(method: .wald))
        #expect(abs(wald.z - vector.zWithVsWithoutWald) <= tolerance(decimals: 6))
        #expect(abs(wald.pValue - vector.pTwoSided) <= tolerance(decimals: 6))
        #expect(wald == Tally.compare(vector.withTheme.tally, vector.withoutTheme.tally, method: .wald))
        #expect(driver.comparison() == Tally.compare(vector.withTheme.tally, vector.withoutTheme.tally))
    }

    @Test("key_driver vector from responses: analyse(_:) splits commenters into the vector's with and without",
          arguments: try VerbatimVectors.file().keyDriver)
    func keyDriverVectorFromResponses(_ vector: VerbatimVectors.KeyDriverVector) throws {
        let price: Int64 = 7, support: Int64 = 9
        func responses(_ counts: VerbatimVectors.Counts, themes: Set<Int64>) -> [ThemedResponse] {
            Array(repeating: ThemedResponse(score: Score(10)!, themes: themes), count: counts.promoters)
                + Array(repeating: ThemedResponse(score: Score(7)!, themes: themes), count: counts.passives)
                + Array(repeating: ThemedResponse(score: Score(3)!, themes: themes), count: counts.detractors)
        }
        // Every third "without" response mentions another theme, which must not matter.
        let without = responses(vector.withoutTheme, themes: []).enumerated().map { index, response in
            index % 3 == 0 ? ThemedResponse(score: response.score, themes: [support]) : response
        }
        let all = responses(vector.withTheme, themes: [price, support]) + without
        let drivers = KeyDrivers.analyse(all)
        #expect(drivers.map(\.theme) == [price, support])
        let driver = try #require(drivers.first)
        #expect(driver.with == vector.withTheme.tally)
        #expect(driver.without == vector.withoutTheme.tally)
        #expect(abs(try #require(driver.impact) - vector.impactPoints) <= 1e-9)
        #expect(abs(try #require(driver.comparison(method: .wald)).z - vector.zWithVsWithoutWald) <= tolerance(decimals: 6))
        #expect(drivers[1].commenters == driver.commenters)
    }

    @Test("impact is nil when every commenter mentions the theme, and there is no test")
    func everyoneMentionsTheTheme() throws {
        let drivers = KeyDrivers.analyse([
            ThemedResponse(score: Score(9)!, themes: [1]), ThemedResponse(score: Score(2)!, themes: [1]),
        ])
        let driver = try #require(drivers.first)
        #expect(driver.share == 1)
        #expect(driver.impact == nil)
        #expect(driver.npsWithout == nil)
        #expect(driver.comparison() == nil)
    }

    @Test("a theme no one mentions has no driver, and no responses give no drivers")
    func unmentionedThemes() {
        #expect(KeyDrivers.analyse([ThemedResponse(score: Score(9)!, themes: [])]).isEmpty)
        #expect(KeyDrivers.analyse([ThemedResponse]()).isEmpty)
        let zero = KeyDriver(theme: 3, with: .empty, without: Tally(promoters: 2, passives: 0, detractors: 1))
        #expect(zero.impact == 0)
        #expect(zero.share == 0)
        #expect(zero.npsWith == nil)
    }
}
