import AdvocateCore
import AdvocateStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import SQLKit

/// The databases every store and API test runs on.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// SQLite always; PostgreSQL when a server is given (`ADVOCATE_TEST_POSTGRES_URL`) or its
    /// binaries are installed. Skipping PostgreSQL is announced loudly, and is an error when
    /// `ADVOCATE_REQUIRE_POSTGRES=1` (CI sets it).
    public static let available: [TestBackend] = {
        if PostgresTestCluster.isAvailable { return [.sqlite, .postgres] }
        let message = "\n⚠️  PostgreSQL is not installed: store and API tests run on SQLite ONLY. Install postgresql to test both.\n"
        FileHandle.standardError.write(Data(message.utf8))
        if ProcessInfo.processInfo.environment["ADVOCATE_REQUIRE_POSTGRES"] == "1" {
            fatalError("ADVOCATE_REQUIRE_POSTGRES=1 but PostgreSQL is not available")
        }
        return [.sqlite]
    }()
}

/// A fresh, empty database for one test.
public struct TestDatabase: Sendable {
    public let backend: TestBackend
    public let location: DatabaseLocation

    /// Creates an empty database (a temporary directory, or a new PostgreSQL database).
    public static func make(_ backend: TestBackend) async throws -> TestDatabase {
        switch backend {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("advocate-test-\(UUID().uuidString)").path
            return TestDatabase(backend: backend, location: .sqlite(directory: dir))
        case .postgres:
            let url = try await PostgresTestCluster.shared.createDatabase()
            return TestDatabase(backend: backend, location: .postgres(url: url))
        }
    }

    /// Opens a store on this database with an injected clock.
    public func openStore(clock: any AdvocateClock = ManualClock(Timestamp(rfc3339: "2026-11-22T09:00:00Z")!)) async throws -> AdvocateStore {
        var logger = Logger(label: "advocate.test")
        logger.logLevel = .error
        // Dozens of tests run at once against one cluster; a small pool each keeps them all
        // well inside its max_connections.
        return try await AdvocateStore.open(location, clock: clock, postgresConnections: 4, logger: logger)
    }

    /// Removes an SQLite directory (PostgreSQL databases die with the throwaway cluster).
    public func remove() {
        if case .sqlite(let dir) = location { try? FileManager.default.removeItem(atPath: dir) }
    }
}

/// A throwaway PostgreSQL cluster for this test process, started with initdb/pg_ctl through
/// scripts/pg-test-cluster.sh, or the server named by `ADVOCATE_TEST_POSTGRES_URL`.
public actor PostgresTestCluster {
    public static let shared = PostgresTestCluster()
    private var adminURL: String?

    static var isAvailable: Bool {
        if ProcessInfo.processInfo.environment["ADVOCATE_TEST_POSTGRES_URL"] != nil { return true }
        let bins = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return bins.contains { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }
    }

    /// The repository root, found from this file's location.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private func start() throws -> String {
        if let url = adminURL { return url }
        if let url = ProcessInfo.processInfo.environment["ADVOCATE_TEST_POSTGRES_URL"] {
            adminURL = url
            return url
        }
        let dir = "/tmp/advocate-test-pg-\(ProcessInfo.processInfo.processIdentifier)"
        let script = Self.repositoryRoot.appendingPathComponent("scripts/pg-test-cluster.sh").path
        let urlFile = dir + ".url"
        let status = runScript(script, ["start", dir], stdout: urlFile)
        let url = ((try? String(contentsOfFile: urlFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(atPath: urlFile)
        guard status == 0, url.hasPrefix("postgres://") else {
            throw StoreError.unavailable("could not start a throwaway PostgreSQL cluster (\(script) exited \(status))")
        }
        clusterDirectory = dir
        atexit {
            guard let dir = clusterDirectory else { return }
            _ = runScript(PostgresTestCluster.repositoryRoot.appendingPathComponent("scripts/pg-test-cluster.sh").path, ["stop", dir], stdout: "/dev/null")
        }
        adminURL = url
        return url
    }

    /// A new empty database on the cluster; returns its URL.
    public func createDatabase() async throws -> String {
        let admin = try start()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var logger = Logger(label: "advocate.test")
        logger.logLevel = .error
        let db = try await Database.open(.postgres(url: admin), migrate: false, postgresConnections: 1, logger: logger)
        do {
            try await db.read { try await $0.raw("CREATE DATABASE \(ident: name)").run() }
        } catch {
            await db.close()
            throw error
        }
        await db.close()
        guard let slash = admin.range(of: "/", options: .backwards), let query = admin.range(of: "?") else { return admin }
        return String(admin[..<slash.upperBound]) + name + String(admin[query.lowerBound...])
    }
}

nonisolated(unsafe) private var clusterDirectory: String?

private func runScript(_ script: String, _ arguments: [String], stdout path: String) -> Int32 {
    runProgram("/bin/bash", [script] + arguments, stdout: path, stderr: nil)
}

/// Runs `body` with a store on a fresh database of `backend`, then closes and removes it.
public func withTestStore<T>(_ backend: TestBackend, clock: ManualClock = ManualClock(Timestamp(rfc3339: "2026-11-22T09:00:00Z")!),
                             _ body: (AdvocateStore, ManualClock) async throws -> T) async throws -> T {
    let db = try await TestDatabase.make(backend)
    let store = try await db.openStore(clock: clock)
    do {
        let result = try await body(store, clock)
        await store.close()
        db.remove()
        return result
    } catch {
        await store.close()
        db.remove()
        throw error
    }
}
