import Foundation
import NPS

/// A text the team writes once per language, or once for all: `"Your role?"` or
/// `{"en": "Your role?", "tr": "Rolünüz?"}`.
public struct LocalizedText: Sendable, Hashable {
    /// Language tag to text; the key `""` holds a text given for every language.
    public var texts: [String: String]

    public init(_ text: String) { texts = ["": text] }
    public init(texts: [String: String]) { self.texts = texts }

    /// The text for `locale`: its own, its base language's, the all-languages text, English's,
    /// then the first by tag (so every respondent sees something).
    public func resolve(_ locale: String) -> String {
        if let t = texts[locale] { return t }
        if let dash = locale.firstIndex(of: "-"), let t = texts[String(locale[..<dash])] { return t }
        if let t = texts[""] ?? texts["en"] { return t }
        return texts.keys.sorted().first.flatMap { texts[$0] } ?? ""
    }

    var json: JSONValue {
        if texts.count == 1, let t = texts[""] { return .string(t) }
        return .object(texts.mapValues { .string($0) })
    }

    static func read(_ value: JSONValue, path: String, maxCharacters: Int, issues: inout [ValidationIssue]) -> LocalizedText? {
        func check(_ s: String, _ field: String) -> Bool {
            if s.isEmpty { issues.append(ValidationIssue(field: field, message: "must not be empty")); return false }
            if s.unicodeScalars.count > maxCharacters {
                issues.append(ValidationIssue(field: field, message: "must be at most \(maxCharacters) characters")); return false
            }
            return true
        }
        switch value {
        case .string(let s):
            return check(s, path) ? LocalizedText(s) : nil
        case .object(let o) where !o.isEmpty:
            var texts: [String: String] = [:]
            var ok = true
            for (tag, v) in o {
                let field = "\(path).\(tag)"
                guard Identifiers.isValidLocale(tag) else { issues.append(ValidationIssue(field: field, message: "must be keyed by language tags such as en or pt-BR")); ok = false; continue }
                guard case .string(let s) = v else { issues.append(ValidationIssue(field: field, message: "must be a string, got \(v.typeName)")); ok = false; continue }
                if check(s, field) { texts[tag] = s } else { ok = false }
            }
            return ok ? LocalizedText(texts: texts) : nil
        default:
            issues.append(ValidationIssue(field: path, message: "must be a string, or an object of language tags to strings"))
            return nil
        }
    }
}

/// An optional question asked after the follow-up comment.
public struct ExtraQuestion: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case singleChoice = "single_choice", text, rating
    }

    /// Stable name: the key its answers are stored under.
    public var id: String
    public var kind: Kind
    public var prompt: LocalizedText
    /// Choices of a single-choice question (2…10), in display order.
    public var options: [LocalizedText]
    /// Asked only of this category, or of everyone.
    public var category: NPS.Category?

    public init(id: String, kind: Kind, prompt: LocalizedText, options: [LocalizedText] = [], category: NPS.Category? = nil) {
        self.id = id
        self.kind = kind
        self.prompt = prompt
        self.options = options
        self.category = category
    }

    /// Whether a respondent in `category` is asked this question.
    public func applies(to category: NPS.Category) -> Bool { self.category == nil || self.category == category }

    /// The stored answer for a submitted form value, or nil when the value is not a valid answer
    /// (an unknown option index, a rating outside 0–10). Empty means "not answered".
    public func answer(from value: String) -> JSONValue?? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .some(nil) }
        switch kind {
        case .text:
            return trimmed.unicodeScalars.count <= SurveySettings.textAnswerCharacters ? .some(.string(trimmed)) : nil
        case .rating:
            guard let n = Int(trimmed), (0...10).contains(n) else { return nil }
            return .some(.integer(Int64(n)))
        case .singleChoice:
            guard let n = Int(trimmed), options.indices.contains(n) else { return nil }
            // The option's text in the first language given, so answers group across languages.
            return .some(.string(options[n].resolve("en")))
        }
    }
}

/// A review site a promoter is invited to write on.
public struct ReviewSite: Sendable, Hashable {
    public var name: String
    public var url: String
    public init(name: String, url: String) { self.name = name; self.url = url }
}

/// How the survey looks and what it asks beyond the score, kept as JSON in `surveys.settings`.
public struct SurveySettings: Sendable, Hashable {
    public enum ScaleStyle: String, Sendable, Hashable, CaseIterable {
        /// 0–6 red, 7–8 yellow, 9–10 green.
        case categories
        /// One colour for every score, for teams who find coloured scales leading.
        case neutral
    }

    public var scaleStyle: ScaleStyle = .categories
    /// `#rrggbb`, used for buttons and focus rings.
    public var brandColor: String = "#1d2733"
    public var questions: [ExtraQuestion] = []
    public var reviewSites: [ReviewSite] = []
    /// Promoters' referral link; `{external_id}` and `{contact_id}` are filled in (URL-encoded).
    public var referralURL: String?
    /// The pre-written post on the share buttons; the catalog's `thanks.share_text` when nil.
    public var shareText: LocalizedText?
    /// The link the post shares.
    public var shareURL: String?
    /// Days a survey link stays valid after its message was sent.
    public var tokenDays: Int = SurveySettings.defaultTokenDays

    public init() {}

    public static let defaultTokenDays = 30
    public static let maxQuestions = 5
    public static let maxReviewSites = 5
    public static let textAnswerCharacters = 1_000

    /// The extra questions asked of `category`, in order.
    public func questions(for category: NPS.Category) -> [ExtraQuestion] { questions.filter { $0.applies(to: category) } }

    // MARK: - JSON

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "scale_style": .string(scaleStyle.rawValue),
            "brand_color": .string(brandColor),
            "token_days": .integer(Int64(tokenDays)),
            "questions": .array(questions.map { q in
                var m: [String: JSONValue] = ["id": .string(q.id), "type": .string(q.kind.rawValue), "prompt": q.prompt.json,
                                              "category": q.category.map { .string($0.rawValue) } ?? .null]
                if q.kind == .singleChoice { m["options"] = .array(q.options.map(\.json)) }
                return .object(m)
            }),
            "review_sites": .array(reviewSites.map { .object(["name": .string($0.name), "url": .string($0.url)]) }),
        ]
        o["referral_url"] = referralURL.map(JSONValue.string) ?? .null
        o["share_text"] = shareText?.json ?? .null
        o["share_url"] = shareURL.map(JSONValue.string) ?? .null
        return .object(o)
    }

    /// Reads stored settings; what cannot be read keeps its default (the API validated it when stored).
    public init(stored text: String) {
        self.init()
        guard let json = try? JSONValue.parse(text), case .object = json else { return }
        var ignored: [ValidationIssue] = []
        apply(json, path: "", issues: &ignored)
    }

    /// Reads the `settings` field of a survey create or patch: fields given replace the current
    /// ones, fields left out keep them.
    public static func decode(_ json: JSONValue, path: String, over base: SurveySettings) throws(ValidationError) -> SurveySettings {
        guard case .object = json else { throw ValidationError([ValidationIssue(field: path, message: "must be a JSON object, got \(json.typeName)")]) }
        var settings = base
        var issues: [ValidationIssue] = []
        settings.apply(json, path: path, issues: &issues)
        if !issues.isEmpty { throw ValidationError(issues) }
        return settings
    }

    private mutating func apply(_ json: JSONValue, path: String, issues: inout [ValidationIssue]) {
        let r = InputReader(json, path: path)
        if let v = r.string("scale_style", maxCharacters: 20, nullable: false) {
            if let s = ScaleStyle(rawValue: v) { scaleStyle = s } else { r.fail("scale_style", "must be categories or neutral") }
        }
        if let v = r.string("brand_color", maxCharacters: 7, nullable: false) {
            if Self.isHexColor(v) { brandColor = v.lowercased() } else { r.fail("brand_color", "must be a colour as #rrggbb, got \"\(v)\"") }
        }
        if let v = r.integer("token_days", in: 1...365) { tokenDays = Int(v) }
        if let v = r.value("questions") { questions = Self.readQuestions(v, path: r.name("questions"), reader: r) }
        if let v = r.value("review_sites") { reviewSites = Self.readSites(v, path: r.name("review_sites"), reader: r) }
        if r.has("referral_url") {
            referralURL = r.string("referral_url", maxCharacters: 2_000).flatMap { url in
                Self.isWebURL(url) ? url : { r.fail("referral_url", "must be an https:// or http:// URL"); return nil }()
            }
        }
        if r.has("share_url") {
            shareURL = r.string("share_url", maxCharacters: 2_000).flatMap { url in
                Self.isWebURL(url) ? url : { r.fail("share_url", "must be an https:// or http:// URL"); return nil }()
            }
        }
        if let v = r.value("share_text") {
            if case .null = v { shareText = nil } else {
                var nested: [ValidationIssue] = []
                shareText = LocalizedText.read(v, path: r.name("share_text"), maxCharacters: 280, issues: &nested)
                r.absorb(nested)
            }
        }
        r.rejectUnknownFields()
        issues.append(contentsOf: r.issues)
    }

    private static func readQuestions(_ value: JSONValue, path: String, reader r: InputReader) -> [ExtraQuestion] {
        guard case .array(let items) = value else { r.fail("questions", "must be an array"); return [] }
        if items.count > maxQuestions { r.fail("questions", "must have at most \(maxQuestions) questions, got \(items.count)"); return [] }
        var result: [ExtraQuestion] = []
        var seen: Set<String> = []
        for (i, item) in items.enumerated() {
            let q = InputReader(item, path: "\(path)[\(i)]")
            let id = q.string("id", required: true, maxCharacters: 40, nullable: false)
            if let id, !id.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) {
                q.fail("id", "must use only a-z, 0-9 and _")
            }
            if let id, !seen.insert(id).inserted { q.fail("id", "is used by an earlier question") }
            let kind = q.string("type", required: true, maxCharacters: 20, nullable: false).flatMap { t in
                ExtraQuestion.Kind(rawValue: t) ?? { q.fail("type", "must be single_choice, text or rating"); return nil }()
            }
            var nested: [ValidationIssue] = []
            let prompt = q.value("prompt").flatMap { LocalizedText.read($0, path: q.name("prompt"), maxCharacters: 300, issues: &nested) }
            if !q.has("prompt") { q.fail("prompt", "is required") }
            var options: [LocalizedText] = []
            if let v = q.value("options") {
                if case .array(let list) = v, kind == .singleChoice, (2...10).contains(list.count) {
                    options = list.enumerated().compactMap { j, o in LocalizedText.read(o, path: "\(q.name("options"))[\(j)]", maxCharacters: 200, issues: &nested) }
                } else {
                    q.fail("options", kind == .singleChoice ? "must be an array of 2 to 10 choices" : "is only for single_choice questions")
                }
            } else if kind == .singleChoice {
                q.fail("options", "is required for single_choice questions")
            }
            var category: NPS.Category?
            if let c = q.string("category", maxCharacters: 20) {
                category = NPS.Category(rawValue: c)
                if category == nil { q.fail("category", "must be detractor, passive, promoter or null") }
            }
            q.absorb(nested)
            q.rejectUnknownFields()
            r.absorb(q.issues)
            if q.issues.isEmpty, let id, let kind, let prompt {
                result.append(ExtraQuestion(id: id, kind: kind, prompt: prompt, options: options, category: category))
            }
        }
        return result
    }

    private static func readSites(_ value: JSONValue, path: String, reader r: InputReader) -> [ReviewSite] {
        guard case .array(let items) = value else { r.fail("review_sites", "must be an array"); return [] }
        if items.count > maxReviewSites { r.fail("review_sites", "must have at most \(maxReviewSites) sites"); return [] }
        return items.enumerated().compactMap { i, item in
            let s = InputReader(item, path: "\(path)[\(i)]")
            let name = s.string("name", required: true, maxCharacters: 60, nullable: false)
            let url = s.string("url", required: true, maxCharacters: 2_000, nullable: false)
            if let url, !isWebURL(url) { s.fail("url", "must be an https:// or http:// URL") }
            s.rejectUnknownFields()
            r.absorb(s.issues)
            guard s.issues.isEmpty, let name, let url else { return nil }
            return ReviewSite(name: name, url: url)
        }
    }

    /// `#rrggbb`: anything else could break out of a style attribute.
    public static func isHexColor(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count == 7 && u[0] == UInt8(ascii: "#") && u.dropFirst().allSatisfy { (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) }
    }

    /// An absolute http(s) URL without spaces or quotes (it is put into pages and share links).
    public static func isWebURL(_ s: String) -> Bool {
        let lower = s.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return false }
        let rest = lower.drop(while: { $0 != "/" }).dropFirst(2)
        return !rest.isEmpty && !rest.hasPrefix("/") && !s.unicodeScalars.contains { $0.value <= 0x20 || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" || $0.value == 0x7F }
    }
}
