/// The match key of a comment: the form in which words are counted and themes' keywords matched.
///
/// The key is for matching only. Callers keep the raw comment for display, because the key drops
/// case, vowel marks and differences between letters that readers do see. It is language-agnostic
/// on purpose: a survey's comments arrive in many languages and the respondent's locale is not
/// always known, so one key must serve them all.
public enum TextNormalizer {
    /// The match key of `text`, in four steps:
    ///
    /// 1. NFKC, so that full-width letters, ligatures (ﬁ), Arabic presentation forms and
    ///    decomposed accents all take one form.
    /// 2. The Turkic rule: İ, I and ı become i before case folding. Default folding pairs I with i
    ///    (wrong for Turkish and Azeri, where I pairs with ı) and folds İ to i + U+0307. Mapping all
    ///    four to i makes İSTANBUL, ISTANBUL, ıstanbul and istanbul one key whatever the language.
    /// 3. Full Unicode case folding without a locale (ß → ss, final ς → σ, Қ → қ). The combining
    ///    dot above U+0307 is removed afterwards, so that a decomposed İ cannot leave it behind.
    /// 4. Arabic normalisation as Lucene's ArabicNormalizer: آ أ إ → ا, ة → ه, ى → ي, and the
    ///    harakat (U+064B–U+065F, U+0670) and tatweel (U+0640) are removed. Respondents write
    ///    the same word with and without these, and a keyword list cannot list every spelling.
    ///
    /// The key of a key is the key itself, so stored keys can be re-keyed safely.
    ///
    /// Most text is read over its UTF-8 bytes (`FastText`); text with a scalar NFKC could change
    /// (combining marks, compatibility forms) goes through Foundation (`ReferenceText`). Both
    /// give the same key.
    public static func matchKey(_ text: String) -> String {
        if let key = FastText.matchKey(text) { return String(decoding: key, as: UTF8.self) }
        return ReferenceText.matchKey(text)
    }
}
