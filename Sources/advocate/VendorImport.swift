import AdvocateCore
import AdvocateStore
import Foundation

/// `advocate import --from delighted|wootric|promoter|surveymonkey|csv FILE`: another tool's
/// response export into a survey (docs/delighted.md). The whole file is read and checked first;
/// with a problem nothing is imported unless `--skip-invalid`. Each answer keeps its source id, so
/// running the import again imports nothing twice.
struct VendorImport {
    var file: String
    var vendor: VendorCSV.Vendor
    var workspace: String
    var survey: Int64?
    var product: String?
    var mapping: [VendorCSV.Field: String]
    var ignoring: Set<String>
    var onlyMapped: Bool
    var skipInvalid: Bool

    /// What the file holds, before the database is asked.
    struct Parsed {
        var answers: [(line: Int, submission: ResponseSubmission)] = []
        /// Why rows were not answers to import, with how many.
        var skipped: [String: Int] = [:]
        var problems: [String] = []
        var rows = 0
    }

    static func readText(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let bytes = Array(data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw CLIError("\(file) is UTF-16 text; save it as UTF-8 (CSV UTF-8 in Excel) and import again; nothing was imported")
        }
        return bytes
    }

    func parse(_ bytes: [UInt8], now: Timestamp) throws -> Parsed {
        var reader = CSVReader(bytes)
        var parsed = Parsed()
        var records: [(line: Int, cells: [String])] = []
        let format: VendorCSV
        // Rows are independent: each batch is read on another core while the next is split
        // into cells here (the splitting is serial, a fifth of reading); merged in file order.
        let batchSize = 20_000
        let results = Results()
        let checking = DispatchGroup()
        func readBatch(from start: Int, _ format: VendorCSV) {
            let batch = Array(records[start...])
            let surveyID = survey ?? 1
            DispatchQueue.global().async(group: checking) {
                results.set(start / batchSize, batch.map { format.row($0.cells, line: $0.line, surveyID: surveyID) })
            }
        }
        do {
            guard let header = try reader.next(), header != [""] else { throw CLIError("\(file) is empty") }
            do {
                format = try VendorCSV(header: header, vendor: vendor, mapping: mapping, ignoring: ignoring, onlyMapped: onlyMapped)
            } catch {
                throw CLIError("\(file): the header does not fit --from \(vendor.rawValue):\n  " + error.issues.map(\.description).joined(separator: "\n  ")
                               + "\nnothing was imported")
            }
            while true {
                let line = reader.line
                guard let cells = try reader.next() else { break }
                if cells != [""] {
                    records.append((line, cells))
                    if records.count % batchSize == 0 { readBatch(from: records.count - batchSize, format) }
                }
            }
            if records.count % batchSize != 0 { readBatch(from: records.count - records.count % batchSize, format) }
            checking.wait()
        } catch let e as CSVReader.ParseError {
            checking.wait()
            throw CLIError("\(file): \(e.description); nothing was imported")
        }
        parsed.rows = records.count
        var sources: Set<String> = []
        sources.reserveCapacity(records.count)
        parsed.answers.reserveCapacity(records.count)
        for (record, result) in zip(records, results.all) {
            switch result {
            case .failure(let e): parsed.problems.append(contentsOf: e.issues.map(\.description))
            case .success(.skipped(let reason)): parsed.skipped[reason, default: 0] += 1
            case .success(.answer(let submission)):
                if let at = submission.createdAt, at.milliseconds > now.milliseconds + 600_000 {
                    parsed.problems.append("line \(record.line).created_at: must not be in the future (it is \(now) now)")
                    continue
                }
                if let source = submission.sourceID, !sources.insert(source).inserted {
                    parsed.skipped["a duplicate of an earlier row (same response)", default: 0] += 1
                    continue
                }
                parsed.answers.append((record.line, submission))
            }
        }
        return parsed
    }

    /// Each batch's rows, written once by the task that read them.
    private final class Results: @unchecked Sendable {
        private var parts: [Int: [Result<VendorCSV.Row, ValidationError>]] = [:]
        private let lock = NSLock()
        func set(_ index: Int, _ rows: [Result<VendorCSV.Row, ValidationError>]) { lock.withLock { parts[index] = rows } }
        var all: [Result<VendorCSV.Row, ValidationError>] { lock.withLock { parts.keys.sorted().flatMap { parts[$0]! } } }
    }

    func run(_ store: AdvocateStore) async throws {
        let bytes = try Self.readText(file)
        let started = Date()
        var parsed = try parse(bytes, now: store.clock.now())
        if !parsed.problems.isEmpty && !skipInvalid {
            throw CLIError("\(parsed.problems.count) invalid row problem(s); nothing was imported:\n  " + parsed.problems.prefix(50).joined(separator: "\n  ")
                           + (parsed.problems.count > 50 ? "\n  …" : "") + "\n(fix them, or import the valid rows with --skip-invalid)")
        }
        // A workspace or survey this import creates is made only once the file has passed every check.
        let existingWorkspace = try await store.workspace(slug: workspace)
        var target = try await existingSurvey(store, workspaceID: existingWorkspace?.id)
        if target == nil, product?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
            throw CLIError("workspace \(workspace) has no survey yet: give --product \"Your product\" to create one (or --survey ID); nothing was imported")
        }
        for i in parsed.answers.indices { parsed.answers[i].submission.surveyID = target?.id ?? 0 }

        var refused: [Int: [String]] = [:]
        // What only the database can refuse: an e-mail that belongs to a contact with another
        // external id. Rows named by e-mail alone (Delighted's) cannot meet it, nor can a new
        // survey's rows (the rest was checked row by row), so the dry run is skipped for them.
        let conflictsPossible = parsed.answers.contains { $0.submission.contact?.externalID != nil && $0.submission.contact?.email != nil }
        let checked = target == nil || !conflictsPossible ? []
            : try await store.check(workspaceID: existingWorkspace!.id, parsed.answers.map(\.submission))
        for issue in checked {
            guard let (index, field) = ImportCommand.batchIndex(issue.field) else { continue }
            refused[index, default: []].append("line \(parsed.answers[index].line): \(field): \(issue.message)")
        }
        if !refused.isEmpty {
            let lines = refused.keys.sorted().flatMap { refused[$0]! }
            guard skipInvalid else {
                throw CLIError("\(lines.count) row problem(s) against the database; nothing was imported:\n  " + lines.prefix(50).joined(separator: "\n  ")
                               + (lines.count > 50 ? "\n  …" : "") + "\n(fix them, or import the other rows with --skip-invalid)")
            }
            parsed.problems += lines
            parsed.answers = parsed.answers.enumerated().filter { refused[$0.offset] == nil }.map(\.element)
        }

        var ws: Workspace
        if let existingWorkspace { ws = existingWorkspace } else { ws = try await store.ensureWorkspace(slug: workspace).workspace }
        if target == nil {
            target = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "NPS", productName: product!))
            for i in parsed.answers.indices { parsed.answers[i].submission.surveyID = target!.id }
        }
        // Rows an earlier run imported are skipped here, before the ingest writer plans them.
        let already = try await store.recordedSourceIDs(workspaceID: ws.id, prefix: vendor.rawValue + ":")
        let before = parsed.answers.count
        if !already.isEmpty { parsed.answers.removeAll { $0.submission.sourceID.map(already.contains) ?? false } }
        let checkedAt = Date()
        let progress = ProgressBar(total: parsed.answers.count, label: "importing")
        let skippedEarly = before - parsed.answers.count
        var created = 0, done = 0
        // Large transactions: the randomly ordered index pages each one touches are written once
        // per transaction, so 50,000 rows write about a fifth of what 10,000 did.
        let chunkSize = 50_000
        let chunks = parsed.answers.chunked(chunkSize)
        do {
            try await store.bulkLoad {
                do {
                    try await store.recordImport(workspaceID: ws.id, chunks.map { $0.map(\.submission) }) { index, outcomes in
                        created += outcomes.filter(\.created).count
                        done += chunks[index].count
                        progress.update(done)
                    }
                } catch let failure as ImportChunkError {
                    throw CLIError("stopped at line \(chunks[failure.chunk].first!.line) after importing \(done) rows: \(failure.underlying)\n"
                                   + "(running the import again is safe: rows already imported are skipped)")
                }
            }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        var summary = "\(file): \(parsed.rows) rows into survey \(target!.id) (\(target!.name)) in \(String(format: "%.1f", seconds)) s"
            + " (read and checked in \(String(format: "%.1f", checkedAt.timeIntervalSince(started))) s)\n"
        summary += "  \(created) responses imported\n"
        let alreadyImported = skippedEarly + done - created
        if alreadyImported > 0 { summary += "  \(alreadyImported) already imported before (skipped)\n" }
        for (reason, count) in parsed.skipped.sorted(by: { $0.value > $1.value }) { summary += "  \(count) skipped: \(reason)\n" }
        if !parsed.problems.isEmpty {
            summary += "  \(parsed.problems.count) invalid, skipped:\n    " + parsed.problems.prefix(50).joined(separator: "\n    ") + "\n"
        }
        print(summary, terminator: "")
    }

    /// `--survey`, else the workspace's first survey; nil when there is none yet.
    private func existingSurvey(_ store: AdvocateStore, workspaceID: Int64?) async throws -> Survey? {
        guard let workspaceID else {
            if survey != nil { throw CLIError("--survey: there is no workspace \(workspace) yet; nothing was imported") }
            return nil
        }
        if let survey {
            guard let found = try await store.survey(workspaceID: workspaceID, id: survey) else {
                throw CLIError("--survey: no survey \(survey) in workspace \(workspace); nothing was imported")
            }
            return found
        }
        return try await store.surveys(workspaceID: workspaceID, after: nil, limit: 1).items.first
    }
}

/// `advocate import --from delighted-people FILE`: Delighted's people export as contacts (by
/// e-mail: running it again updates them, it never duplicates anyone).
struct PeopleImport {
    var file: String
    var workspace: String
    var ignoring: Set<String>
    var skipInvalid: Bool

    func run(_ store: AdvocateStore) async throws {
        var reader = CSVReader(try VendorImport.readText(file))
        var people: [ContactInput] = []
        var problems: [String] = []
        do {
            guard let header = try reader.next(), header != [""] else { throw CLIError("\(file) is empty") }
            let format: PeopleCSV
            do { format = try PeopleCSV(header: header, ignoring: ignoring) } catch {
                throw CLIError("\(file): " + error.issues.map(\.description).joined(separator: "; ") + "; nothing was imported")
            }
            while true {
                let line = reader.line
                guard let cells = try reader.next() else { break }
                if cells == [""] { continue }
                switch format.contact(cells, line: line) {
                case .success(let c): people.append(c)
                case .failure(let e): problems.append(contentsOf: e.issues.map(\.description))
                }
            }
        } catch let e as CSVReader.ParseError {
            throw CLIError("\(file): \(e.description); nothing was imported")
        }
        if !problems.isEmpty && !skipInvalid {
            throw CLIError("\(problems.count) invalid row(s); nothing was imported:\n  " + problems.prefix(50).joined(separator: "\n  ")
                           + "\n(fix them, or import the valid rows with --skip-invalid)")
        }
        let ws = try await store.ensureWorkspace(slug: workspace).workspace
        let progress = ProgressBar(total: people.count, label: "importing people")
        var created = 0
        // One transaction per person, each without waiting for the disk; durable at the end.
        try await store.bulkLoad {
            for (i, person) in people.enumerated() {
                if try await store.upsertContact(workspaceID: ws.id, person).created { created += 1 }
                if i % 100 == 0 { progress.update(i) }
            }
        }
        progress.finish()
        print("\(file): \(created) people added, \(people.count - created) updated or unchanged"
              + (problems.isEmpty ? "" : "; \(problems.count) invalid, skipped:\n  " + problems.prefix(50).joined(separator: "\n  ")))
    }
}
