import Foundation

/// One rule of a theme: a keyword or a phrase that tags a comment with the theme, in one language
/// or in all of them.
///
/// Rules are written as people write them ("Yavaş", "客服响应慢", "takes forever") and matched on
/// match keys (`TextNormalizer`) and features (`Tokenizer`), so case, the Turkic i, Arabic letter
/// forms and vowel marks never decide a match:
/// - a **keyword** is one word and matches a comment that has it as a word; a trailing `*` makes
///   it a prefix ("yavaş*" also matches "yavaşlık", "yavaşladı"), which inflected languages
///   (Turkish, Kazakh, Finnish, Hungarian, Russian, Polish) need;
/// - a **phrase** is several words and matches when they stand next to each other in that order
///   (any of its words may end with `*`: "служб* поддержки");
/// - Chinese, Japanese and Korean text has no spaces, so a keyword written in them matches
///   wherever its characters stand together in a comment (its bigrams are consecutive); a single
///   such character matches any comment containing it;
/// - Thai, Lao, Khmer and Myanmar are unspaced too, but read as one long word each, so their
///   keywords match anywhere inside a word.
public struct ThemeRule: Sendable, Hashable {
    /// What kind of match the text asks for; it follows from the text.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case keyword, phrase
    }

    /// The rule as written (trimmed).
    public let text: String
    /// The primary language subtag the rule is for (`tr`, `zh`); nil for every language.
    public let language: String?

    /// Longest rule text, in characters.
    public static let maxCharacters = 100
    /// Most words in a phrase.
    public static let maxWords = 8

    /// A valid rule, or the reason `text` (and `language`) cannot be one. `field` names the rule
    /// in the messages (`rules[2]`).
    public static func make(text: String, language: String?, field: String) -> Result<ThemeRule, ValidationError> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var issues: [ValidationIssue] = []
        func name(_ part: String) -> String { field.isEmpty ? part : "\(field).\(part)" }
        var code: String?
        if let language {
            if let c = Self.languageCode(language) { code = c } else {
                issues.append(ValidationIssue(field: name("language"), message: "must be a language code such as tr, ar or zh-Hant, or null for every language; got \"\(language)\""))
            }
        }
        if trimmed.isEmpty {
            issues.append(ValidationIssue(field: name("text"), message: "must not be empty"))
        } else if trimmed.count > maxCharacters {
            issues.append(ValidationIssue(field: name("text"), message: "must be at most \(maxCharacters) characters"))
        } else if let problem = ThemePattern.problem(trimmed) {
            issues.append(ValidationIssue(field: name("text"), message: "\"\(trimmed)\" \(problem)"))
        }
        guard issues.isEmpty else { return .failure(ValidationError(issues)) }
        return .success(ThemeRule(checkedText: trimmed, language: code))
    }

    /// A rule already validated (read back from storage).
    init(checkedText: String, language: String?) {
        self.text = checkedText
        self.language = language
    }

    /// Keyword or phrase.
    public var kind: Kind { text.contains(where: \.isWhitespace) ? .phrase : .keyword }

    /// How the rule reads in a one-rule-a-line list: `tr: yavaş*`, or the text alone for every language.
    public var line: String { language.map { "\($0): \(text)" } ?? text }

    /// The primary language subtag of a locale or language tag (`pt-BR` → `pt`), lower case; nil
    /// when `tag` is not a tag.
    public static func languageCode(_ tag: String) -> String? {
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        guard (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }), tag.count <= 35 else { return nil }
        return primary.lowercased()
    }

    /// The rules as JSON (what the API shows and the database stores): `[{"text", "language", "kind"}]`.
    public static func json(_ rules: [ThemeRule]) -> JSONValue {
        .array(rules.map { .object(["text": .string($0.text), "language": $0.language.map(JSONValue.string) ?? .null, "kind": .string($0.kind.rawValue)]) })
    }

    /// Rules as a client sends them: an array of `{"text", "language"}` (a `kind` may come back
    /// as `json(_:)` gave it, and must then agree with the text). Issues name `field[i].text`.
    public static func readList(_ value: JSONValue, field: String, maxRules: Int = maxRulesPerTheme) -> Result<[ThemeRule], ValidationError> {
        guard case .array(let items) = value else {
            return .failure(ValidationError(field: field, "must be an array of rules such as {\"text\": \"yavaş*\", \"language\": \"tr\"}"))
        }
        guard items.count <= maxRules else { return .failure(ValidationError(field: field, "must have at most \(maxRules) rules")) }
        var rules: [ThemeRule] = []
        var issues: [ValidationIssue] = []
        for (i, item) in items.enumerated() {
            switch read(item, field: "\(field)[\(i)]") {
            case .success(let rule): rules.append(rule)
            case .failure(let error): issues.append(contentsOf: error.issues)
            }
        }
        return issues.isEmpty ? .success(rules) : .failure(ValidationError(issues))
    }

    /// One rule as a client sends it, `{"text", "language"}`; `field` prefixes the issues' names
    /// (empty when the rule is the whole body).
    public static func read(_ item: JSONValue, field: String) -> Result<ThemeRule, ValidationError> {
        let r = InputReader(item, path: field)
        let text = r.string("text", required: true, maxCharacters: maxCharacters * 2, nullable: false)
        let language = r.string("language", maxCharacters: 35)
        let kind = r.string("kind", maxCharacters: 20)
        r.rejectUnknownFields()
        guard r.issues.isEmpty, let text else { return .failure(ValidationError(r.issues)) }
        let rule: ThemeRule
        switch make(text: text, language: language, field: field) {
        case .success(let made): rule = made
        case .failure(let error): return .failure(error)
        }
        if let kind, kind != rule.kind.rawValue {
            return .failure(ValidationError(field: r.name("kind"),
                                            "follows from the text (one word is a keyword, several a phrase): \"\(rule.text)\" is a \(rule.kind.rawValue)"))
        }
        return .success(rule)
    }

    /// Most rules in one theme.
    public static let maxRulesPerTheme = 500

    /// Rules stored by `json(_:)`; one that is no longer valid is left out.
    public static func decode(_ text: String) -> [ThemeRule] {
        guard case .array(let items)? = try? JSONValue.parse(text) else { return [] }
        return items.compactMap { item in
            guard case .string(let text)? = item["text"] else { return nil }
            let language: String? = if case .string(let l)? = item["language"] { l } else { nil }
            return try? make(text: text, language: language, field: "").get()
        }
    }

    /// Reads rules written one a line, each optionally preceded by its language and a colon
    /// (`tr: yavaş*`, `ar: بطيء`, `slow`): the form of the dashboard's editor. Blank lines are
    /// skipped; issues name the line (`rules line 3`).
    public static func parseLines(_ text: String) -> Result<[ThemeRule], ValidationError> {
        var rules: [ThemeRule] = []
        var issues: [ValidationIssue] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            var language: String?
            var body = Substring(line)
            if let colon = line.firstIndex(of: ":") {
                let prefix = line[..<colon].trimmingCharacters(in: .whitespaces)
                if !prefix.contains(where: \.isWhitespace), prefix.count <= 12, languageCode(prefix) != nil,
                   prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-" || $0 == "_") }) {
                    language = prefix
                    body = line[line.index(after: colon)...]
                }
            }
            switch make(text: String(body), language: language, field: "rules line \(n + 1)") {
            case .success(let rule): rules.append(rule)
            case .failure(let error): issues.append(contentsOf: error.issues)
            }
        }
        return issues.isEmpty ? .success(rules) : .failure(ValidationError(issues))
    }
}

/// A rule as the matcher compares it: the features of its text.
struct ThemePattern: Sendable, Hashable {
    enum Mode: Sendable, Hashable {
        /// The features in a row; a feature marked in `prefix` need only start the comment's.
        case sequence
        /// Any feature containing the text (a single CJK character; unspaced Thai-like scripts).
        case inside
    }

    let features: [String]
    /// For each feature, whether it is a prefix (its word ended with `*`).
    let prefix: [Bool]
    let mode: Mode

    init?(_ text: String) {
        var features: [String] = []
        var prefix: [Bool] = []
        for word in text.split(whereSeparator: \.isWhitespace) {
            let starred = word.hasSuffix("*")
            let wordFeatures = Tokenizer.tokens(TextNormalizer.matchKey(String(starred ? word.dropLast() : word)))
            features.append(contentsOf: wordFeatures)
            prefix.append(contentsOf: wordFeatures.indices.map { starred && $0 == wordFeatures.count - 1 })
        }
        guard !features.isEmpty else { return nil }
        if features.count == 1, !prefix[0], let only = features.first,
           (only.count == 1 && Tokenizer.isCJK(only.first!)) || only.unicodeScalars.contains(where: Self.isUnspacedNonCJK) {
            mode = .inside
        } else {
            mode = .sequence
        }
        self.features = features
        self.prefix = prefix
    }

    /// Why `text` cannot be a rule, or nil when it can.
    static func problem(_ text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace)
        if words.contains(where: { $0.dropLast().contains("*") || $0 == "*" }) {
            return "may have * only at the end of a word (a prefix: yavaş*)"
        }
        if words.count > ThemeRule.maxWords { return "has more than \(ThemeRule.maxWords) words; a phrase should be short" }
        guard let pattern = ThemePattern(text) else {
            return "has no word to match: a rule needs letters or digits (a word of two or more, or one Chinese, Japanese or Korean character)"
        }
        if zip(pattern.features, pattern.prefix).contains(where: { $1 && $0.count < 2 }) { return "needs at least two letters before each *" }
        return nil
    }

    /// Thai, Lao, Khmer and Myanmar: unspaced scripts the tokenizer reads as one long word.
    private static func isUnspacedNonCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF: true
        default: false
        }
    }
}
