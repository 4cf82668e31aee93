import AdvocateCore
import SQLKit

extension AdvocateStore {
    /// Queues a recurring job (the digest, retention) at `at` unless one of its kind is already
    /// waiting: each run queues the next, and a restart queues one only if none is waiting.
    public func scheduleRecurringJob(kind: String, at: Timestamp) async throws {
        let now = clock.now()
        try await database.write { sql in
            guard try await sql.raw("SELECT id FROM jobs WHERE kind = \(bind: kind) AND state = 'queued' LIMIT 1").first() == nil else { return }
            try await Self.insertJobs([NewJob(workspaceID: nil, kind: kind, payload: [:], runAt: at, maxAttempts: 3)], now: now, in: sql)
        }
    }

    /// Adds jobs to the queue.
    public func enqueue(_ jobs: [NewJob]) async throws {
        guard !jobs.isEmpty else { return }
        let now = clock.now()
        try await database.write { sql in try await Self.insertJobs(jobs, now: now, in: sql) }
    }

    static func insertJobs(_ jobs: [NewJob], now: Timestamp, in sql: any SQLDatabase) async throws {
        for chunk in jobs.chunked(500) {
            try await sql.raw("""
                INSERT INTO jobs (workspace_id, kind, payload, state, available_at, attempts, max_attempts, created_at, updated_at)
                VALUES \(SQLList(chunk.map { job in
                    SQLQueryString("(\(bind: job.workspaceID), \(bind: job.kind), \(bind: job.payload.jsonText), 'queued', \(bind: job.runAt.milliseconds), 0, \(bind: max(1, job.maxAttempts)), \(bind: now.milliseconds), \(bind: now.milliseconds))")
                }))
                """).run()
        }
    }

    /// Claims up to `limit` due jobs of the given kinds for `owner`, holding them for
    /// `leaseMilliseconds`. A job whose worker died (running, lease run out) is claimable again;
    /// if that was its last attempt it is marked dead instead, so a job that kills its worker
    /// cannot loop forever.
    ///
    /// On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several instances claim at once without
    /// waiting for or taking each other's jobs; on SQLite the single writer serialises claims.
    public func claimJobs(kinds: [String], owner: String, limit: Int, leaseMilliseconds: Int64) async throws -> [Job] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let now = clock.now()
        let skipLocked: SQLQueryString = database.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await database.write { sql in
            let rows = try await sql.raw("""
                SELECT * FROM jobs WHERE state IN ('queued', 'running') AND available_at <= \(bind: now.milliseconds)
                AND kind IN (\(binds: kinds)) ORDER BY available_at, id LIMIT \(literal: limit)\(skipLocked)
                """).all()
            var claimed: [Job] = []
            var exhausted: [Int64] = []
            for row in rows {
                var job = try Self.decodeJob(row)
                if job.state == .running && job.attempts >= job.maxAttempts {
                    exhausted.append(job.id)
                    continue
                }
                job.state = .running
                job.attempts += 1
                job.availableAt = now.adding(milliseconds: leaseMilliseconds)
                job.updatedAt = now
                claimed.append(job)
            }
            if !exhausted.isEmpty {
                try await sql.raw("""
                    UPDATE jobs SET state = 'dead', last_error = 'the worker stopped during the last attempt',
                        lease_owner = NULL, updated_at = \(bind: now.milliseconds), finished_at = \(bind: now.milliseconds)
                    WHERE id IN (\(binds: exhausted))
                    """).run()
            }
            if !claimed.isEmpty {
                try await sql.raw("""
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = \(bind: owner),
                        available_at = \(bind: now.milliseconds + leaseMilliseconds), updated_at = \(bind: now.milliseconds)
                    WHERE id IN (\(binds: claimed.map(\.id)))
                    """).run()
            }
            return claimed
        }
    }

    /// Extends `owner`'s leases on jobs still running, so that a long attempt is not taken over
    /// while its worker is alive (the runner's heartbeat).
    public func extendLeases(jobIDs: [Int64], owner: String, leaseMilliseconds: Int64) async throws {
        guard !jobIDs.isEmpty else { return }
        let now = clock.now()
        // The send commit locks its jobs in id order too (`commitAccepted`): on PostgreSQL two
        // transactions taking the same rows in different orders deadlock, and an UPDATE's own
        // order is the plan's, so the rows are locked in id order first.
        let lock = database.dialect == .postgres
        try await database.write { sql in
            for chunk in jobIDs.sorted().chunked(500) {
                if lock {
                    try await sql.raw("SELECT id FROM jobs WHERE id IN (\(binds: Array(chunk))) ORDER BY id FOR UPDATE").run()
                }
                try await sql.raw("""
                    UPDATE jobs SET available_at = \(bind: now.milliseconds + leaseMilliseconds)
                    WHERE id IN (\(binds: Array(chunk))) AND state = 'running' AND lease_owner = \(bind: owner)
                    """).run()
            }
        }
    }

    /// Records how an attempt ended. Returns false, changing nothing, when `lease` no longer
    /// holds the job (it ran out and another worker took it over).
    @discardableResult
    public func finishJob(_ lease: JobLease, _ result: JobResult) async throws -> Bool {
        let now = clock.now()
        return try await database.write { sql in try await Self.finishJob(lease, result, now: now, in: sql) }
    }

    /// Marks a job done and erases its payload: for jobs whose payload holds a secret (a
    /// one-time link) that must not outlive the message. False when `lease` no longer holds it.
    @discardableResult
    public func finishJobErasingPayload(_ lease: JobLease) async throws -> Bool {
        let n = clock.now().milliseconds
        return try await database.write { sql in
            try await sql.raw("""
                UPDATE jobs SET state = 'done', payload = '{}', lease_owner = NULL, last_error = NULL, updated_at = \(bind: n), finished_at = \(bind: n)
                WHERE id = \(bind: lease.jobID) AND state = 'running' AND lease_owner = \(bind: lease.owner) RETURNING id
                """).first() != nil
        }
    }

    static func finishJob(_ lease: JobLease, _ result: JobResult, now: Timestamp, in sql: any SQLDatabase) async throws -> Bool {
        let n = now.milliseconds
        let condition: SQLQueryString = "id = \(bind: lease.jobID) AND state = 'running' AND lease_owner = \(bind: lease.owner)"
        let query: SQLQueryString
        switch result {
        case .done:
            query = "UPDATE jobs SET state = 'done', lease_owner = NULL, last_error = NULL, updated_at = \(bind: n), finished_at = \(bind: n) WHERE \(condition) RETURNING id"
        case .retry(let at, let error):
            // Out of attempts, a retry is a death: the error says why it kept failing.
            query = """
                UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN \(bind: n) ELSE NULL END,
                    available_at = \(bind: at.milliseconds), lease_owner = NULL, last_error = \(bind: error), updated_at = \(bind: n)
                WHERE \(condition) RETURNING id
                """
        case .dead(let error):
            query = "UPDATE jobs SET state = 'dead', lease_owner = NULL, last_error = \(bind: error), updated_at = \(bind: n), finished_at = \(bind: n) WHERE \(condition) RETURNING id"
        }
        return try await sql.raw(query).first() != nil
    }

    /// The workspace's jobs in a state, newest first.
    public func jobs(workspaceID: Int64, state: JobState?, before cursor: Int64?, limit: Int) async throws -> Page<Job> {
        try await database.read { sql in
            let stateFilter: SQLQueryString = state.map { " AND state = \(bind: $0.rawValue)" } ?? ""
            let rows = try await sql.raw("""
                SELECT * FROM jobs WHERE workspace_id = \(bind: workspaceID)\(stateFilter) AND id < \(bind: cursor ?? Int64.max)
                ORDER BY id DESC LIMIT \(literal: limit + 1)
                """).all()
            let items = try rows.prefix(limit).map(Self.decodeJob)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// One job of the workspace.
    public func job(workspaceID: Int64, id: Int64) async throws -> Job? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM jobs WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first().map(Self.decodeJob)
        }
    }

    /// Puts a dead job back in the queue, due now, with a fresh set of attempts. Nil when the
    /// workspace has no such job; `retried` is false (nothing changed) when it was not dead.
    public func retryDeadJob(workspaceID: Int64, id: Int64) async throws -> (job: Job, retried: Bool)? {
        let now = clock.now()
        return try await database.write { sql in
            let retried = try await sql.raw("""
                UPDATE jobs SET state = 'queued', attempts = 0, available_at = \(bind: now.milliseconds), finished_at = NULL,
                    updated_at = \(bind: now.milliseconds)
                WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id) AND state = 'dead' RETURNING id
                """).first() != nil
            return try await sql.raw("SELECT * FROM jobs WHERE workspace_id = \(bind: workspaceID) AND id = \(bind: id)").first()
                .map { (try Self.decodeJob($0), retried) }
        }
    }

    /// Jobs per state, for the queue-depth figure.
    public func jobCounts() async throws -> [JobState: Int] {
        try await database.read { sql in
            var result: [JobState: Int] = [:]
            for row in try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() {
                if let state = JobState(rawValue: try row.decode(column: "state", as: String.self)) {
                    result[state] = try row.decode(column: "n", as: Int.self)
                }
            }
            return result
        }
    }

    static func decodeJob(_ row: any SQLRow) throws -> Job {
        Job(id: try row.decode(column: "id", as: Int64.self), workspaceID: try row.decode(column: "workspace_id", as: Int64?.self),
            kind: try row.decode(column: "kind", as: String.self),
            payload: Properties(jsonText: try row.decode(column: "payload", as: String.self)),
            state: JobState(rawValue: try row.decode(column: "state", as: String.self)) ?? .dead,
            availableAt: Timestamp(milliseconds: try row.decode(column: "available_at", as: Int64.self)),
            attempts: try row.decode(column: "attempts", as: Int.self), maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            createdAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Timestamp(milliseconds: try row.decode(column: "updated_at", as: Int64.self)),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Timestamp.init(milliseconds:)))
    }
}
