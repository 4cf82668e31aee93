import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - aiosmtpd started by the tests

/// An aiosmtpd server (Fixtures/smtp_server.py) on a free port of 127.0.0.1, for one test.
public struct TestSMTPServer: Sendable {
    public let port: Int
    public let directory: URL
    fileprivate let pid: pid_t
    /// The fixture's stdout when started with `--announce` (one "msg N" line per message).
    fileprivate let announcements: Int32?

    /// The throwaway CA that signed the server's certificate (with `--tls`).
    public var caPEM: String { (try? String(contentsOf: directory.appendingPathComponent("ca.pem"), encoding: .utf8)) ?? "" }

    /// Starts a server with the fixture's `options`, runs `body`, then kills it. Fails loudly
    /// (not a skip) when aiosmtpd or trustme is missing: `pip install aiosmtpd dkimpy trustme`.
    @discardableResult
    public static func with<T>(_ options: [String] = [], _ body: (TestSMTPServer) async throws -> T) async throws -> T {
        let server = try await start(options)
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    private static func start(_ options: [String]) async throws -> TestSMTPServer {
        let directory = try Python.temporaryDirectory("mail-smtp")
        let stderr = directory.appendingPathComponent("server.err").path
        let script = Python.fixtures.appendingPathComponent("smtp_server.py").path
        let (pid, stdout) = try Python.start([script, "--dir", directory.path] + options, stderr: stderr)
        // The fixture prints "ready PORT" once it accepts connections; block on that line (off
        // the cooperative pool) instead of polling or sleeping.
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: readLine(from: stdout))
            }
        }
        let announcing = options.contains("--announce")
        if !announcing { close(stdout) }
        let words = line.split(separator: " ")
        guard words.count == 2, words[0] == "ready", let port = Int(words[1]) else {
            kill(pid, SIGKILL)
            Python.wait(for: pid)
            if announcing { close(stdout) }
            let log = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: directory)
            throw FixtureError("the aiosmtpd fixture did not start (is `pip install aiosmtpd dkimpy trustme` done?): \(log)")
        }
        return TestSMTPServer(port: port, directory: directory, pid: pid, announcements: announcing ? stdout : nil)
    }

    /// Reads up to the first newline (or EOF) from a blocking descriptor.
    private static func readLine(from fd: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Kills the server (each message was on disk before its 250 went out) and removes its files.
    public func stop() {
        kill(pid, SIGKILL)
        Python.wait(for: pid)
        if let announcements { close(announcements) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Blocks (off the cooperative pool) until the server has stored `count` messages in all, or
    /// `timeoutSeconds` pass without a new one; returns how many it has. Needs `--announce`.
    public func waitForMessages(_ count: Int, timeoutSeconds: Int32) async -> Int {
        guard let fd = announcements else { return 0 }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var seen = 0
                var line: [UInt8] = []
                var byte: UInt8 = 0
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while seen < count {
                    guard poll(&poller, 1, timeoutSeconds * 1000) == 1, read(fd, &byte, 1) == 1 else { break }
                    if byte == UInt8(ascii: "\n") {
                        if line.starts(with: Array("msg ".utf8)), let n = Int(String(decoding: line.dropFirst(4), as: UTF8.self)) { seen = n }
                        line = []
                    } else {
                        line.append(byte)
                    }
                }
                continuation.resume(returning: seen)
            }
        }
    }

    /// The messages the server accepted, in order.
    public func messages() throws -> [ReceivedMessage] {
        var result: [ReceivedMessage] = []
        var index = 1
        while true {
            let base = directory.appendingPathComponent("msg-\(index)")
            guard let meta = try? Data(contentsOf: base.appendingPathExtension("json")) else { return result }
            let bytes = try [UInt8](Data(contentsOf: base.appendingPathExtension("eml")))
            guard let object = try JSONSerialization.jsonObject(with: meta) as? [String: Any] else {
                throw FixtureError("msg-\(index).json is not an object")
            }
            result.append(ReceivedMessage(bytes: bytes, meta: object, path: base.appendingPathExtension("eml").path))
            index += 1
        }
    }
}

/// A message as aiosmtpd stored it, with what it saw of the session.
public struct ReceivedMessage {
    public let bytes: [UInt8]
    public let meta: [String: Any]
    public let path: String

    public var mailFrom: String? { meta["mail_from"] as? String }
    public var recipients: [String] { meta["rcpt_tos"] as? [String] ?? [] }
    public var mailOptions: [String] { meta["mail_options"] as? [String] ?? [] }
    public var authMechanism: String? { meta["auth_mechanism"] as? String }
    public var authLogin: String? { meta["auth_login"] as? String }
    public var overTLS: Bool { meta["tls"] as? Bool ?? false }
    public var pipelined: Bool { meta["pipelined"] as? Bool ?? false }
    public var extended: Bool { meta["extended"] as? Bool ?? false }
}
