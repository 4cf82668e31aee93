import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import responses from Advocate's CSV format (docs/csv.md) or another tool's export (docs/delighted.md).",
        discussion: "Every row is checked before anything is written; with errors, nothing is imported unless --skip-invalid is given.")

    @Argument(help: "The CSV file.") var file: String
    @Option(help: "The file's format: advocate (docs/csv.md), delighted, delighted-people, wootric, promoter, surveymonkey or csv (docs/delighted.md).")
    var from: String = "advocate"
    @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
    @Option(help: "Survey id for rows without a survey_id column (other formats: the survey to import into; default the workspace's first).")
    var survey: Int64?
    @Option(help: "With no survey in the workspace yet: create one asking about this product.") var product: String?
    @Option(name: .customLong("map"), help: "FIELD=COLUMN: read a field from this column (fields: \(VendorCSV.Field.allCases.map(\.rawValue).joined(separator: ", "))). Repeatable.")
    var mappings: [String] = []
    @Option(name: .customLong("ignore"), help: "Leave this column out (otherwise unmapped columns become properties). Repeatable.")
    var ignored: [String] = []
    @Flag(help: "Leave out every column that is not a mapped field.") var onlyMapped = false
    @Flag(help: "Import the valid rows and report the invalid ones.") var skipInvalid = false
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard from == "advocate" || from == "delighted-people" || VendorCSV.Vendor(rawValue: from) != nil else {
            throw ValidationError("--from must be advocate, delighted, delighted-people, wootric, promoter, surveymonkey or csv, got \"\(from)\"")
        }
        _ = try fieldMapping()
    }

    /// `--map` as fields to columns.
    func fieldMapping() throws -> [VendorCSV.Field: String] {
        var result: [VendorCSV.Field: String] = [:]
        for item in mappings {
            guard let eq = item.firstIndex(of: "="), let field = VendorCSV.Field(rawValue: String(item[..<eq]).trimmingCharacters(in: .whitespaces)),
                  !item[item.index(after: eq)...].isEmpty else {
                throw ValidationError("--map \"\(item)\": expected FIELD=COLUMN with FIELD one of \(VendorCSV.Field.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard result[field] == nil else { throw ValidationError("--map names \(field.rawValue) twice") }
            result[field] = String(item[item.index(after: eq)...])
        }
        return result
    }

    func run() async throws {
        if from == "delighted-people" {
            let people = PeopleImport(file: file, workspace: workspace, ignoring: Set(ignored), skipInvalid: skipInvalid)
            return try await withStore(dataOptions) { try await people.run($0) }
        }
        if let vendor = VendorCSV.Vendor(rawValue: from) {
            let importer = VendorImport(file: file, vendor: vendor, workspace: workspace, survey: survey, product: product,
                                        mapping: try fieldMapping(), ignoring: Set(ignored), onlyMapped: onlyMapped, skipInvalid: skipInvalid)
            return try await withStore(dataOptions) { try await importer.run($0) }
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        var reader = CSVReader(Array(data))
        var submissions: [(line: Int, submission: ResponseSubmission)] = []
        var problems: [String] = []
        do {
            guard let headerFields = try reader.next() else { throw CLIError("\(file) is empty") }
            let header: ResponseCSV.Header
            do { header = try ResponseCSV.Header(headerFields, surveyFromCommandLine: survey != nil) } catch {
                throw CLIError("\(file): bad header: \(error.description)")
            }
            while true {
                let line = reader.line
                guard let fields = try reader.next() else { break }
                if fields == [""] { continue }
                switch ResponseCSV.submission(fields, header: header, surveyID: survey, line: line) {
                case .success(let s): submissions.append((line, s))
                case .failure(let e): problems.append(contentsOf: e.issues.map(\.description))
                }
            }
        } catch let e as CSVReader.ParseError {
            throw CLIError("\(file): \(e.description); nothing was imported")
        }
        if !problems.isEmpty && !skipInvalid {
            throw CLIError("\(problems.count) invalid row problem(s); nothing was imported:\n  " + problems.prefix(50).joined(separator: "\n  ")
                + (problems.count > 50 ? "\n  …" : "") + "\n(fix them, or import the valid rows with --skip-invalid)")
        }
        try await withStore(dataOptions) { store in
            let ws = try await store.requireWorkspace(workspace)
            // Every check ingest makes (unknown survey, future date, an e-mail owned by another
            // contact) runs on the whole file first, so a refused row cannot leave a half-done import.
            var refused: [Int: [String]] = [:]
            for issue in try await store.check(workspaceID: ws.id, submissions.map(\.submission)) {
                guard let (index, field) = Self.batchIndex(issue.field) else { continue }
                refused[index, default: []].append("line \(submissions[index].line): \(field): \(issue.message)")
            }
            if !refused.isEmpty {
                let lines = refused.keys.sorted().flatMap { refused[$0]! }
                guard skipInvalid else {
                    throw CLIError("\(lines.count) row problem(s) against the database; nothing was imported:\n  "
                                   + lines.prefix(50).joined(separator: "\n  ") + (lines.count > 50 ? "\n  …" : "")
                                   + "\n(fix them, or import the other rows with --skip-invalid)")
                }
                problems += lines
                submissions = submissions.enumerated().filter { refused[$0.offset] == nil }.map(\.element)
            }
            let progress = ProgressBar(total: submissions.count, label: "importing")
            var created = 0, updated = 0, done = 0
            let checked = submissions
            do {
                try await store.bulkLoad {
                    for chunk in stride(from: 0, to: checked.count, by: 5_000) {
                        let part = checked[chunk..<min(chunk + 5_000, checked.count)].map(\.submission)
                        let outcomes: [IngestOutcome]
                        do { outcomes = try await store.record(workspaceID: ws.id, part, batch: true) } catch {
                            // Only a concurrent writer changing the same contacts since the check gets here.
                            throw CLIError("stopped at line \(checked[chunk].line) after importing \(done) rows: \(error)\n"
                                           + "(running the import again is safe: an answer in the same round updates its response)")
                        }
                        created += outcomes.filter(\.created).count
                        updated += outcomes.count - outcomes.filter(\.created).count
                        done += part.count
                        progress.update(done)
                    }
                }
            } catch {
                progress.finish()
                throw error
            }
            progress.finish()
            print("imported \(submissions.count) rows: \(created) new responses, \(updated) updated an earlier answer in the same round"
                  + (problems.isEmpty ? "" : "; skipped \(problems.count) invalid:\n  " + problems.prefix(50).joined(separator: "\n  ")))
        }
    }
}

extension ImportCommand {
    /// `responses[12].contact.email` → (12, "contact.email").
    static func batchIndex(_ field: String) -> (Int, String)? {
        guard field.hasPrefix("responses["), let close = field.firstIndex(of: "]"),
              let index = Int(field[field.index(field.startIndex, offsetBy: 10)..<close]) else { return nil }
        let rest = field[field.index(after: close)...]
        return (index, rest.hasPrefix(".") ? String(rest.dropFirst()) : String(rest))
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export responses as CSV (the format `import` reads).")

    @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
    @Option(help: "Only this survey.") var survey: Int64?
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        try await withStore(dataOptions) { store in
            let ws = try await store.requireWorkspace(workspace)
            var filter = ResponseFilter()
            filter.surveyID = survey
            let (responses, contacts) = try await store.exportableResponses(workspaceID: ws.id, filter: filter)
            let text = ResponseCSV.document(responses, contacts: contacts)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else { throw CLIError("cannot write \(output)") }
                FileHandle.standardError.write(Data("exported \(responses.count) responses to \(output)\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
