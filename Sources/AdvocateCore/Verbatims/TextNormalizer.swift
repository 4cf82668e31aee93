import Foundation

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
    public static func matchKey(_ text: String) -> String {
        // NFKC first: folding must see İ and ﬁ in their composed and compatibility-mapped form.
        let composed = text.precomposedStringWithCompatibilityMapping
        var dotless = String.UnicodeScalarView()
        dotless.append(contentsOf: composed.unicodeScalars.lazy.map(turkicI))
        let folded = String(dotless).folding(options: .caseInsensitive, locale: nil)
        var key = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars {
            if let kept = afterFolding(scalar) { key.append(kept) }
        }
        return String(key)
    }

    /// İ (U+0130), I and ı (U+0131) as i; every other scalar unchanged.
    private static func turkicI(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x0130, 0x0049, 0x0131: "i"
        default: scalar
        }
    }

    /// The scalar as it appears in the key after folding, or nil when the key drops it: the
    /// combining dot above and the Arabic marks. Other scalars are kept.
    private static func afterFolding(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x0307: nil  // combining dot above, left by İ
        case 0x064B...0x065F, 0x0670: nil  // harakat, including hamza and madda marks
        case 0x0640: nil  // tatweel, a stretching stroke with no meaning
        case 0x0622, 0x0623, 0x0625: "\u{0627}"  // alef with madda, hamza above, hamza below → alef
        case 0x0629: "\u{0647}"  // teh marbuta → heh
        case 0x0649: "\u{064A}"  // alef maksura → yeh
        default: scalar
        }
    }
}
