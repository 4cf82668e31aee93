import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Testing

@Suite("The job queue")
struct JobQueueTests {
    static let minute: Int64 = 60_000

    @Test("a job is claimed only when due, by one owner, with its attempt counted", arguments: TestBackend.available)
    func claimWhenDue(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            try await store.enqueue([NewJob(workspaceID: ws.id, kind: "test", payload: ["n": .integer(1)], runAt: clock.now().adding(milliseconds: 5 * Self.minute))])
            #expect(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 10, leaseMilliseconds: Self.minute).isEmpty)
            clock.advance(milliseconds: 5 * Self.minute)
            let claimed = try await store.claimJobs(kinds: ["test"], owner: "a", limit: 10, leaseMilliseconds: Self.minute)
            #expect(claimed.count == 1)
            #expect(claimed.first?.attempts == 1)
            #expect(claimed.first?.payload["n"] == .integer(1))
            // Held: nobody else gets it, and other kinds are not claimed.
            #expect(try await store.claimJobs(kinds: ["test"], owner: "b", limit: 10, leaseMilliseconds: Self.minute).isEmpty)
            #expect(try await store.claimJobs(kinds: ["other"], owner: "b", limit: 10, leaseMilliseconds: Self.minute).isEmpty)
        }
    }

    @Test("a job whose worker died is taken over when its lease runs out, and the old owner cannot finish it", arguments: TestBackend.available)
    func leaseTakeover(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            try await store.enqueue([NewJob(workspaceID: ws.id, kind: "test", payload: [:], runAt: clock.now())])
            let first = try #require(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).first)
            clock.advance(milliseconds: Self.minute)
            let again = try #require(try await store.claimJobs(kinds: ["test"], owner: "b", limit: 1, leaseMilliseconds: Self.minute).first)
            #expect(again.id == first.id)
            #expect(again.attempts == 2)
            #expect(try await store.finishJob(JobLease(owner: "a", jobID: first.id), .done) == false)
            #expect(try await store.finishJob(JobLease(owner: "b", jobID: first.id), .done) == true)
            #expect(try await store.job(workspaceID: ws.id, id: first.id)?.state == .done)
        }
    }

    @Test("a retry waits until its time; out of attempts the job is dead, visible, and can be retried by hand", arguments: TestBackend.available)
    func retryThenDead(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            try await store.enqueue([NewJob(workspaceID: ws.id, kind: "test", payload: [:], runAt: clock.now(), maxAttempts: 2)])
            var job = try #require(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).first)
            #expect(try await store.finishJob(JobLease(owner: "a", jobID: job.id), .retry(at: clock.now().adding(milliseconds: 10 * Self.minute), error: "421 busy")))
            #expect(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).isEmpty)
            clock.advance(milliseconds: 10 * Self.minute)
            job = try #require(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).first)
            #expect(job.attempts == 2)
            try await store.finishJob(JobLease(owner: "a", jobID: job.id), .retry(at: clock.now(), error: "421 still busy"))
            let dead = try await store.jobs(workspaceID: ws.id, state: .dead, before: nil, limit: 10).items
            #expect(dead.map(\.id) == [job.id])
            #expect(dead.first?.lastError == "421 still busy")
            #expect(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).isEmpty)

            let retried = try #require(try await store.retryDeadJob(workspaceID: ws.id, id: job.id))
            #expect(retried.retried && retried.job.state == .queued && retried.job.attempts == 0)
            #expect(try await store.retryDeadJob(workspaceID: ws.id, id: job.id)?.retried == false)
            #expect(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).count == 1)
        }
    }

    @Test("a job that kills its worker on the last attempt ends dead instead of looping", arguments: TestBackend.available)
    func poisonJob(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            try await store.enqueue([NewJob(workspaceID: ws.id, kind: "test", payload: [:], runAt: clock.now(), maxAttempts: 1)])
            #expect(try await store.claimJobs(kinds: ["test"], owner: "a", limit: 1, leaseMilliseconds: Self.minute).count == 1)
            clock.advance(milliseconds: Self.minute)
            #expect(try await store.claimJobs(kinds: ["test"], owner: "b", limit: 1, leaseMilliseconds: Self.minute).isEmpty)
            let dead = try await store.jobs(workspaceID: ws.id, state: .dead, before: nil, limit: 10).items
            #expect(dead.first?.lastError == "the worker stopped during the last attempt")
        }
    }

    @Test("two runners claiming at once on one database never get the same job", arguments: TestBackend.available)
    func concurrentClaims(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.makeWorkspace()
            try await store.enqueue((0..<400).map { NewJob(workspaceID: ws.id, kind: "test", payload: ["i": .integer(Int64($0))], runAt: clock.now()) })
            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for owner in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await store.claimJobs(kinds: ["test"], owner: "o\(owner)", limit: 7, leaseMilliseconds: Self.minute)
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                var all: [[Int64]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let flat = claims.flatMap { $0 }
            #expect(flat.count == 400)
            #expect(Set(flat).count == 400)
        }
    }

    @Test("one workspace never sees another's jobs", arguments: TestBackend.available)
    func isolation(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
            try await store.enqueue([NewJob(workspaceID: a.id, kind: "test", payload: [:], runAt: clock.now())])
            let job = try #require(try await store.jobs(workspaceID: a.id, state: nil, before: nil, limit: 10).items.first)
            #expect(try await store.jobs(workspaceID: b.id, state: nil, before: nil, limit: 10).items.isEmpty)
            #expect(try await store.job(workspaceID: b.id, id: job.id) == nil)
            #expect(try await store.retryDeadJob(workspaceID: b.id, id: job.id) == nil)
        }
    }
}
