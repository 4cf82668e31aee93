import AdvocateStore

/// Does one kind of job. The runner claims the job, calls `perform`, and records the result.
public protocol JobHandler: Sendable {
    /// The job kind it handles (`invitation.email`).
    var kind: String { get }
    /// Does the work of one attempt. Must not throw: every failure is a result, so that the
    /// runner can record it (and retry with backoff).
    func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult

    /// Called with each claimed batch before its jobs are performed, to read what they need in
    /// a few queries instead of a few per job. Optional.
    func prepare(_ jobs: [Job]) async
}

extension JobHandler {
    public func prepare(_ jobs: [Job]) async {}
}

/// What became of an attempt.
public enum JobHandlerResult: Sendable, Hashable {
    /// The runner records this result.
    case finish(JobResult)
    /// The handler already recorded the outcome in the same transaction as its own effects
    /// (the e-mail sender does, so that "sent" and "job done" can never disagree).
    case recorded
}
