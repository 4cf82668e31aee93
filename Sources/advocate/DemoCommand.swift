import AdvocateCore
import AdvocateStore
import ArgumentParser
import Foundation

/// `advocate demo`: fills an empty workspace with a generated, realistic dataset (DemoDataset) so
/// the dashboard has something true-looking to show: for trying Advocate, screenshots and benchmarks.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load a generated demo dataset (three surveys, about 50,000 answers over two years) into an empty workspace.",
        discussion: "The data follows from --seed: the same seed gives the same data. A workspace that already has surveys, contacts or responses is refused.")

    @Option(help: "Answers to generate.") var responses: Int = 50_000
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Workspace slug (created when missing).") var workspace: String = "default"
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard (1...5_000_000).contains(responses) else { throw ValidationError("--responses must be from 1 to 5000000, got \(responses)") }
    }

    func run() async throws {
        try await withStore(dataOptions) { store in
            let t0 = Date()
            let loaded = try await DemoLoader.load(store: store, workspace: workspace, responses: responses, seed: seed)
            print("demo data in workspace \"\(workspace)\": \(loaded.summary); seed \(seed), \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
        }
    }
}

/// Loads a demo dataset through the bulk ingest path (the demo command and `bench dashboard`).
enum DemoLoader {
    /// Fills the workspace `slug` (created when missing) and returns its id, the surveys' ids
    /// and a one-line summary; refuses a workspace that has surveys, contacts or responses.
    static func load(store: AdvocateStore, workspace slug: String, responses: Int, seed: UInt64) async throws
        -> (workspaceID: Int64, surveyIDs: [Int64], summary: String) {
        let (ws, _) = try await store.ensureWorkspace(slug: slug)
        guard try await store.isEmptyWorkspace(ws.id) else {
            throw CLIError("workspace \"\(slug)\" already has surveys, contacts or responses: the demo loads only into an empty workspace (pick another --workspace or data directory)")
        }
        // Themes first, so the answers are tagged as they arrive and the drivers show at once.
        _ = try await store.installStarterThemes(workspaceID: ws.id)
        var keywords: [String: [String: [String]]] = [:]
        for theme in StarterThemes.all {
            for rule in theme.rules { keywords[theme.name, default: [:]][rule.language ?? "en", default: []].append(rule.text) }
        }
        var surveyIDs: [Int64] = []
        for spec in DemoDataset.surveys {
            surveyIDs.append(try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: spec.name, productName: spec.productName)).id)
        }
        let data = DemoDataset(responses: responses, seed: seed, now: store.clock.now(), keywords: keywords)
        let progress = ProgressBar(total: data.answers.count, label: "answers")
        var done = 0
        // The importers' way: a bulk load (on SQLite no commit waits for the disk until the end)
        // in transactions of 50,000 answers, so the randomly ordered index pages each one touches
        // are written once per 50,000 rather than once per 5,000. The answers go in the same
        // order, so the same seed still gives the same rows and ids.
        let churned = data.contacts.filter { $0.churnedAt != nil }
        try await store.bulkLoad {
            for chunk in data.answers.chunked(50_000) {
                let batch = chunk.map { a -> ResponseSubmission in
                    let c = data.contacts[a.contact]
                    var s = ResponseSubmission(surveyID: surveyIDs[a.survey],
                                               contact: ContactInput(externalID: c.externalID, email: c.email, name: c.name, locale: c.locale, properties: c.properties),
                                               score: a.score, comment: a.comment, properties: a.properties, createdAt: a.createdAt,
                                               channel: a.channel, locale: a.locale)
                    s.sourceID = a.sourceID
                    return s
                }
                _ = try await store.record(workspaceID: ws.id, batch, batch: true)
                done += chunk.count
                progress.update(done)
            }
            progress.finish()
            try await store.loadDemoInvitations(workspaceID: ws.id, data.invitations, surveyIDs: surveyIDs, contacts: data.contacts)
            try await store.replaceContactProperties(workspaceID: ws.id, churned.map { ($0.externalID, data.finalProperties(of: $0)) })
        }
        let summary = "\(data.answers.count) answers to \(surveyIDs.count) surveys (ids \(surveyIDs.map(String.init).joined(separator: ", "))), "
            + "\(data.contacts.count) contacts (\(churned.count) churned), \(data.invitations.count) invitations, \(StarterThemes.all.count) themes"
        return (ws.id, surveyIDs, summary)
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
