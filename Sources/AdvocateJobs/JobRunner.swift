import AdvocateCore
import AdvocateStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Claims due jobs from the queue and runs them with their handlers: the one piece of
/// background machinery (invitations, reminders, and later webhooks and digests).
///
/// Several runners (in several `advocate serve` processes on one PostgreSQL database) can work
/// the same queue: claims never overlap, and a runner that dies leaves its jobs to be taken over
/// when their lease runs out.
public final class JobRunner: Service, Sendable {
    /// How a runner works.
    public struct Configuration: Sendable {
        /// Unique per process: finishing a job requires the owner that claimed it.
        public var owner: String
        /// Jobs claimed at once.
        public var batchSize: Int
        /// Jobs run at once.
        public var concurrency: Int
        /// How long a claimed job stays ours without a heartbeat; after that another runner may
        /// take it over. The runner renews its leases every third of this while it works, so
        /// this bounds how long the jobs of a runner that died wait, not how long a job may take.
        public var leaseMilliseconds: Int64
        /// How often an idle runner looks for due jobs (new jobs made in this process wake it at once).
        public var pollInterval: Duration

        public init(owner: String = JobRunner.defaultOwner(), batchSize: Int = 200, concurrency: Int = 32,
                    leaseMilliseconds: Int64 = 60_000, pollInterval: Duration = .seconds(1)) {
            self.owner = owner
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.leaseMilliseconds = leaseMilliseconds
            self.pollInterval = pollInterval
        }
    }

    private let store: AdvocateStore
    private let handlers: [String: any JobHandler]
    private let configuration: Configuration
    private let logger: Logger
    private let wakeup = Wakeup()

    public init(store: AdvocateStore, handlers: [any JobHandler], configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "advocate.jobs")) {
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { _, last in last })
        self.configuration = configuration
        self.logger = logger
    }

    /// A process-unique owner name: host, process id and a random suffix.
    public static func defaultOwner() -> String {
        "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UInt32.random(in: 0 ... .max))"
    }

    /// Asks an idle runner to look for work now (after enqueuing jobs due now).
    public func wake() { wakeup.signal() }

    /// Runs until graceful shutdown: claims and runs due jobs, then waits for a wake-up or the
    /// poll interval. Jobs already started are finished before it returns.
    public func run() async throws {
        logger.info("job runner started", metadata: ["owner": "\(configuration.owner)", "kinds": "\(handlers.keys.sorted())"])
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    if try await runDue() == 0 { await wakeup.wait(timeout: configuration.pollInterval) }
                } catch {
                    logger.error("job queue unavailable: \(String(describing: error))")
                    await wakeup.wait(timeout: configuration.pollInterval)
                }
            }
        } onGracefulShutdown: {
            self.wakeup.signal()
        }
        logger.info("job runner stopped")
    }

    /// Claims and runs jobs until none is due; returns how many ran. Tests drive the queue with
    /// this and an injected clock.
    @discardableResult
    public func runDue() async throws -> Int {
        var total = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let jobs = try await store.claimJobs(kinds: Array(handlers.keys), owner: configuration.owner,
                                                 limit: configuration.batchSize, leaseMilliseconds: configuration.leaseMilliseconds)
            guard !jobs.isEmpty else { break }
            total += jobs.count
            let heartbeat = Task { await self.renewLeases(of: jobs.map(\.id)) }
            defer { heartbeat.cancel() }
            for (kind, group) in Dictionary(grouping: jobs, by: \.kind) { await handlers[kind]?.prepare(group) }
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for job in jobs {
                    if running >= configuration.concurrency {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await self.run(job) }
                    running += 1
                }
            }
        }
        return total
    }

    /// Renews the leases of `ids` every third of the lease until cancelled.
    private func renewLeases(of ids: [Int64]) async {
        let interval = Duration.milliseconds(max(1, configuration.leaseMilliseconds / 3))
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                try await store.extendLeases(jobIDs: ids, owner: configuration.owner, leaseMilliseconds: configuration.leaseMilliseconds)
            } catch {
                logger.warning("could not renew job leases: \(String(reflecting: error))")
            }
        }
    }

    private func run(_ job: Job) async {
        let lease = JobLease(owner: configuration.owner, jobID: job.id)
        guard let handler = handlers[job.kind] else { return }
        let result = await handler.perform(job, lease: lease)
        let label: String
        switch result {
        case .recorded: label = "recorded"
        case .finish(.done): label = "done"
        case .finish(.retry): label = "retry"
        case .finish(.dead): label = "dead"
        }
        Metrics.shared.increment("advocate_jobs_performed_total", ["kind": job.kind, "result": label])
        guard case .finish(let outcome) = result else { return }
        do {
            if try await !store.finishJob(lease, outcome) {
                logger.warning("job \(job.id) was taken over by another runner before it finished")
            }
        } catch {
            // The lease runs out and the job is claimed again: at-least-once, never lost.
            logger.error("could not record the result of job \(job.id): \(String(describing: error))")
        }
        if case .dead(let error) = outcome { logger.error("job \(job.id) (\(job.kind)) is dead: \(error)") }
    }
}

/// A signal an idle loop waits for, with a timeout.
final class Wakeup: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            if s.waiter == nil { s.pending = true }
            return s.waiter
        }
        waiter?.resume()
    }

    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { s -> Bool in
                        if s.pending { s.pending = false; return true }
                        s.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            await group.next()
            group.cancelAll()
            // The sleeper may still be waiting on its cancellation; the other task always ends
            // because a timeout signals it.
            await group.waitForAll()
        }
        state.withLock { $0.pending = false }
    }
}
