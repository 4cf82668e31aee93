import AdvocateCore
import AdvocateStore
import Logging

/// Applies every workspace's retention policy once a day (job kind `privacy.retention`), in
/// batches, and queues its next run. A run cut short (a restart) is simply done again: a
/// policy only ever takes answers it has not taken yet.
public struct RetentionRunner: JobHandler {
    public static let jobKind = "privacy.retention"
    public static let intervalMilliseconds: Int64 = 24 * 3_600_000

    public let kind = RetentionRunner.jobKind
    private let store: AdvocateStore
    private let logger: Logger

    public init(store: AdvocateStore, logger: Logger = Logger(label: "advocate.retention")) {
        self.store = store
        self.logger = logger
    }

    /// Queues the first run (at start-up; a waiting run is kept).
    public static func start(store: AdvocateStore) async throws {
        try await store.scheduleRecurringJob(kind: jobKind, at: store.clock.now())
    }

    /// Applies every policy now; returns how many answers each workspace had deleted or anonymised.
    public static func runAll(store: AdvocateStore) async throws -> [(workspaceID: Int64, count: Int64)] {
        var result: [(Int64, Int64)] = []
        for workspaceID in try await store.workspacesWithRetention() {
            result.append((workspaceID, try await store.applyRetention(workspaceID: workspaceID)))
        }
        return result
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        let now = store.clock.now()
        do {
            for (workspaceID, count) in try await Self.runAll(store: store) where count > 0 {
                logger.info("retention: \(count) responses of workspace \(workspaceID) deleted or anonymised")
            }
            try await store.scheduleRecurringJob(kind: kind, at: now.adding(milliseconds: Self.intervalMilliseconds))
            return .finish(.done)
        } catch {
            return .finish(.retry(at: now.adding(milliseconds: 15 * 60_000), error: "database: \(String(describing: error))"))
        }
    }
}
