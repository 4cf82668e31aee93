/// Splits a match key into features: the words and character pairs that are counted and matched.
///
/// No dictionary and no external service, so it works the same in every language:
/// - Spaced scripts (Latin, Cyrillic, Arabic, Greek, …) give word runs: maximal runs of letters,
///   digits and combining marks. Everything else separates words, so punctuation, apostrophes
///   (İstanbul'da → istanbul, da), underscores and emoji never appear in a feature. A word of a
///   single character is dropped, as by the `\b\w\w+\b` pattern the test vectors were made with:
///   one letter carries little meaning on its own ("a", a stray initial).
/// - Han, Hiragana, Katakana and Hangul are written without spaces between words, so every
///   maximal run of them gives its overlapping character bigrams (客服响应 → 客服, 服响, 响应),
///   and a run of a single character gives that character. This is Lucene's CJKBigramFilter:
///   most Chinese words have two characters, so the words are among the bigrams without a
///   dictionary. Punctuation, spaces and other scripts end a run (東京都は、日本 gives no は日).
///
/// Thai, Lao, Khmer and Myanmar are also unspaced but are treated as spaced scripts: a phrase
/// becomes one long feature. They would need a dictionary segmenter.
public enum Tokenizer {
    /// The features of `key` (a `TextNormalizer.matchKey(_:)`) in text order, repeats included.
    public static func tokens(_ key: String) -> [String] {
        var tokens: [String] = []
        var run: [Character] = []
        var runIsCJK = false

        func flush() {
            defer { run.removeAll(keepingCapacity: true) }
            if runIsCJK {
                if run.count == 1 {
                    tokens.append(String(run[0]))
                } else {
                    for i in run.indices.dropLast() { tokens.append(String(run[i ... i + 1])) }
                }
            } else if run.count >= 2 {
                tokens.append(String(run))
            }
        }

        for character in key {
            let kind = Kind(character)
            if kind == .separator {
                flush()
                continue
            }
            let isCJK = kind == .cjk
            if !run.isEmpty, isCJK != runIsCJK { flush() }
            runIsCJK = isCJK
            run.append(character)
        }
        flush()
        return tokens
    }

    /// The features of one comment, each counted once: a response that repeats "slow" five times
    /// counts for "slow" once. Detractors write longer comments than promoters, and counting
    /// every repeat would let a few long comments dominate the distinctive terms.
    public static func features(of comment: String) -> Set<String> {
        Set(tokens(TextNormalizer.matchKey(comment)))
    }

    /// Whether `character` is Han, Hiragana, Katakana or Hangul: read in bigrams, not words.
    static func isCJK(_ character: Character) -> Bool { Kind.isCJK(character.unicodeScalars.first!) }

    // MARK: - Character classes

    private enum Kind {
        case word, cjk, separator

        /// Decided by the first scalar: a grapheme's later scalars are combining marks and
        /// joiners that belong to it.
        init(_ character: Character) {
            let scalar = character.unicodeScalars.first!
            if Self.isCJK(scalar) {
                self = .cjk
            } else if Self.isWordScalar(scalar) {
                self = .word
            } else {
                self = .separator
            }
        }

        /// Letters (with Other_Alphabetic), numbers of every kind and combining marks, roughly
        /// Unicode's `\w` without the connector punctuation (the underscore).
        static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            let properties = scalar.properties
            if properties.isAlphabetic { return true }
            switch properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
                return true
            default:
                return false
            }
        }

        /// Han, Hiragana, Katakana or Hangul, by block. The CJK symbols and punctuation block
        /// (U+3000–U+303F) contributes only its ideographic letters (々, 〆, 〇, Hangzhou
        /// numerals); the katakana middle dot ・ and double hyphen ゠ are punctuation.
        static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x2E80...0x2FDF,  // CJK and Kangxi radicals
                0x3005...0x3007, 0x3021...0x3029, 0x3038...0x303C,  // 々 〆 〇, Hangzhou numerals
                0x3041...0x309F,  // Hiragana (including the combining voicing marks)
                0x30A1...0x30FA, 0x30FC...0x30FF,  // Katakana (ー included)
                0x3131...0x318F,  // Hangul compatibility jamo
                0x31F0...0x31FF,  // Katakana phonetic extensions
                0x3400...0x4DBF,  // CJK extension A
                0x4E00...0x9FFF,  // CJK unified ideographs
                0xA960...0xA97F,  // Hangul jamo extended A
                0xAC00...0xD7FF,  // Hangul syllables, jamo extended B
                0xF900...0xFAFF,  // CJK compatibility ideographs
                0x1100...0x11FF,  // Hangul jamo
                0x1AFF0...0x1B16F,  // Kana extended, supplement and small kana
                0x20000...0x323AF:  // CJK extensions B–H
                return true
            default:
                return false
            }
        }
    }
}
