import AdvocateCore

/// Where a job stands in the queue.
public enum JobState: String, Sendable, Hashable, CaseIterable {
    /// Waiting until it is due.
    case queued
    /// Claimed by a worker whose lease has not run out.
    case running
    /// Finished.
    case done
    /// Failed on every attempt, or failed in a way no retry can fix; kept for a person to look at
    /// (and retry from the API).
    case dead
}

/// A unit of background work: send one message, call one webhook, re-tag old comments.
public struct Job: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// The workspace it belongs to; nil for work of the installation as a whole.
    public var workspaceID: Int64?
    /// What to do; the runner picks the handler by this name (`invitation.email`).
    public var kind: String
    /// The handler's input.
    public var payload: Properties
    /// Where it stands.
    public var state: JobState
    /// When it is (or was) due, or, while running, when its lease runs out.
    public var availableAt: Timestamp
    /// Attempts started so far, this one included while running.
    public var attempts: Int
    /// Attempts after which a failing job is dead.
    public var maxAttempts: Int
    /// Why the latest attempt failed.
    public var lastError: String?
    /// When it was made.
    public var createdAt: Timestamp
    /// When it last changed.
    public var updatedAt: Timestamp
    /// When it reached done or dead.
    public var finishedAt: Timestamp?
}

/// A job to add to the queue.
public struct NewJob: Sendable, Hashable {
    public var workspaceID: Int64?
    public var kind: String
    public var payload: Properties
    public var runAt: Timestamp
    public var maxAttempts: Int

    public init(workspaceID: Int64?, kind: String, payload: Properties, runAt: Timestamp, maxAttempts: Int = 10) {
        self.workspaceID = workspaceID
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.maxAttempts = maxAttempts
    }
}

/// A worker's hold on the jobs it claimed: finishing a job needs the same owner, so a worker
/// whose lease ran out (and whose job another worker took over) cannot finish it twice.
public struct JobLease: Sendable, Hashable {
    /// Who holds it (unique per runner process).
    public var owner: String
    /// The job.
    public var jobID: Int64

    public init(owner: String, jobID: Int64) {
        self.owner = owner
        self.jobID = jobID
    }
}

/// How an attempt ended.
public enum JobResult: Sendable, Hashable {
    /// Finished: never run again.
    case done
    /// Failed for now: run again at the given time (unless attempts are used up).
    case retry(at: Timestamp, error: String)
    /// Failed for good.
    case dead(error: String)
}
