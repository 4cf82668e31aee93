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
        var key = key
        var ranges: [Range<Int>] = []
        let tokens: [String]? = key.withUTF8 { bytes in
            guard FastText.features(bytes, into: &ranges) else { return nil }
            return ranges.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
        return tokens ?? ReferenceText.tokens(key)
    }

    /// The features of one comment, each counted once: a response that repeats "slow" five times
    /// counts for "slow" once. Detractors write longer comments than promoters, and counting
    /// every repeat would let a few long comments dominate the distinctive terms.
    public static func features(of comment: String) -> Set<String> {
        Set(tokens(TextNormalizer.matchKey(comment)))
    }

    /// Whether `character` is Han, Hiragana, Katakana or Hangul: read in bigrams, not words.
    static func isCJK(_ character: Character) -> Bool { ReferenceText.Kind.isCJK(character.unicodeScalars.first!) }
}
