/// Runs requests that arrive together in one transaction: each caller waits for the commit that
/// contains its request, so throughput grows with concurrency instead of paying one fsync each.
actor GroupCommit<Request: Sendable, Output: Sendable> {
    typealias Commit = @Sendable ([Request]) async -> [Result<Output, any Error>]

    private let commit: Commit
    private let maxBatch: Int
    private var pending: [(Request, CheckedContinuation<Output, any Error>)] = []
    private var draining = false

    /// `commit` writes a batch in one transaction and returns one result per request, in order.
    init(maxBatch: Int, commit: @escaping Commit) {
        self.maxBatch = maxBatch
        self.commit = commit
    }

    func submit(_ request: Request) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((request, continuation))
            if !draining {
                draining = true
                // High priority: a commit waiting behind CPU-bound work (DKIM signing) holds up
                // every caller of the batch.
                Task(priority: .high) { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let group = Array(pending.prefix(maxBatch))
            pending.removeFirst(group.count)
            let results = await commit(group.map(\.0))
            for ((_, continuation), result) in zip(group, results) { continuation.resume(with: result) }
        }
        draining = false
    }
}
