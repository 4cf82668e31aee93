import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation
import Logging

/// `--data DIR | --database URL`, shared by every command that touches data, with the same
/// environment variables as fallback (flags win over environment, which wins over defaults).
struct DataOptions: ParsableArguments {
    @Option(help: "Directory of the embedded SQLite database (env ADVOCATE_DATA_DIR; default ./advocate-data).")
    var data: String?

    @Option(help: "Database URL: postgres://user:password@host:5432/name (env ADVOCATE_DATABASE_URL). Overrides --data.")
    var database: String?

    @Option(help: "A file of settings, one `name = value` per line (env ADVOCATE_CONFIG; docs/configuration.md). Flags and the environment win over it.")
    var config: String?

    func location() throws -> DatabaseLocation {
        let env = ProcessInfo.processInfo.environment
        do {
            // Either flag replaces both environment variables: `--data DIR` must not be
            // overridden by an ADVOCATE_DATABASE_URL left in the environment.
            if data != nil || database != nil {
                return try DatabaseLocation.from(data: data, database: database)
            }
            return try DatabaseLocation.from(data: env["ADVOCATE_DATA_DIR"], database: env["ADVOCATE_DATABASE_URL"])
        } catch {
            throw ValidationError(error.description)
        }
    }

    func openStore(logLevel: Logger.Level = .warning) async throws -> AdvocateStore {
        var logger = Logger(label: "advocate.store")
        logger.logLevel = logLevel
        do {
            return try await AdvocateStore.open(try location(), logger: logger)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }
}

/// A precise error for the terminal, printed without a stack of types.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension AdvocateStore {
    /// The workspace a command names, or a clear error.
    func requireWorkspace(_ slug: String) async throws -> Workspace {
        guard let ws = try await workspace(slug: slug) else {
            throw CLIError("no workspace \"\(slug)\" (create one with `advocate token create --workspace \(slug) --name …`)")
        }
        return ws
    }
}

/// Runs `body` with an open store and always closes it.
func withStore<T>(_ options: DataOptions, _ body: (AdvocateStore) async throws -> T) async throws -> T {
    // Shared with a running server; only `advocate restore` excludes everyone.
    var lock: DataDirectoryLock?
    if case .sqlite(let directory) = try options.location(), FileManager.default.fileExists(atPath: directory) {
        lock = try DataDirectoryLock(directory: directory)
        guard lock!.shared() else { throw CLIError("\(directory) is being restored (advocate restore); try again once it has finished") }
    }
    defer { withExtendedLifetime(lock) {} }
    let store = try await options.openStore()
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
