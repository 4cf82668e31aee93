import AdvocateCore
import AdvocateStore
import Logging

/// Applies a workspace's changed theme rules to all its old comments, a chunk per transaction,
/// so that answers keep being recorded meanwhile. A run the rules outdated stops at its next
/// chunk; a run cut short by a crash resumes from its last committed chunk when the job is
/// claimed again.
public struct ThemeRetagger: JobHandler {
    public let kind = themeRetagJobKind
    private let store: AdvocateStore
    private let logger: Logger

    public init(store: AdvocateStore, logger: Logger = Logger(label: "advocate.themes")) {
        self.store = store
        self.logger = logger
    }

    public func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        guard case .integer(let retagID)? = job.payload["retag_id"] else {
            return .finish(.dead(error: "malformed payload: \(job.payload.jsonText)"))
        }
        do {
            while try await store.continueRetag(id: retagID) {
                if Task.isCancelled { return .finish(.retry(at: store.clock.now(), error: "stopped while applying rules; resumes where it was")) }
            }
            return .finish(.done)
        } catch {
            logger.warning("applying theme rules (run \(retagID)) failed: \(String(describing: error))")
            return .finish(.retry(at: store.clock.now().adding(milliseconds: 60_000), error: "database: \(String(describing: error))"))
        }
    }
}
