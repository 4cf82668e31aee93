import AdvocateCore
import SQLKit
import SQLiteKit
import SQLiteNIO

/// A chunk of an import that was not recorded (nor any after it), and why.
public struct ImportChunkError: Error, CustomStringConvertible {
    /// The chunk's index in the chunks given.
    public var chunk: Int
    public var underlying: any Error

    public var description: String { String(describing: underlying) }
}

extension AdvocateStore {
    /// Records an import's answers chunk by chunk, in order, each chunk in one transaction,
    /// exactly as `record` would; `committed` hears of each chunk once it is committed. A chunk
    /// that fails stops the import there (`ImportChunkError`); the chunks before it stay.
    ///
    /// On SQLite, when every answer has a source id (imported history, which never merges into
    /// a round), the next chunk is planned and its rows built on one core while SQLite writes
    /// the last one on the other, instead of the two taking turns. The plan is made against
    /// what the import has written plus what a WAL reader sees; each transaction first checks
    /// that nobody else wrote since the import's last one, and if somebody did, it writes
    /// nothing and the rest goes through `record`, which reads everything inside its transaction.
    public func recordImport(workspaceID: Int64, _ chunks: [[ResponseSubmission]],
                             committed: (_ chunk: Int, _ outcomes: [IngestOutcome]) async throws -> Void) async throws {
        var pipelined = 0
        if chunks.allSatisfy({ $0.allSatisfy { $0.sourceID != nil } }) {
            pipelined = try await ImportPipeline(database: database, clock: clock, workspaceID: workspaceID).run(chunks, committed: committed)
        }
        for index in pipelined..<chunks.count {
            let outcomes: [IngestOutcome]
            do { outcomes = try await record(workspaceID: workspaceID, chunks[index], batch: true) } catch {
                throw ImportChunkError(chunk: index, underlying: error)
            }
            try await committed(index, outcomes)
        }
    }
}

/// Plans an import's chunks one ahead of SQLite's writer (see `AdvocateStore.recordImport`).
///
/// Used by one task at a time: chunk i + 1 is planned only once chunk i's plan is done, so the
/// state needs no lock.
final class ImportPipeline: @unchecked Sendable {
    let database: Database
    let clock: any AdvocateClock
    let workspaceID: Int64
    /// The contacts the import has met, as they will be once its chunks are written.
    private var state = IngestState()
    private var nextContactID: Int64 = 0
    private var nextResponseID: Int64 = 0

    init(database: Database, clock: any AdvocateClock, workspaceID: Int64) {
        self.database = database
        self.clock = clock
        self.workspaceID = workspaceID
    }

    /// A chunk planned and built, ready for its transaction.
    struct PlannedChunk: Sendable {
        var write: PreparedWrite
        var outcomes: [IngestOutcome]
    }

    /// Writes chunks from the first on; returns the index of the first chunk it did not write
    /// (`chunks.count` when it wrote them all) because somebody else wrote meanwhile or the
    /// database is not SQLite.
    func run(_ chunks: [[ResponseSubmission]], committed: (Int, [IngestOutcome]) async throws -> Void) async throws -> Int {
        guard !chunks.isEmpty, let begun = try await database.markedWrite(since: nil, { sql in
            (try await Self.maxID("contacts", in: sql), try await Self.maxID("responses", in: sql))
        }) else { return 0 }
        (nextContactID, nextResponseID) = (begun.result.0 + 1, begun.result.1 + 1)
        var mark = begun.mark
        var ahead: Task<PlannedChunk, any Error>? = Task { try await self.plan(chunks[0]) }
        func stopPlanning() async {
            ahead?.cancel()
            _ = try? await ahead?.value
        }
        for index in chunks.indices {
            let planned: PlannedChunk
            do { planned = try await ahead!.value } catch { throw ImportChunkError(chunk: index, underlying: error) }
            ahead = index + 1 < chunks.count ? Task { try await self.plan(chunks[index + 1]) } : nil
            let database = database
            let written: Database.WriteMark?
            do {
                written = try await database.markedWrite(since: mark) { sql in
                    // As `commitOnce`: foreign keys checked at COMMIT, so no statement journal.
                    try await sql.raw("PRAGMA defer_foreign_keys = ON").run()
                    try await database.execute(planned.write, in: sql)
                }?.mark
            } catch where Database.isTransient(error) {
                // Another process holds the file: `record` waits and retries.
                written = nil
            } catch {
                await stopPlanning()
                throw ImportChunkError(chunk: index, underlying: error)
            }
            guard let written else {
                await stopPlanning()
                return index
            }
            mark = written
            IngestWriter.count(planned.outcomes)
            do { try await committed(index, planned.outcomes) } catch {
                await stopPlanning()
                throw error
            }
        }
        return chunks.count
    }

    private static func maxID(_ table: String, in sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw("SELECT COALESCE(MAX(id), 0) AS m FROM \(ident: table)").first()?.decode(column: "m", as: Int64.self) ?? 0
    }

    /// Plans one chunk as `commitOnce` would, against the contacts this import met and, for the
    /// others, what a WAL reader sees; assigns the ids the import's transactions will use.
    private func plan(_ items: [ResponseSubmission]) async throws -> PlannedChunk {
        let now = clock.now()
        let request = IngestRequest(workspaceID: workspaceID, items: items, batch: true)
        // People met before are known here better than in the database, which may not hold the
        // last chunk yet; the reader is asked only about the others.
        let unmet = IngestRequest(workspaceID: workspaceID, items: items.filter { item in
            guard let c = item.contact else { return false }
            return c.externalID.map { state.contactByExternalID[.init(workspaceID: workspaceID, value: $0)] == nil } ?? false
                || c.email.map { state.contactByEmail[.init(workspaceID: workspaceID, value: $0)] == nil } ?? false
        }, batch: true)
        let surveyIDs = Set(items.map(\.surveyID)).subtracting(state.surveys.keys)
        _ = try await database.withSQLiteReader { reader in
            let sql = reader.sql()
            try await state.loadSurveys(ids: surveyIDs, locking: false, in: sql)
            try await state.loadContacts(for: [unmet], locking: false, database: database, direct: reader, in: sql)
            try await state.loadSources(for: [request], database: database, direct: reader, in: sql)
        }
        try Task.checkCancellation()
        let planned: [PlannedOutcome]
        switch state.plan(request, now: now) {
        case .success(let p): planned = p
        case .failure(let error): throw error
        }
        let newContacts = state.newContactIndices.count, newResponses = state.newResponseIndices
        state.assignIDs(contacts: Array(nextContactID..<nextContactID + Int64(newContacts)),
                        responses: Array(nextResponseID..<nextResponseID + Int64(newResponses.count)))
        nextContactID += Int64(newContacts)
        nextResponseID += Int64(newResponses.count)
        let chunk = PlannedChunk(write: state.prepareWrite(database, newResponses: newResponses), outcomes: state.outcomes(planned))
        state.forgetWritten()
        return chunk
    }
}

extension IngestState {
    /// After a chunk of an import is planned: the next chunk needs its contacts (as written)
    /// and its source ids (the reader cannot see them before its transaction commits), not
    /// its responses. Source ids of earlier chunks are committed by then and left to the reader.
    mutating func forgetWritten() {
        recordedSources = [:]
        for (key, index) in plannedSources { recordedSources[key] = (responses[index].id!, responses[index].score) }
        plannedSources = [:]
        responses = []
        responsesByPair = [:]
        delta = RollupDelta()
        for i in contacts.indices where contacts[i].dirty { contacts[i].dirty = false }
    }
}
