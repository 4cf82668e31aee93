import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Synchronization
import Testing

/// A handler that fails the first `failures` attempts of each job, then succeeds.
final class FlakyHandler: JobHandler, Sendable {
    let kind = "test.flaky"
    let failures: Int
    let clock: ManualClock
    let runs = Mutex<[Int64: Int]>([:])

    init(failures: Int, clock: ManualClock) {
        self.failures = failures
        self.clock = clock
    }

    func perform(_ job: Job, lease: JobLease) async -> JobHandlerResult {
        let n = runs.withLock { $0[job.id, default: 0] += 1; return $0[job.id]! }
        if n <= failures { return .finish(.retry(at: clock.now().adding(milliseconds: 60_000), error: "failure \(n)")) }
        return .finish(.done)
    }
}

@Suite("The job runner")
struct JobRunnerTests {
    @Test("runs due jobs with their handler, retries failures when their time comes, and finishes each once", arguments: TestBackend.available)
    func retries(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.ensureWorkspace(slug: "acme").workspace
            let handler = FlakyHandler(failures: 2, clock: clock)
            let runner = JobRunner(store: store, handlers: [handler], configuration: .init(owner: "r1", batchSize: 7, concurrency: 3))
            try await store.enqueue((0..<20).map { NewJob(workspaceID: ws.id, kind: "test.flaky", payload: ["i": .integer(Int64($0))], runAt: clock.now()) })
            #expect(try await runner.runDue() == 20)
            #expect(try await runner.runDue() == 0) // retries are not due yet
            clock.advance(milliseconds: 60_000)
            #expect(try await runner.runDue() == 20)
            clock.advance(milliseconds: 60_000)
            #expect(try await runner.runDue() == 20)
            clock.advance(milliseconds: 60_000)
            #expect(try await runner.runDue() == 0)
            #expect(handler.runs.withLock { $0.values.allSatisfy { $0 == 3 } && $0.count == 20 })
            #expect(try await store.jobs(workspaceID: ws.id, state: .done, before: nil, limit: 100).items.count == 20)
        }
    }

    @Test("a job that keeps failing ends dead with its last error, and the runner leaves it alone", arguments: TestBackend.available)
    func deadLetter(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.ensureWorkspace(slug: "acme").workspace
            let handler = FlakyHandler(failures: 100, clock: clock)
            let runner = JobRunner(store: store, handlers: [handler], configuration: .init(owner: "r1"))
            try await store.enqueue([NewJob(workspaceID: ws.id, kind: "test.flaky", payload: [:], runAt: clock.now(), maxAttempts: 3)])
            for _ in 0..<5 {
                try await runner.runDue()
                clock.advance(milliseconds: 60_000)
            }
            let dead = try await store.jobs(workspaceID: ws.id, state: .dead, before: nil, limit: 10).items
            #expect(dead.count == 1 && dead.first?.attempts == 3 && dead.first?.lastError == "failure 3")
            #expect(handler.runs.withLock { $0.values.first } == 3)
        }
    }

    @Test("jobs of kinds without a handler stay queued for a runner that has one", arguments: TestBackend.available)
    func unknownKinds(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.ensureWorkspace(slug: "acme").workspace
            let runner = JobRunner(store: store, handlers: [FlakyHandler(failures: 0, clock: clock)], configuration: .init(owner: "r1"))
            try await store.enqueue([NewJob(workspaceID: ws.id, kind: "webhook.deliver", payload: [:], runAt: clock.now())])
            #expect(try await runner.runDue() == 0)
            #expect(try await store.jobs(workspaceID: ws.id, state: .queued, before: nil, limit: 10).items.count == 1)
        }
    }
}
