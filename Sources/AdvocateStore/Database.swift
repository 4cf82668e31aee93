import Foundation
import Logging
import Synchronization
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO
import WALRelease

/// Where the data lives.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file `advocate.sqlite` in a directory (created if missing).
    case sqlite(directory: String)
    /// A PostgreSQL database given by a `postgres://user:password@host:port/database` URL.
    case postgres(url: String)

    /// The default: `./advocate-data`.
    public static let `default` = DatabaseLocation.sqlite(directory: "advocate-data")

    /// Chooses from the `--data` / `--database` options; `--database` wins when both are given.
    public static func from(data: String?, database: String?) throws(StoreError) -> DatabaseLocation {
        if let database, !database.isEmpty {
            if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") { return .postgres(url: database) }
            if database.hasPrefix("sqlite://") { return .sqlite(directory: String(database.dropFirst("sqlite://".count))) }
            throw .configuration("--database must be a postgres://… or sqlite://DIRECTORY URL, got \"\(Self.redacted(database))\"")
        }
        return .sqlite(directory: (data?.isEmpty == false ? data : nil) ?? "advocate-data")
    }

    public var description: String {
        switch self {
        case .sqlite(let dir): return "SQLite in \(dir)/advocate.sqlite"
        case .postgres(let url): return "PostgreSQL at \(Self.redacted(url))"
        }
    }

    /// The URL with any password replaced, for logs and messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}

/// The SQL dialect in use, for the few statements that must differ.
public enum Dialect: Sendable, Hashable {
    case sqlite, postgres
}

/// Errors of the storage room.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database location or options are wrong.
    case configuration(String)
    /// The database could not be reached or opened.
    case unavailable(String)
    /// Stored data is not what this version understands.
    case corrupt(String)

    public var description: String {
        switch self {
        case .configuration(let m), .unavailable(let m), .corrupt(let m): return m
        }
    }
}

/// A connection to either database with one way to read and one way to write.
///
/// SQLite allows one writer at a time, so writes go through a single connection behind an async
/// lock and reads use a small pool of WAL readers. PostgreSQL uses postgres-nio's `PostgresClient`
/// pool for both. Every write runs in a transaction that commits before the closure's result is
/// returned, which is what lets callers acknowledge only committed data.
public final class Database: Sendable {
    /// Which SQL dialect the statements must speak.
    public let dialect: Dialect
    let backend: Backend
    let logger: Logger
    /// Each workspace's theme rules, compiled (see `themeMatcher(workspaceID:in:)`).
    let themeMatchers = ThemeMatcherCache()
    /// Each survey's answers as columns, for filtered reports (see `AdvocateStore.filteredCounts`).
    let answerColumns = AnswerColumnsCache()
    /// How many write transactions SQLite's writer has begun (see `WriteMark`).
    private let writeTransactions = Mutex<UInt64>(0)
    /// Each workspace's contacts as columns of their properties, for filtered funnels.
    let contactColumns = AnswerColumnsCache()
    /// Each survey's invitations as columns, for filtered funnels.
    let funnelColumns = ColumnsCache<FunnelColumns>()

    enum Backend: Sendable {
        case sqlite(writer: SQLiteConnection, writeLock: AsyncLock, readers: ConnectionPool<SQLiteConnection>, atCommit: CommitAction)
        case postgres(client: PostgresClient, runTask: Task<Void, Never>, releasing: ReleasingClient)
    }

    /// The PostgreSQL connections that commit messages released to the mail server, all on one
    /// event loop with the SMTP sessions (`releaseEventLoop`). The release then runs in the same
    /// callback that wrote COMMIT to the socket, writing each held-back final dot at once: on
    /// the shared pool, spread over every loop, each dot was a hop to another thread, and a
    /// kill -9 while that thread waited to be scheduled left a message recorded as sent that
    /// the server never got (seen once in 10,000 on a loaded machine).
    struct ReleasingClient: Sendable {
        let client: PostgresClient
        let runTask: Task<Void, Never>
        let loop: any EventLoop
    }

    private init(dialect: Dialect, backend: Backend, logger: Logger) {
        self.dialect = dialect
        self.backend = backend
        self.logger = logger
    }

    /// Opens (creating if needed) the database and brings its schema up to date.
    /// `postgresConnections` caps this process's PostgreSQL pool: a server's share of the
    /// cluster's `max_connections`, which every instance (and every test) draws from.
    public static func open(_ location: DatabaseLocation, migrate: Bool = true, postgresConnections: Int = 16,
                            logger: Logger = Logger(label: "advocate.store")) async throws -> Database {
        let db: Database
        switch location {
        case .sqlite(let directory):
            db = try await openSQLite(directory: directory, logger: logger)
        case .postgres(let url):
            db = try await openPostgres(url: url, connections: postgresConnections, logger: logger)
        }
        if migrate {
            do { try await Migrator.migrate(db) } catch {
                await db.close()
                throw error
            }
            await db.warnIfCommentSearchUnindexed()
        }
        return db
    }

    private static func openSQLite(directory: String, logger: Logger) async throws -> Database {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.unavailable("cannot create the data directory \(directory): \(error.localizedDescription)")
        }
        return try await openFile((directory as NSString).appendingPathComponent("advocate.sqlite"), readOnly: false, logger: logger)
    }

    /// Opens one SQLite file. `readOnly` (inspecting a backup) changes nothing in the file, not
    /// even its journal mode, and uses a single connection.
    static func openFile(_ path: String, readOnly: Bool, logger: Logger = Logger(label: "advocate.store")) async throws -> Database {
        // WAL lets readers run beside the writer; FULL sync makes an acknowledged commit survive
        // power loss, and group commit keeps that affordable. busy_timeout covers a CLI command
        // writing while a server runs on the same file.
        let pragmas = readOnly ? ["PRAGMA query_only = ON"]
            : ["PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA temp_store = MEMORY"]
                + sqliteWriterSettings
        func connect(releasingAtWALSync: Bool = false) async throws -> SQLiteConnection {
            let c: SQLiteConnection
            do {
                c = try await SQLiteConnection.open(storage: .file(path: releasingAtWALSync ? try walReleaseURI(path) : path),
                                                    logger: logger)
            } catch {
                throw StoreError.unavailable("cannot open \(path): \(error)")
            }
            for pragma in pragmas { try await c.query(pragma, []) { _ in } }
            return c
        }
        let writer = try await connect(releasingAtWALSync: !readOnly)
        let atCommit = CommitAction()
        // SQLite's commit hook runs on the writer's thread as COMMIT begins, before the WAL is
        // written; it arms the action, which the writer's VFS runs on that same thread once the
        // commit's frames are in the WAL, just before their fsync (`WALRelease`). The one point at
        // which an action can follow the commit with no thread between.
        do { _ = try await writer.addCommitObserver(lifetime: .pinned) { _ in atCommit.armAtWALSync() } } catch {
            throw StoreError.unavailable("cannot watch commits on \(path): \(error)")
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<(readOnly ? 1 : 4) { readers.append(try await connect()) }
        return Database(dialect: .sqlite,
                        backend: .sqlite(writer: writer, writeLock: AsyncLock(), readers: ConnectionPool(readers), atCommit: atCommit),
                        logger: logger)
    }

    private static func openPostgres(url: String, connections: Int, logger: Logger) async throws -> Database {
        let sqlConfiguration: SQLPostgresConfiguration
        do { sqlConfiguration = try SQLPostgresConfiguration(url: url) } catch {
            throw StoreError.configuration("invalid PostgreSQL URL \(DatabaseLocation.redacted(url)): \(error)")
        }
        let core = sqlConfiguration.coreConfiguration
        let tls: PostgresClient.Configuration.TLS
        switch (core.tls.isEnforced, core.tls.isAllowed) {
        case (true, _): tls = .require(core.tls.sslContext?.configuration ?? .makeClientConfiguration())
        case (_, true): tls = .prefer(core.tls.sslContext?.configuration ?? .makeClientConfiguration())
        default: tls = .disable
        }
        guard let host = core.host else { throw StoreError.configuration("the PostgreSQL URL needs a host") }
        var configuration = PostgresClient.Configuration(host: host, port: core.port ?? 5432, username: core.username,
                                                         password: core.password, database: core.database, tls: tls)
        configuration.options.maximumConnections = max(1, connections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        // One connection at a time commits sends (they are grouped); a second covers a reconnect.
        var releasingConfiguration = configuration
        releasingConfiguration.options.maximumConnections = 2
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let releasingClient = PostgresClient(configuration: releasingConfiguration, eventLoopGroup: loop, backgroundLogger: logger)
        let releasing = ReleasingClient(client: releasingClient, runTask: Task { await releasingClient.run() }, loop: loop)
        let db = Database(dialect: .postgres, backend: .postgres(client: client, runTask: runTask, releasing: releasing), logger: logger)
        do {
            try await db.read { try await $0.raw("SELECT 1").run() }
        } catch {
            await db.close()
            throw StoreError.unavailable("cannot connect to \(DatabaseLocation.redacted(url)): \(String(reflecting: error))")
        }
        return db
    }

    /// The event loop on which commits that release messages complete: SQLite's single writer,
    /// or PostgreSQL's releasing connections. Network connections that must act the moment such
    /// a write commits (the SMTP sessions) belong on it: the release then runs in the commit's
    /// own callback, with no thread to wake in between.
    public var releaseEventLoop: any EventLoop {
        switch backend {
        case .sqlite(let writer, _, _, _): return writer.eventLoop
        case .postgres(_, _, let releasing): return releasing.loop
        }
    }

    /// Runs a bulk load (a CLI import) with SQLite's writer tuned for it, and makes it durable once.
    ///
    /// A million-row import in transactions of thousands of rows is bound by the disk, not the
    /// CPU: every commit waited for an fsync of the WAL and then copied every page it touched into
    /// the database file, so the pages of the randomly ordered indexes (contacts by e-mail,
    /// responses by contact) were written to disk again for each transaction. Until `body`
    /// returns, this writer commits without waiting for the disk (`synchronous = NORMAL`, which
    /// in WAL mode still never corrupts the file: a power cut can only lose the last
    /// transactions, and re-running the import redoes them), does not checkpoint, and keeps more
    /// pages in memory. Then one checkpoint at full safety copies everything into the database
    /// file and waits for the disk once. Only for a process whose writes are all the import's:
    /// the settings belong to the writer connection, and PostgreSQL is unchanged.
    public func bulkLoad<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard case .sqlite(let writer, let lock, _, _) = backend else { return try await body() }
        @Sendable func run(_ pragmas: [String]) async throws {
            try await lock.withLock { for pragma in pragmas { try await writer.query(pragma, []) { _ in } } }
        }
        try await run(["PRAGMA synchronous = NORMAL", "PRAGMA wal_autocheckpoint = 0", "PRAGMA cache_size = -262144"])
        let result: T
        do { result = try await body() } catch {
            try? await run(Self.sqliteWriterSettings + ["PRAGMA wal_checkpoint(TRUNCATE)"])
            throw error
        }
        // At FULL the checkpoint syncs the WAL before copying it, then the database file.
        try await run(Self.sqliteWriterSettings + ["PRAGMA wal_checkpoint(TRUNCATE)"])
        return result
    }

    /// The writer's usual settings, which `bulkLoad` changes and restores.
    static let sqliteWriterSettings = ["PRAGMA synchronous = FULL", "PRAGMA wal_autocheckpoint = 1000", "PRAGMA cache_size = -65536"]

    /// Closes every connection. The database must not be used afterwards.
    public func close() async {
        switch backend {
        case .sqlite(let writer, _, let readers, _):
            try? await writer.close()
            for r in await readers.drain() { try? await r.close() }
        case .postgres(_, let runTask, let releasing):
            for task in [runTask, releasing.runTask] { task.cancel() }
            await runTask.value
            await releasing.runTask.value
        }
    }

    // MARK: - Access

    /// Runs read-only work on a connection (a WAL reader on SQLite).
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, _, let readers, _):
            let connection = await readers.take()
            do {
                let result = try await body(connection.sql())
                await readers.give(connection)
                return result
            } catch {
                await readers.give(connection)
                throw error
            }
        case .postgres(let client, _, _):
            return try await client.withConnection { conn in try await body(conn.sql()) }
        }
    }

    /// Runs work in one transaction, committed before this returns; rolled back if `body` throws.
    ///
    /// The transaction runs in its own task, shielded from the caller's cancellation: a
    /// cancelled await between BEGIN and COMMIT would otherwise leave the shared SQLite writer
    /// inside an open transaction, and every later write would fail.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await Task { try await self.transaction(body, atCommit: nil) }.value
    }

    /// Like `write`, and calls `atCommit` with the result at the instant the commit is out of
    /// this process's hands, with no thread hop in between: on SQLite in the commit hook, as
    /// COMMIT starts writing the WAL; on PostgreSQL on the connection's event loop right after
    /// the COMMIT message is written to its socket (the server commits it even if this process
    /// dies a microsecond later). For the one caller that must act in the same instant as a
    /// commit: releasing messages to the mail server. A kill -9 can then land only in the few
    /// microseconds between two system calls, never across an fsync, a round trip or a thread
    /// waking up. If the commit then fails (a full disk, a lost server), `atCommit` has run
    /// anyway; the caller learns it from the thrown error.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T,
                            atCommit: @escaping @Sendable (T) -> Void) async throws -> T {
        try await Task { try await self.transaction(body, atCommit: atCommit) }.value
    }

    private func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T,
                                          atCommit: (@Sendable (T) -> Void)?) async throws -> T {
        switch backend {
        case .sqlite(let writer, let lock, _, let hook):
            return try await lock.withLock {
                let db = writer.sql()
                // IMMEDIATE takes the write lock up front so the transaction never fails half-way
                // with SQLITE_BUSY when another process (a CLI import) is writing.
                try await db.raw("BEGIN IMMEDIATE").run()
                writeTransactions.withLock { $0 += 1 }
                do {
                    let result = try await body(db)
                    if let atCommit {
                        hook.arm { atCommit(result) }
                        do { try await db.raw("COMMIT").run() } catch {
                            hook.disarm()
                            throw error
                        }
                        // A transaction that wrote nothing commits without the hook.
                        hook.disarm()?()
                    } else {
                        try await db.raw("COMMIT").run()
                    }
                    return result
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        case .postgres(let shared, _, let releasing):
            let client = atCommit == nil ? shared : releasing.client
            return try await client.withConnection { conn in
                let db = conn.sql()
                try await db.raw("BEGIN").run()
                do {
                    let result = try await body(db)
                    if let atCommit {
                        // On the connection's own loop the query is written to the socket inline,
                        // so `atCommit` follows the COMMIT's write with nothing in between; the
                        // SMTP sessions share that loop, so their writes are inline too.
                        try await conn.eventLoop.flatSubmit {
                            let committed = db.execute(sql: SQLRaw("COMMIT"), { _ in })
                            atCommit(result)
                            return committed
                        }.get()
                    } else {
                        try await db.raw("COMMIT").run()
                    }
                    return result
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// SQLite's writer connection; nil on PostgreSQL.
    var sqliteWriter: SQLiteConnection? {
        guard case .sqlite(let writer, _, _, _) = backend else { return nil }
        return writer
    }

    /// Where an SQLite database stood after a write transaction: its `data_version`, which moves
    /// when any other connection (another process) commits, and how many write transactions
    /// this process's writer had begun. Equal marks mean nobody else wrote in between.
    struct WriteMark: Sendable, Hashable {
        var dataVersion: Int64
        var transactions: UInt64
    }

    /// On SQLite, runs `body` in a write transaction only if nothing was written since `mark` (by
    /// another connection or another transaction of this one) and returns its result with the
    /// mark after it; returns nil, having written nothing, if something was. Without a `mark`,
    /// it always runs. Nil on PostgreSQL, which has no such mark.
    func markedWrite<T: Sendable>(since mark: WriteMark?, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T)
        async throws -> (result: T, mark: WriteMark)? {
        guard case .sqlite(let writer, let lock, _, _) = backend else { return nil }
        return try await Task {
            try await lock.withLock { () async throws -> (result: T, mark: WriteMark)? in
                let db = writer.sql()
                try await db.raw("BEGIN IMMEDIATE").run()
                do {
                    let transactions = self.writeTransactions.withLock { $0 += 1; return $0 }
                    let version = try await db.raw("PRAGMA data_version").first()?.decode(column: "data_version", as: Int64.self) ?? -1
                    if let mark, mark.dataVersion != version || mark.transactions + 1 != transactions {
                        try await db.raw("ROLLBACK").run()
                        return nil
                    }
                    let result = try await body(db)
                    try await db.raw("COMMIT").run()
                    return (result, WriteMark(dataVersion: version, transactions: transactions))
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }.value
    }

    /// Runs `body` on one of SQLite's WAL readers, beside whatever the writer does; nil on PostgreSQL.
    func withSQLiteReader<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T? {
        guard case .sqlite(_, _, let readers, _) = backend else { return nil }
        let connection = await readers.take()
        do {
            let result = try await body(connection)
            await readers.give(connection)
            return result
        } catch {
            await readers.give(connection)
            throw error
        }
    }

    /// Reserves `count` consecutive-or-not new ids for `table` inside a write transaction.
    ///
    /// Ids are assigned in Swift so that multi-row inserts need no per-row RETURNING (whose row
    /// order neither database promises). SQLite holds the write lock, so MAX(id) is safe; on
    /// PostgreSQL the identity sequence hands out ids that no other process will get.
    func reserveIDs(_ table: String, count: Int, in db: any SQLDatabase) async throws -> [Int64] {
        guard count > 0 else { return [] }
        switch dialect {
        case .sqlite:
            let maxID = try await db.raw("SELECT COALESCE(MAX(id), 0) AS m FROM \(ident: table)")
                .first()?.decode(column: "m", as: Int64.self) ?? 0
            return (1...Int64(count)).map { maxID + $0 }
        case .postgres:
            let rows = try await db.raw("""
                SELECT nextval(pg_get_serial_sequence(\(bind: table), 'id')) AS id FROM generate_series(1, \(bind: count))
                """).all()
            return try rows.map { try $0.decode(column: "id", as: Int64.self) }
        }
    }
}

// MARK: - Concurrency helpers

/// The action SQLite's commit hook runs for the transaction being committed, if it has one.
/// Armed inside the writer's lock just before COMMIT, so it can only belong to that transaction.
final class CommitAction: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    func arm(_ body: @escaping @Sendable () -> Void) { action.withLock { $0 = body } }

    /// Takes the action back; returns it if the hook has not run it.
    @discardableResult
    func disarm() -> (@Sendable () -> Void)? { action.withLock { a in defer { a = nil }; return a } }

    /// Runs the action if it is still armed.
    func run() { disarm()?() }

    /// Called by the commit hook, on SQLite's thread: `run` follows on this thread at the WAL's
    /// fsync. A commit that syncs no WAL (it wrote nothing; `synchronous = NORMAL` in a bulk load)
    /// leaves the action to the caller, who runs it once COMMIT has returned.
    func armAtWALSync() {
        advocate_wal_release_arm({ context in
            Unmanaged<CommitAction>.fromOpaque(context!).takeRetainedValue().run()
        }, { context in
            Unmanaged<CommitAction>.fromOpaque(context!).release()
        }, Unmanaged.passRetained(self).toOpaque())
    }
}

/// The URI that opens `path` through the `WALRelease` VFS, registered on first use.
private func walReleaseURI(_ path: String) throws -> String {
    let rc = advocate_wal_release_register()
    guard rc == 0 else { throw StoreError.unavailable("cannot register SQLite's release VFS (SQLite error \(rc))") }
    // In a URI `?`, `#` and `%` would end or change the path: everything but unreserved
    // characters and `/` is percent-encoded.
    let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
    let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    return "file:\(encoded)?vfs=\(ADVOCATE_WAL_RELEASE_VFS)"
}

/// A FIFO async mutex: SQLite's single writer connection is shared by many tasks.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !locked { locked = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
    }
}

/// A fixed set of connections lent out one task at a time.
actor ConnectionPool<Connection: Sendable> {
    private var available: [Connection]
    private var waiters: [CheckedContinuation<Connection, Never>] = []

    init(_ connections: [Connection]) { available = connections }

    func take() async -> Connection {
        if let c = available.popLast() { return c }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func give(_ connection: Connection) {
        if waiters.isEmpty { available.append(connection) } else { waiters.removeFirst().resume(returning: connection) }
    }

    func drain() -> [Connection] {
        defer { available = [] }
        return available
    }
}

// MARK: - Transient errors

extension Database {
    /// How many times a write that met a concurrent writer is tried in all.
    static let ingestAttempts = 10

    /// Whether `error` comes from meeting another writer, so that running the same transaction
    /// again can succeed: a unique violation on a row another instance just created, a deadlock,
    /// a serialisation failure, or SQLite's busy/locked when another process holds the file.
    static func isTransient(_ error: any Error) -> Bool {
        if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] {
            return ["23505", "40P01", "40001", "55P03"].contains(state)
        }
        if let e = error as? SQLiteError {
            switch e.reason {
            case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot: return true
            default: return false
            }
        }
        return false
    }
}
