import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `advocate backup --to FILE`: a consistent copy of the embedded database, taken while the
/// server runs (docs/operations.md, "Backups").
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the embedded SQLite database to a file, online and consistent (PostgreSQL: prints the pg_dump commands).")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "The backup file to write; it must not exist yet.")
    var to: String

    func run() async throws {
        let target = (to as NSString).expandingTildeInPath
        let started = Date()
        try await withStore(dataOptions) { store in
            do { try await store.database.backup(to: target) } catch let e as StoreError { throw CLIError(e.description) }
        }
        let summary: BackupSummary
        do { summary = try await AdvocateStore.inspectBackup(target) } catch let e as StoreError {
            throw CLIError("the backup written to \(target) does not check out: \(e.description)")
        }
        print("backed up to \(target): \(Self.describe(summary)), checked, in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    static func describe(_ s: BackupSummary) -> String {
        String(format: "%.1f MiB", Double(s.bytes) / 1_048_576) + ", schema version \(s.schemaVersion), \(s.workspaces) workspace(s), \(s.responses) responses"
    }
}

/// `advocate restore --from FILE`: puts a backup in place of the embedded database. The server
/// must be stopped; the database being replaced is kept beside it, never deleted.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the embedded SQLite database with a backup (stop `advocate serve` first; the current database is kept).")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "The backup file, as written by `advocate backup`.")
    var from: String

    func run() async throws {
        guard case .sqlite(let directory) = try dataOptions.location() else {
            throw CLIError("advocate restore replaces the embedded SQLite database; restore a PostgreSQL database with pg_restore (docs/operations.md, \"Backups\")")
        }
        let source = (from as NSString).expandingTildeInPath
        let summary: BackupSummary
        do { summary = try await AdvocateStore.inspectBackup(source) } catch let e as StoreError {
            throw CLIError("\(source): \(e.description); nothing was changed")
        }
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CLIError("cannot create the data directory \(directory): \(error.localizedDescription)")
        }
        let lock = try DataDirectoryLock(directory: directory)
        guard lock.tryExclusive() else {
            throw CLIError("advocate serve (or another advocate command) is using \(directory); stop it, then restore; nothing was changed")
        }
        let live = (directory as NSString).appendingPathComponent("advocate.sqlite")
        // Copied next to the live file first, so the final step is one rename on one file system.
        let incoming = live + ".restoring"
        try? fm.removeItem(atPath: incoming)
        do { try fm.copyItem(atPath: source, toPath: incoming) } catch {
            throw CLIError("cannot copy \(source) into \(directory): \(error.localizedDescription); nothing was changed")
        }
        var kept: String?
        if fm.fileExists(atPath: live) {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let aside = (directory as NSString).appendingPathComponent("before-restore-\(stamp)")
            do {
                try fm.createDirectory(atPath: aside, withIntermediateDirectories: false)
                for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: live + suffix) {
                    try fm.moveItem(atPath: live + suffix, toPath: (aside as NSString).appendingPathComponent("advocate.sqlite" + suffix))
                }
            } catch {
                try? fm.removeItem(atPath: incoming)
                throw CLIError("cannot move the current database aside to \(aside): \(error.localizedDescription); nothing was replaced")
            }
            kept = aside
        }
        do { try fm.moveItem(atPath: incoming, toPath: live) } catch {
            throw CLIError("cannot put the backup in place: \(error.localizedDescription); the previous database is in \(kept ?? "(none)")")
        }
        // Opening it applies any migrations newer than the backup, and leaves it in WAL mode.
        lock.downgrade()
        try await withStore(dataOptions) { store in
            print("restored \(source) into \(directory): \(BackupCommand.describe(summary)); schema now at version \(try await store.schemaVersion())")
        }
        if let kept { print("the database it replaced is kept in \(kept)") }
    }
}

/// An advisory lock on the data directory: `serve` holds it shared for its whole life, `restore`
/// needs it exclusively. The kernel drops it when a process dies, even by kill -9.
final class DataDirectoryLock: @unchecked Sendable {
    private let fd: Int32

    init(directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("advocate.lock")
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Taken while no other process holds the lock at all.
    func tryExclusive() -> Bool { flock(fd, LOCK_EX | LOCK_NB) == 0 }

    /// From exclusive to shared, so this process can open the database it has just put in place.
    func downgrade() { flock(fd, LOCK_SH) }

    /// Shared with other servers and commands on the same directory; never blocks.
    func shared() -> Bool { flock(fd, LOCK_SH | LOCK_NB) == 0 }
}
