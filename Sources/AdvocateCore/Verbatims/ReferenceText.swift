import Foundation

/// The plain implementation of match keys and features: Foundation's NFKC and case folding, and
/// Swift's `Character`s. `TextNormalizer` and `Tokenizer` answer exactly as these do; they take a
/// faster road over UTF-8 bytes when the text allows it (`FastText`) and come here otherwise.
/// Kept whole so that the fast road can be checked against it, and the tables it uses rebuilt
/// from it (scripts/generate-text-tables.swift compiles this file).
public enum ReferenceText {
    /// `TextNormalizer.matchKey(_:)`, step by step as documented there.
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

    /// `Tokenizer.tokens(_:)`, character by character.
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
            // Decided by the first scalar: a grapheme's later scalars are combining marks and
            // joiners that belong to it.
            let kind = Kind(character.unicodeScalars.first!)
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

    /// What a character starting with a scalar is to the tokenizer.
    public enum Kind: Sendable {
        case word, cjk, separator

        public init(_ scalar: Unicode.Scalar) {
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
