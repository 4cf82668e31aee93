import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--config FILE` (or `ADVOCATE_CONFIG`): the settings of the environment variables, kept in a
/// file. One `name = value` per line; a name is the variable (`ADVOCATE_SMTP_URL`) or the flag
/// (`smtp-url`, `smtp_url`); `#` starts a comment; a value may be in double quotes.
///
/// Precedence stays flags > environment > file > defaults: a file value becomes an environment
/// variable only where the environment does not set one, before the command line is parsed, so
/// every option reads it the one way options already read the environment.
enum ConfigFile {
    /// The environment variables a file may set.
    static let names: [String] = [
        "ADVOCATE_DATA_DIR", "ADVOCATE_DATABASE_URL", "ADVOCATE_HOST", "ADVOCATE_PORT", "ADVOCATE_LOG_LEVEL", "ADVOCATE_LOG_FORMAT",
        "ADVOCATE_SMTP_URL", "ADVOCATE_MAIL_FROM", "ADVOCATE_PUBLIC_URL", "ADVOCATE_DKIM_KEY", "ADVOCATE_DKIM_SELECTOR",
        "ADVOCATE_DKIM_DOMAIN", "ADVOCATE_SMTP_CONCURRENCY", "ADVOCATE_SMTP_RATE", "ADVOCATE_JOB_LEASE_SECONDS",
        "ADVOCATE_DELIGHTED_RATE", "ADVOCATE_PUBLIC_RATE", "ADVOCATE_ONE_CLICK_RATE",
    ]

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The variable a name in the file stands for, or nil.
    static func variable(for name: String) -> String? {
        let upper = name.uppercased().replacingOccurrences(of: "-", with: "_")
        let full = upper.hasPrefix("ADVOCATE_") ? upper : "ADVOCATE_" + upper
        return names.contains(full) ? full : nil
    }

    /// The settings of a file's text, in order; every bad line is named.
    static func parse(_ text: String) throws -> [(name: String, value: String)] {
        var result: [(String, String)] = []
        var problems: [String] = []
        var seen: Set<String> = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let number = index + 1
            guard let equals = line.firstIndex(of: "=") else { problems.append("line \(number): expected name = value"); continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let variable = variable(for: name) else {
                problems.append("line \(number): unknown setting \"\(name)\" (known: \(names.map { $0.dropFirst(9).lowercased().replacingOccurrences(of: "_", with: "-") }.joined(separator: ", ")))")
                continue
            }
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else { problems.append("line \(number): unterminated quote"); continue }
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            guard seen.insert(variable).inserted else { problems.append("line \(number): \(name) is set twice"); continue }
            result.append((variable, value))
        }
        if !problems.isEmpty { throw Problem(description: problems.joined(separator: "\n")) }
        return result
    }

    /// The file named by `--config` in `arguments` or by `ADVOCATE_CONFIG`.
    static func path(in arguments: [String]) -> String? {
        for (i, argument) in arguments.enumerated() {
            if argument == "--config", i + 1 < arguments.count { return arguments[i + 1] }
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
        }
        return ProcessInfo.processInfo.environment["ADVOCATE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Loads the file into the environment (under what is already set). Exits with a precise
    /// message when the file cannot be read or has a bad line.
    static func apply(arguments: [String]) {
        guard let path = path(in: arguments) else { return }
        do {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw Problem(description: "cannot read it (\((error as NSError).localizedDescription))")
            }
            for (name, value) in try parse(text) where ProcessInfo.processInfo.environment[name] == nil {
                setenv(name, value, 0)
            }
        } catch {
            FileHandle.standardError.write(Data("Error: --config \(path): \(error)\n".utf8))
            exit(64)
        }
    }
}
