/// Tags comments with themes by their rules: built once from every rule of a workspace, then asked
/// for each comment.
///
/// A comment is read once (match key, then features) whatever the number of rules. On the fast
/// road (`FastText`, nearly every comment) features are byte ranges of the key: each is hashed
/// once and looked up among the rules' words, and its prefixes of the lengths prefix rules use
/// are looked up on the way; rules matching inside words (Thai and the like, a single CJK
/// character) are looked up by each scalar of each feature. Comments and rules the fast road
/// cannot read are matched the plain way (`PlainThemeMatcher`, on `String`s), with the same result.
public struct ThemeMatcher: Sendable {
    struct Entry: Sendable {
        var theme: Int64
        var language: String?
        var rule: ThemeRule
        var pattern: ThemePattern
    }

    /// One feature of a rule read the fast way: bytes of `pool`, and its number in `words` when
    /// it is a whole word of a sequence rule (-1 for a prefix and for a rule matching inside).
    private struct Element: Sendable {
        var start: Int
        var end: Int
        var word: Int32
    }

    private var entries: [Entry] = []
    /// Every rule, the plain way: for comments the fast road cannot read.
    private var plain = PlainThemeMatcher([], only: [])
    /// The rules the fast road cannot read (their text has combining marks, say), the plain way,
    /// for comments it can; nil when there are none.
    private var plainOnly: PlainThemeMatcher?
    /// Each rule's theme.
    private var ruleThemes: [Int64] = []
    /// Each rule's language as a number of `languageNumbers`; -1 for every language.
    private var ruleLanguages: [Int32] = []
    private var languageNumbers: [String: Int32] = [:]
    /// The features of the rules read the fast way, one after the other.
    private var pool: [UInt8] = []
    private var elements: [Element] = []
    /// Rule i's features are `elements[ruleElements[i]..<ruleElements[i + 1]]`.
    private var ruleElements: [Int] = [0]
    /// Whole words of sequence rules.
    private var words = ByteTerms()
    /// Sequence rules by the number of their first feature in `words`, when it is a whole word.
    private var byWord = RuleLists()
    /// First features of sequence rules that are prefixes.
    private var prefixes = ByteTerms()
    /// Sequence rules by the number of their first feature in `prefixes`.
    private var byPrefix = RuleLists()
    /// Whether some prefix in `prefixes` is this many bytes long.
    private var prefixLengths: [Bool] = []
    /// Rules matching inside a feature, by the first scalar of their text.
    private var inside: [UInt32: [Int32]] = [:]
    /// Bit `scalar % 4096` is set when some rule in `inside` starts with such a scalar: most
    /// scalars are dismissed without a dictionary lookup.
    private var insideFilter: [UInt64] = Array(repeating: 0, count: 64)

    /// A matcher for `rules`, each with the id of its theme.
    public init(_ rules: some Sequence<(theme: Int64, rule: ThemeRule)>) {
        var plainOnly: [Int] = []
        var byWord: [Int: [Int32]] = [:]
        var byPrefix: [Int: [Int32]] = [:]
        for (theme, rule) in rules {
            guard let pattern = ThemePattern(rule.text) else { continue }
            let index = entries.count
            entries.append(Entry(theme: theme, language: rule.language, rule: rule, pattern: pattern))
            ruleThemes.append(theme)
            if let language = rule.language {
                let next = Int32(languageNumbers.count)
                ruleLanguages.append(languageNumbers[language, default: next])
                languageNumbers[language] = ruleLanguages[index]
            } else {
                ruleLanguages.append(-1)
            }
            defer { ruleElements.append(elements.count) }
            guard let features = Self.fastFeatures(rule.text), features.count == pattern.features.count else {
                plainOnly.append(index)
                continue
            }
            for (feature, isPrefix) in zip(features, pattern.prefix) {
                let word = pattern.mode == .sequence && !isPrefix ? Int32(words.intern(feature)) : -1
                elements.append(Element(start: pool.count, end: pool.count + feature.count, word: word))
                pool += feature
            }
            switch pattern.mode {
            case .inside:
                let first = features[0].withUnsafeBufferPointer { FastText.decode($0, at: 0).0 }
                inside[first, default: []].append(Int32(index))
                insideFilter[Int(first & 4095) >> 6] |= 1 << UInt64(first & 63)
            case .sequence where pattern.prefix[0]:
                byPrefix[prefixes.intern(features[0]), default: []].append(Int32(index))
                let length = features[0].count
                if prefixLengths.count <= length { prefixLengths += Array(repeating: false, count: length + 1 - prefixLengths.count) }
                prefixLengths[length] = true
            case .sequence:
                byWord[Int(elements[ruleElements[index]].word), default: []].append(Int32(index))
            }
        }
        self.byWord = RuleLists(byWord, count: words.count)
        self.byPrefix = RuleLists(byPrefix, count: prefixes.count)
        plain = PlainThemeMatcher(entries, only: Array(entries.indices))
        self.plainOnly = plainOnly.isEmpty ? nil : PlainThemeMatcher(entries, only: plainOnly)
    }

    /// The features of a rule's text read the fast way, word by word as `ThemePattern` reads
    /// them, or nil when a word needs the plain road.
    private static func fastFeatures(_ text: String) -> [[UInt8]]? {
        var features: [[UInt8]] = []
        for word in text.split(whereSeparator: \.isWhitespace) {
            let bare = String(word.hasSuffix("*") ? word.dropLast() : word)
            guard let reading = FastText.read(bare) else { return nil }
            features += reading.features.map { Array(reading.key[$0]) }
        }
        return features
    }

    /// Whether there is no rule at all (nothing can match).
    public var isEmpty: Bool { entries.isEmpty }

    /// The themes whose rules match `comment`, written in `locale` (a language tag; nil when
    /// unknown, and then rules of every language apply, because the comment may be in any).
    public func themes(of comment: String, locale: String?) -> Set<Int64> {
        Set(matches(comment, locale: locale).map { ruleThemes[$0] })
    }

    /// Each rule that matches `comment`, with its theme, in the order the rules were given.
    public func matchingRules(of comment: String, locale: String?) -> [(theme: Int64, rule: ThemeRule)] {
        matches(comment, locale: locale).sorted().map { (entries[$0].theme, entries[$0].rule) }
    }

    /// `themes(of:locale:)` the plain way only (`ReferenceText`, `PlainThemeMatcher`): what the
    /// fast road is checked against.
    func referenceThemes(of comment: String, locale: String?) -> Set<Int64> {
        guard !entries.isEmpty else { return [] }
        let features = ReferenceText.tokens(ReferenceText.matchKey(comment))
        return Set(plain.matches(features, language: locale.flatMap(ThemeRule.languageCode)).map { entries[$0].theme })
    }

    /// The indices of the entries that match.
    private func matches(_ comment: String, locale: String?) -> [Int] {
        guard !entries.isEmpty else { return [] }
        let language = locale.flatMap(ThemeRule.languageCode)
        guard let reading = FastText.read(comment) else {
            return Array(plain.matches(Tokenizer.tokens(TextNormalizer.matchKey(comment)), language: language))
        }
        guard !reading.features.isEmpty else { return [] }
        var matched = reading.key.withUnsafeBufferPointer { fastMatches(key: $0, features: reading.features, language: language) }
        if let plainOnly, plainOnly.applies(to: language) {
            let tokens = reading.key.withUnsafeBufferPointer { key in
                reading.features.map { String(decoding: UnsafeBufferPointer(rebasing: key[$0]), as: UTF8.self) }
            }
            matched = Array(Set(matched).union(plainOnly.matches(tokens, language: language)))
        }
        return matched
    }

    private func fastMatches(key: UnsafeBufferPointer<UInt8>, features: [Range<Int>], language: String?) -> [Int] {
        // -2: the comment's language is unknown, so every rule applies; -3: no rule is for it.
        let commentLanguage: Int32 = language.map { languageNumbers[$0] ?? -3 } ?? -2
        var matched: [Int] = []
        // Each feature's number among the rules' whole words (-1: none).
        var wordIDs: [Int32] = []
        wordIDs.reserveCapacity(features.count)
        var candidates: [(index: Int32, position: Int)] = []
        for (position, range) in features.enumerated() {
            var state = ByteTerms.seed
            for offset in range {
                state = ByteTerms.hash(state, key[offset])
                let length = offset + 1 - range.lowerBound
                if length < prefixLengths.count, prefixLengths[length], offset + 1 == range.upperBound || key[offset + 1] & 0xC0 != 0x80,
                   let id = prefixes.find(UnsafeBufferPointer(rebasing: key[range.lowerBound...offset]), hash: state) {
                    for index in byPrefix[id] { candidates.append((index, position)) }
                }
            }
            let word = words.find(UnsafeBufferPointer(rebasing: key[range]), hash: state) ?? -1
            wordIDs.append(Int32(word))
            if word >= 0 { for index in byWord[word] { candidates.append((index, position)) } }
        }
        for (index, position) in candidates {
            let index = Int(index)
            guard applies(index, to: commentLanguage), !matched.contains(index) else { continue }
            if sequenceMatches(index, key: key, features: features, wordIDs: wordIDs, at: position) { matched.append(index) }
        }
        if !inside.isEmpty {
            for range in features {
                var i = range.lowerBound
                while i < range.upperBound {
                    let (scalar, length) = FastText.decode(key, at: i)
                    if insideFilter[Int(scalar & 4095) >> 6] & (1 << UInt64(scalar & 63)) != 0, let rules = inside[scalar] {
                        for index in rules.lazy.map(Int.init) where applies(index, to: commentLanguage) && !matched.contains(index) {
                            if startsWith(key, at: i, end: range.upperBound, elements[ruleElements[index]]) { matched.append(index) }
                        }
                    }
                    i += length
                }
            }
        }
        return matched
    }

    @inline(__always)
    private func applies(_ index: Int, to language: Int32) -> Bool {
        let wanted = ruleLanguages[index]
        return wanted == -1 || language == -2 || wanted == language
    }

    /// Whether `key[i..<end]` starts with the bytes of `element`.
    @inline(__always)
    private func startsWith(_ key: UnsafeBufferPointer<UInt8>, at i: Int, end: Int, _ element: Element) -> Bool {
        guard element.end - element.start <= end - i else { return false }
        var k = i
        for j in element.start..<element.end {
            if key[k] != pool[j] { return false }
            k += 1
        }
        return true
    }

    /// Whether the sequence rule `index` matches the features starting at `position`.
    private func sequenceMatches(_ index: Int, key: UnsafeBufferPointer<UInt8>, features: [Range<Int>], wordIDs: [Int32],
                                 at position: Int) -> Bool {
        let first = ruleElements[index]
        let count = ruleElements[index + 1] - first
        guard position + count <= features.count else { return false }
        for offset in 0..<count {
            let element = elements[first + offset]
            if element.word < 0 {
                let range = features[position + offset]
                if !startsWith(key, at: range.lowerBound, end: range.upperBound, element) { return false }
            } else if wordIDs[position + offset] != element.word {
                return false
            }
        }
        return true
    }
}

/// Lists of rule numbers by a number (a word's, a prefix's), one after the other.
private struct RuleLists: Sendable {
    private var starts: [Int] = [0]
    private var rules: [Int32] = []

    init() {}

    init(_ lists: [Int: [Int32]], count: Int) {
        for id in 0..<count {
            rules += lists[id] ?? []
            starts.append(rules.count)
        }
    }

    subscript(id: Int) -> ArraySlice<Int32> { rules[starts[id]..<starts[id + 1]] }
}

/// Rules matched on features as `String`s: the way for text the fast road cannot read.
struct PlainThemeMatcher: Sendable {
    private let entries: [ThemeMatcher.Entry]
    /// Sequence rules by their first feature, when it is a whole word.
    private var byFirst: [String: [Int]] = [:]
    /// Sequence rules whose first feature is a prefix, by that prefix.
    private var prefixes: [Substring: [Int]] = [:]
    /// The lengths, in characters, of the keys of `prefixes`.
    private var prefixLengths: [Int] = []
    /// Rules matching inside a feature, by the first character of their text: a feature is
    /// looked at character by character only against rules starting with that character.
    private var inside: [Character: [Int]] = [:]
    /// The languages of the rules; `anyLanguage` when one is for every language.
    private var languages: Set<String> = []
    private var anyLanguage = false

    /// A matcher for the entries at `only` among `entries`; it answers with indices of `entries`.
    init(_ entries: [ThemeMatcher.Entry], only: [Int]) {
        self.entries = entries
        var lengths: Set<Int> = []
        for index in only {
            let entry = entries[index]
            if let language = entry.language { languages.insert(language) } else { anyLanguage = true }
            let pattern = entry.pattern
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

    /// Whether some rule applies to comments in `language`.
    func applies(to language: String?) -> Bool {
        anyLanguage || language.map(languages.contains) ?? !languages.isEmpty
    }

    /// The indices of the entries that match a comment with these features.
    func matches(_ features: [String], language: String?) -> Set<Int> {
        guard !features.isEmpty else { return [] }
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
