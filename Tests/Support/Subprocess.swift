import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion, its stdout (and stderr) in files; returns its exit status.
///
/// posix_spawn and waitpid rather than Foundation's Process: on Linux, Process.waitUntilExit
/// never returned here once a child had started a PostgreSQL server in the background.
public func runProgram(_ path: String, _ arguments: [String], stdout: String, stderr: String?,
                       environment: [String: String]? = nil) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { env.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, path, &actions, nil, argv, env) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
    return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
}

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// The last non-empty line of stdout.
    public var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
}

/// Runs the `advocate` binary built beside the test bundle.
public func runAdvocate(_ arguments: [String], environment: [String: String] = [:]) -> CommandResult {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("advocate").path
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("advocate-cli-\(UUID().uuidString)").path
    var env = ProcessInfo.processInfo.environment
    // The tests say where the data is; a developer's own settings must not leak in.
    for key in env.keys where key.hasPrefix("ADVOCATE_") { env[key] = nil }
    env.merge(environment) { _, new in new }
    let status = runProgram(binary, arguments, stdout: base + ".out", stderr: base + ".err", environment: env)
    defer {
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
    }
    return CommandResult(status: status,
                         stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
}
