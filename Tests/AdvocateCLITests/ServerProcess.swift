import Foundation
import HummingbirdTesting
import HTTPTypes
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// `advocate serve` running as a separate process, as an operator runs it: started on a free
/// port, spoken to over HTTP, and stopped with SIGTERM or killed with SIGKILL.
final class ServerProcess: @unchecked Sendable {
    let pid: pid_t
    let port: Int
    let stderrPath: String
    private var exited = false

    /// Starts the built binary with `arguments` (`serve` is prepended, `--port 0` appended) and
    /// waits for its "advocate listening on" line.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("advocate").path
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("advocate-serve-\(UUID().uuidString).err").path
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("ADVOCATE_") { env[key] = nil }
        env.merge(environment) { _, new in new }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ServerProcessError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary, "serve"] + arguments + ["--port", "0"]).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        close(fds[1])
        guard spawned == 0 else { close(fds[0]); throw ServerProcessError("cannot start \(binary): \(spawned)") }
        self.pid = pid
        // The one line the server prints on stdout once it listens (or EOF if it exits).
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fds[0], &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        close(fds[0])
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw ServerProcessError("advocate serve did not start: \(log)")
        }
        self.port = port
    }

    /// What the server logged.
    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// SIGKILL: no chance to finish anything.
    func kill9() {
        guard !exited else { return }
        kill(pid, SIGKILL)
        reap()
    }

    /// SIGTERM, then waits for a graceful exit; returns the exit status.
    @discardableResult
    func terminate() -> Int32 {
        guard !exited else { return 0 }
        kill(pid, SIGTERM)
        return reap()
    }

    @discardableResult
    private func reap() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        exited = true
        return status
    }

    /// Sends one request; the body is JSON when given. The test client gives up connecting after
    /// a fixed 5 s, which a machine busy with the whole suite can exceed before this process
    /// even runs the callback; a connection that was never made sent nothing, so it is tried again.
    func request(_ method: HTTPRequest.Method, _ path: String, token: String?, json: String? = nil) async throws -> (status: Int, body: String) {
        for attempt in 1... {
            do {
                return try await send(method, path, token: token, json: json)
            } catch ChannelError.connectTimeout where attempt < 4 {
                continue
            }
        }
        fatalError("unreachable")
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, token: String?, json: String?) async throws -> (status: Int, body: String) {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))) { client in
            var headers: HTTPFields = [:]
            if let token { headers[.authorization] = "Bearer \(token)" }
            if json != nil { headers[.contentType] = "application/json" }
            let response = try await client.execute(TestClient.Request(path, method: method, authority: "127.0.0.1", headers: headers,
                                                                       body: json.map { ByteBuffer(string: $0) }))
            return (Int(response.status.code), response.body.map { String(buffer: $0) } ?? "")
        }
    }
}

struct ServerProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
