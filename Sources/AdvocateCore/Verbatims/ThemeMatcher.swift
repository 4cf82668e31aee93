/// Tags comments with themes by their rules: built once from every rule of a workspace, then asked
/// for each comment.
///
/// A comment is read once (match key, then features) whatever the number of rules: each feature
/// is looked up in a table of the rules' first features, and prefix rules by the feature's
/// prefixes of the lengths they use; rules matching inside words (Thai and the like, a single CJK
/// character) by the characters of each feature.
public struct ThemeMatcher: Sendable {
    private struct Entry: Sendable {
        var theme: Int64
        var language: String?
        var rule: ThemeRule
        var pattern: ThemePattern
    }

    private var entries: [Entry] = []
    /// Sequence rules by their first feature, when it is a whole word.
    private var byFirst: [String: [Int]] = [:]
    /// Sequence rules whose first feature is a prefix, by that prefix.
    private var prefixes: [Substring: [Int]] = [:]
    /// The lengths, in characters, of the keys of `prefixes`.
    private var prefixLengths: [Int] = []
    /// Rules matching inside a feature, by the first character of their text: a feature is
    /// looked at character by character only against rules starting with that character.
    private var inside: [Character: [Int]] = [:]

    /// A matcher for `rules`, each with the id of its theme.
    public init(_ rules: some Sequence<(theme: Int64, rule: ThemeRule)>) {
        var lengths: Set<Int> = []
        for (theme, rule) in rules {
            guard let pattern = ThemePattern(rule.text) else { continue }
            let index = entries.count
            entries.append(Entry(theme: theme, language: rule.language, rule: rule, pattern: pattern))
            switch pattern.mode {
            case .inside:
                inside[pattern.features[0].first!, default: []].append(index)
            case .sequence where pattern.prefix[0]:
                prefixes[Substring(pattern.features[0]), default: []].append(index)
                lengths.insert(pattern.features[0].count)
            case .sequence:
                byFirst[pattern.features[0], default: []].append(index)
            }
        }
        prefixLengths = lengths.sorted()
    }

    /// Whether there is no rule at all (nothing can match).
    public var isEmpty: Bool { entries.isEmpty }

    /// The themes whose rules match `comment`, written in `locale` (a language tag; nil when
    /// unknown, and then rules of every language apply, because the comment may be in any).
    public func themes(of comment: String, locale: String?) -> Set<Int64> {
        Set(matches(comment, locale: locale).map { entries[$0].theme })
    }

    /// Each rule that matches `comment`, with its theme, in the order the rules were given.
    public func matchingRules(of comment: String, locale: String?) -> [(theme: Int64, rule: ThemeRule)] {
        matches(comment, locale: locale).sorted().map { (entries[$0].theme, entries[$0].rule) }
    }

    /// The indices of the entries that match.
    private func matches(_ comment: String, locale: String?) -> Set<Int> {
        guard !entries.isEmpty else { return [] }
        let features = Tokenizer.tokens(TextNormalizer.matchKey(comment))
        guard !features.isEmpty else { return [] }
        let language = locale.flatMap(ThemeRule.languageCode)
        var matched = Set<Int>()
        func consider(_ index: Int, at position: Int) {
            let entry = entries[index]
            if let wanted = entry.language, let language, wanted != language { return }
            if matched.contains(index) { return }
            if Self.matches(entry.pattern, features, at: position) { matched.insert(index) }
        }
        for (position, feature) in features.enumerated() {
            if let candidates = byFirst[feature] { for index in candidates { consider(index, at: position) } }
            if !prefixLengths.isEmpty {
                for length in prefixLengths {
                    guard length <= feature.count else { break }
                    if let candidates = prefixes[feature.prefix(length)] { for index in candidates { consider(index, at: position) } }
                }
            }
        }
        if !inside.isEmpty {
            for feature in features {
                var rest = Substring(feature)
                while let first = rest.first {
                    for index in inside[first] ?? [] where !matched.contains(index) {
                        let entry = entries[index]
                        if let wanted = entry.language, let language, wanted != language { continue }
                        if rest.hasPrefix(entry.pattern.features[0]) { matched.insert(index) }
                    }
                    rest = rest.dropFirst()
                }
            }
        }
        return matched
    }

    /// Whether `pattern` (a sequence) matches `features` starting at `position`.
    private static func matches(_ pattern: ThemePattern, _ features: [String], at position: Int) -> Bool {
        guard pattern.mode == .sequence, position + pattern.features.count <= features.count else { return false }
        for (offset, wanted) in pattern.features.enumerated() {
            let feature = features[position + offset]
            if pattern.prefix[offset] ? !feature.hasPrefix(wanted) : feature != wanted { return false }
        }
        return true
    }
}
