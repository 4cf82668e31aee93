import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation

extension BenchCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a Delighted export of N rows (commas, quotes, line breaks and four scripts in comments, empty scores, duplicate rows), import it into an empty database, then import it again (nothing new).")

        @Option(help: "Rows in the generated export.") var rows: Int = 1_000_000
        @Option(help: "Seed of the generated export.") var seed: UInt64 = 1
        @Option(help: "Keep the generated export at this path.") var keep: String?
        @Option(help: "PostgreSQL URL instead of a temporary SQLite database.") var database: String?

        func run() async throws {
            let dir = NSTemporaryDirectory() + "advocate-import-bench-\(ProcessInfo.processInfo.processIdentifier)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let file = keep ?? dir + "/delighted-export.csv"
            let bytes = Self.export(rows: rows, seed: seed)
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else { throw CLIError("cannot write \(file)") }
            print("generated \(rows) rows, \(bytes.count / 1_048_576) MiB: \(file)")
            let store = try await AdvocateStore.open(try DatabaseLocation.from(data: dir + "/data", database: database))
            do {
                let importer = VendorImport(file: file, vendor: .delighted, workspace: "bench", survey: nil, product: "Acme",
                                            mapping: [:], ignoring: [], onlyMapped: false, skipInvalid: false)
                for pass in ["first import", "second import (all already imported)"] {
                    let t0 = Date()
                    try await importer.run(store)
                    let seconds = Date().timeIntervalSince(t0)
                    print(String(format: "%@: %d rows in %.1f s = %.0f rows/s", pass, rows, seconds, Double(rows) / seconds))
                }
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }

        /// A Delighted response export: ids, people who answer more than once, tags, notes and a
        /// plan property; 2% without a score, 1% repeated rows, comments in four scripts with
        /// the characters CSV must quote.
        static func export(rows: Int, seed: UInt64) -> [UInt8] {
            var random = SeededGenerator(seed: seed)
            let comments = ["", "", "Great support, fast answers", "Fiyatlar çok yüksek, ama destek \"harika\"",
                            "الدعم بطيء جداً، لكن المنتج ممتاز", "客服很慢，\n但是产品很好", "Қолдау қызметі өте жақсы",
                            "Too expensive,\nand the editor crashes", "İSTANBUL ofisi çok yardımcı oldu"]
            let tags = ["", "", "support", "pricing,billing", "onboarding"]
            var out = CSVWriter.record(["Response ID", "Email", "Name", "Score", "Comment", "Response Timestamp", "Tags", "Notes", "Plan", "Survey Type"])
            out.reserveCapacity(rows * 110)
            let start: Int64 = 1_700_000_000
            var previous = ""
            for i in 0..<rows {
                if i > 0, Int.random(in: 0..<100, using: &random) == 0 {
                    out += previous
                    continue
                }
                let person = Int.random(in: 0..<max(1, rows / 4), using: &random)
                let score = Int.random(in: 0..<50, using: &random) == 0 ? "" : String(Int.random(in: 0...10, using: &random))
                let at = start + Int64(i) * 60
                let record = CSVWriter.record([
                    String(1_000_000 + i), "person\(person)@example.test", "Person \(person)", score,
                    comments[Int.random(in: 0..<comments.count, using: &random)], String(at),
                    tags[Int.random(in: 0..<tags.count, using: &random)], i % 97 == 0 ? "Called back, resolved" : "",
                    person % 3 == 0 ? "paid" : "free", "nps",
                ])
                out += record
                previous = record
            }
            return Array(out.utf8)
        }
    }
}
