import AdvocateCore
import Logging
import SQLKit

/// The one owner of persistence: transactions named by intent, never SQL outside this room.
public final class AdvocateStore: Sendable {
    /// The database underneath.
    public let database: Database
    /// Where "now" comes from.
    public let clock: any AdvocateClock
    /// The group-commit writer for answers.
    public let ingest: IngestWriter
    /// The group-commit writer for messages about to be delivered.
    let sendLedger: GroupCommit<PendingRelease, Bool>

    /// Wraps an open database.
    public init(database: Database, clock: any AdvocateClock) {
        self.database = database
        self.clock = clock
        self.ingest = IngestWriter(database: database, clock: clock)
        self.sendLedger = GroupCommit(maxBatch: 500) { pending in
            do {
                let results = try await database.write({ sql in
                    try await AdvocateStore.commitAccepted(pending.map(\.message), now: clock.now(), in: sql)
                }, atCommit: { results in
                    for (item, committed) in zip(pending, results) where committed { item.release() }
                })
                return results.map { .success($0) }
            } catch {
                return pending.map { _ in .failure(error) }
            }
        }
    }

    /// Opens the database at `location`, migrating it, and wraps it.
    public static func open(_ location: DatabaseLocation, clock: any AdvocateClock = SystemClock(), postgresConnections: Int = 16,
                            logger: Logger = Logger(label: "advocate.store")) async throws -> AdvocateStore {
        AdvocateStore(database: try await Database.open(location, postgresConnections: postgresConnections, logger: logger), clock: clock)
    }

    /// Closes the database.
    public func close() async { await database.close() }

    /// The schema version of the database.
    public func schemaVersion() async throws -> Int { try await Migrator.currentVersion(database) }

    /// The newest schema version this build knows.
    public static var latestSchemaVersion: Int { Schema.migrations.last!.version }
}

/// A page of a list, with the cursor for the next page (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

/// Opaque list cursors: clients pass back what they were given, never build their own.
public enum Cursor {
    /// Encodes a position (the last id seen).
    public static func encode(_ id: Int64) -> String { "c" + String(UInt64(bitPattern: id) ^ 0x5A5A_5A5A, radix: 36) }

    /// Decodes a cursor; nil for anything that is not one of ours.
    public static func decode(_ text: String) -> Int64? {
        guard text.first == "c", text.count <= 16, let v = UInt64(text.dropFirst(), radix: 36) else { return nil }
        return Int64(bitPattern: v ^ 0x5A5A_5A5A)
    }
}

/// Something the caller asked for conflicts with what is stored (e.g. an e-mail owned by another contact).
public struct ConflictError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }
}

extension AdvocateStore {
    /// A write transaction retried when it met a concurrent writer: two first answers of one
    /// owner, or two new rows with the same unique key, at once. The retry finds the other's row.
    func retryingWrite<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await database.write(body)
            } catch where attempt < Database.ingestAttempts && Database.isTransient(error) {
                continue
            }
        }
    }
}
