import Foundation

/// The optional starter set: common reasons people give about a software product (support speed,
/// pricing, bugs and reliability, ease of use, features, onboarding, performance,
/// documentation), each with keywords in the 32 survey languages (`Resources/Themes/starter.json`).
/// A workspace installs it in one call and edits it like any theme it made.
public enum StarterThemes {
    /// One theme of the set.
    public struct Theme: Sendable, Hashable {
        public let name: String
        public let rules: [ThemeRule]
    }

    /// The themes, in the file's order; a rule the file gets wrong is left out (the tests check
    /// that there is none).
    public static let all: [Theme] = load().themes

    /// Every problem with the file's rules, as the API would name them (empty when it is right).
    public static var problems: [ValidationIssue] { load().problems }

    private static func load() -> (themes: [Theme], problems: [ValidationIssue]) {
        guard let url = Bundle.module.url(forResource: "starter", withExtension: "json", subdirectory: "Themes"),
              let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8),
              case .array(let themes)? = (try? JSONValue.parse(text))?["themes"] else {
            return ([], [ValidationIssue(field: "", message: "Resources/Themes/starter.json is missing or not JSON")])
        }
        var result: [Theme] = []
        var problems: [ValidationIssue] = []
        for theme in themes {
            guard case .string(let name)? = theme["name"], case .object(let byLanguage)? = theme["rules"] else { continue }
            var rules: [ThemeRule] = []
            for language in byLanguage.keys.sorted() {
                guard case .array(let texts)? = byLanguage[language] else { continue }
                for case .string(let text) in texts {
                    switch ThemeRule.make(text: text, language: language, field: "\(name).\(language)") {
                    case .success(let rule): rules.append(rule)
                    case .failure(let error): problems.append(contentsOf: error.issues)
                    }
                }
            }
            result.append(Theme(name: name, rules: rules))
        }
        return (result, problems)
    }
}
