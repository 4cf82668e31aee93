import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Python fixtures (posix_spawn, not Foundation's Process)

/// Runs the Python fixtures under Tests/MailSupport/Fixtures with `python3` from PATH.
///
/// posix_spawn and waitpid rather than Foundation's Process: Process.waitUntilExit hung in this
/// environment once a child had started background processes (see Tests/Support/Subprocess.swift,
/// whose approach this copies without depending on that target).
public enum Python {
    /// Tests/MailTests/Fixtures.
    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fresh temporary directory.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `python3 arguments…` to completion; returns exit status, stdout and stderr.
    public static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try temporaryDirectory("mail-python")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path
        let err = directory.appendingPathComponent("err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let pid = try spawn(["python3"] + arguments, actions: &actions)
        let status = wait(for: pid)
        return (status,
                (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Starts `python3 arguments…` with stdout on a pipe (read by the caller) and stderr in a file.
    public static func start(_ arguments: [String], stderr: String) throws -> (pid: pid_t, stdout: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw FixtureError("pipe() failed: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        do {
            let pid = try spawn(["python3"] + arguments, actions: &actions)
            close(fds[1])
            return (pid, fds[0])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
    }

    private static func spawn(_ arguments: [String], actions: inout posix_spawn_file_actions_t) throws -> pid_t {
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environment)
        guard result == 0 else { throw FixtureError("posix_spawn python3 failed: \(result)") }
        return pid
    }

    /// Waits for `pid`; its exit status, or -1 when it died of a signal.
    @discardableResult
    public static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }
}

/// A fixture that could not run; its message says what to install or look at.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
