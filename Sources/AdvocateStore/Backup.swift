import Foundation
import SQLKit

/// What a backup file holds, checked before it is trusted.
public struct BackupSummary: Sendable, Hashable {
    /// The schema version the backup was taken at (older ones are migrated when opened).
    public var schemaVersion: Int
    public var workspaces: Int
    public var responses: Int
    public var bytes: Int64
}

extension Database {
    /// Writes a consistent copy of the whole SQLite database to `path` (which must not exist)
    /// while the server keeps reading and writing: `VACUUM INTO` reads one snapshot on a WAL
    /// reader, so writers are never held up and the copy is compact. PostgreSQL backups are
    /// pg_dump's job (`StoreError.configuration` says how).
    public func backup(to path: String) async throws {
        guard dialect == .sqlite else {
            throw StoreError.configuration("""
                advocate backup copies the embedded SQLite database; a PostgreSQL database is backed up with its own tools, online and consistent:
                  pg_dump --format=custom --file=advocate.dump "$ADVOCATE_DATABASE_URL"
                and restored into an empty database with:
                  pg_restore --no-owner --dbname="$ADVOCATE_DATABASE_URL" advocate.dump
                (docs/operations.md, "Backups")
                """)
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.configuration("\(path) already exists; choose a new file (a backup never overwrites anything)")
        }
        do {
            try await read { sql in try await sql.raw("VACUUM INTO \(bind: path)").run() }
        } catch {
            // A copy cut short (no space, no such directory) must not pass for a backup.
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError.unavailable("cannot write the backup to \(path): \(error)")
        }
    }

    /// Checks a database file end to end (every page and index, `PRAGMA integrity_check`) and
    /// says what it holds; throws `StoreError.corrupt` with the first problems otherwise.
    func summary() async throws -> BackupSummary {
        try await read { sql in
            let problems = try await sql.raw("PRAGMA integrity_check(10)").all().map { try $0.decode(column: "integrity_check", as: String.self) }
            guard problems == ["ok"] else { throw StoreError.corrupt("the database fails its integrity check: \(problems.joined(separator: "; "))") }
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").all()
            guard !tables.isEmpty else { throw StoreError.corrupt("this is an SQLite database, but not Advocate's (it has no schema_migrations table)") }
            func count(_ query: SQLQueryString) async throws -> Int {
                try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
            }
            return BackupSummary(schemaVersion: try await count("SELECT COALESCE(MAX(version), 0) AS n FROM schema_migrations"),
                                 workspaces: try await count("SELECT COUNT(*) AS n FROM workspaces"),
                                 responses: try await count("SELECT COUNT(*) AS n FROM responses"), bytes: 0)
        }
    }
}

extension AdvocateStore {
    /// Checks the SQLite database file at `path` without changing it: integrity, that it is
    /// Advocate's, and that this build can read its schema.
    public static func inspectBackup(_ path: String) async throws -> BackupSummary {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? NSNumber else { throw StoreError.unavailable("cannot read \(path)") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.unavailable("cannot read \(path)") }
        let magic = (try? handle.read(upToCount: 16)) ?? nil
        try? handle.close()
        guard magic == Data("SQLite format 3\u{0}".utf8) else { throw StoreError.corrupt("\(path) is not an SQLite database") }
        let database: Database
        do { database = try await Database.openFile(path, readOnly: true) } catch {
            throw StoreError.corrupt("\(path) cannot be opened as a database: \(error)")
        }
        do {
            var summary = try await database.summary()
            await database.close()
            summary.bytes = size.int64Value
            if summary.schemaVersion > latestSchemaVersion {
                throw StoreError.corrupt("\(path) was made by a newer advocate (schema version \(summary.schemaVersion); this one knows \(latestSchemaVersion)); upgrade advocate first")
            }
            return summary
        } catch let error as StoreError {
            await database.close()
            throw error
        } catch {
            await database.close()
            throw StoreError.corrupt("\(path) is damaged: \(error)")
        }
    }
}
