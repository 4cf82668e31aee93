import Foundation

/// The respondent-facing strings of one language (`Resources/Locales/<tag>.json`, see the README
/// there), with the language's direction and digits.
public struct Catalog: Sendable {
    /// The BCP 47 tag of the file (`pt-BR`, `zh-Hant`).
    public let locale: String
    /// Whether the language reads right to left (Arabic, Hebrew, Persian, Urdu).
    public let isRightToLeft: Bool
    /// The digits scores are written in: CLDR's default numbering system of the language.
    public let digits: Digits
    private let strings: [String: String]

    /// CLDR numbering systems in use by our catalogs.
    public enum Digits: String, Sendable {
        case latn, arab, arabext
    }

    init(locale: String, strings: [String: String]) {
        self.locale = locale
        self.strings = strings
        isRightToLeft = strings["language.direction"] == "rtl"
        digits = Digits(rawValue: strings["language.digits"] ?? strings["number.digits"] ?? "latn") ?? .latn
    }

    /// `dir` attribute value.
    public var direction: String { isRightToLeft ? "rtl" : "ltr" }

    /// The string for `key` with `{name}` placeholders filled in (values inserted as they are:
    /// escaping is the template's job). A key missing from a catalog falls back to English.
    public func text(_ key: String, _ values: [String: String] = [:]) -> String {
        var s = strings[key] ?? Catalog.english.strings[key] ?? key
        for (name, value) in values {
            s = s.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return s
    }

    /// A number in the language's digits (Western, Arabic-Indic or Persian).
    public func number(_ n: Int) -> String {
        let western = String(n)
        let zero: UInt32
        switch digits {
        case .latn: return western
        case .arab: zero = 0x0660
        case .arabext: zero = 0x06F0
        }
        return String(String.UnicodeScalarView(western.unicodeScalars.map { s in
            s.properties.numericType == .decimal ? Unicode.Scalar(zero + (s.value - 0x30))! : s
        }))
    }

    /// Every key of the English catalog (the reference every other must match).
    public var keys: [String] { strings.keys.sorted() }

    /// The raw string, without fallback (for checking catalogs).
    public func rawString(_ key: String) -> String? { strings[key] }
}

extension Catalog {
    /// Every catalog shipped, by tag.
    public static let all: [String: Catalog] = {
        var result: [String: Catalog] = [:]
        guard let directory = Bundle.module.url(forResource: "Locales", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) else { return result }
        for file in files where file.pathExtension == "json" {
            guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8),
                  case .object(let object)? = try? JSONValue.parse(text) else { continue }
            var strings: [String: String] = [:]
            for (key, value) in object { if case .string(let s) = value { strings[key] = s } }
            let tag = file.deletingPathExtension().lastPathComponent
            result[tag] = Catalog(locale: tag, strings: strings)
        }
        return result
    }()

    /// English, the last resort of every fallback.
    public static let english: Catalog = all["en"] ?? Catalog(locale: "en", strings: [:])

    /// The catalog for the first of `preferences` we have (each a language tag, or an
    /// Accept-Language header value), else English. The caller orders them: the contact's
    /// locale, then the browser's Accept-Language, then the survey's default language.
    public static func best(for preferences: [String?]) -> Catalog {
        for preference in preferences.compactMap({ $0 }) {
            for tag in acceptLanguageTags(preference) {
                if let catalog = match(tag) { return catalog }
            }
        }
        return english
    }

    /// The catalog for one tag: exact (case-insensitive), then the script or region we ship for
    /// its language (zh-TW → zh-Hant, pt → pt-BR, no → nb), then its base language.
    public static func match(_ tag: String) -> Catalog? {
        let lower = tag.lowercased()
        if let exact = byLowercasedTag[lower] { return exact }
        let parts = lower.split(separator: "-").map(String.init)
        guard let language = parts.first else { return nil }
        if language == "zh" {
            let traditional = parts.contains { ["hant", "tw", "hk", "mo"].contains($0) }
            return all[traditional ? "zh-Hant" : "zh-Hans"]
        }
        if let alias = ["pt": "pt-BR", "no": "nb", "nn": "nb", "iw": "he", "in": "id"][language] { return all[alias] }
        return byLowercasedTag[language]
    }

    private static let byLowercasedTag: [String: Catalog] = Dictionary(uniqueKeysWithValues: all.map { ($0.key.lowercased(), $0.value) })

    /// The tags of an Accept-Language value in order of preference (`q` weights; ties keep the
    /// header's order; `*` and q=0 ignored). A plain tag gives itself.
    public static func acceptLanguageTags(_ header: String) -> [String] {
        var weighted: [(tag: String, q: Double, index: Int)] = []
        for (index, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty, tag != "*", tag.count <= 35 else { continue }
            var q = 1.0
            for p in parts.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            if q > 0 { weighted.append((tag, q, index)) }
        }
        return weighted.sorted { $0.q != $1.q ? $0.q > $1.q : $0.index < $1.index }.map(\.tag)
    }
}
