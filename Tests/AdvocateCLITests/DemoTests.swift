import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Foundation
import NPS
import Testing

@Suite("advocate demo")
struct DemoTests {
    static func all(_ store: AdvocateStore, _ workspaceID: Int64) async throws -> [Response] {
        var result: [Response] = []
        var cursor: Int64?
        repeat {
            let page = try await store.responses(workspaceID: workspaceID, filter: ResponseFilter(), before: cursor, limit: 500)
            result += page.items
            cursor = page.nextCursor.flatMap(Cursor.decode)
        } while cursor != nil
        return result.reversed()
    }

    /// What a run loaded, in order, without the instants (which follow the clock).
    static func fingerprint(_ dir: String) async throws -> (answers: [String], store: AdvocateStore, workspaceID: Int64) {
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let ws = try #require(try await store.workspace(slug: "default"))
        let answers = try await Self.all(store, ws.id).map { "\($0.score.value)|\($0.comment ?? "")|\($0.locale ?? "")|\($0.properties.jsonText)" }
        return (answers, store, ws.id)
    }

    @Test("loads a deterministic, realistic dataset into an empty workspace and refuses a non-empty one")
    func demo() async throws {
        let one = CLITests.dataDirectory(), two = CLITests.dataDirectory()
        defer { for d in [one, two] { try? FileManager.default.removeItem(atPath: d) } }
        let run = runAdvocate(["demo", "--responses", "3000", "--seed", "5", "--data", one])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("3000 answers to 3 surveys"))
        #expect(runAdvocate(["demo", "--responses", "3000", "--seed", "5", "--data", two]).status == 0)
        let again = runAdvocate(["demo", "--responses", "10", "--data", one])
        #expect(again.status != 0 && again.stderr.contains("only into an empty workspace"), "\(again.stderr)")
        let bad = runAdvocate(["demo", "--responses", "0", "--data", two])
        #expect(bad.status != 0 && bad.stderr.contains("--responses"))

        let a = try await Self.fingerprint(one), b = try await Self.fingerprint(two)
        #expect(a.answers.count == 3000 && a.answers == b.answers, "the same seed, the same data")
        await b.store.close()
        let store = a.store
        let surveys = try await store.surveys(workspaceID: a.workspaceID, after: nil, limit: 10).items
        #expect(surveys.map(\.name) == DemoDataset.surveys.map(\.name))
        #expect(try await store.themes(workspaceID: a.workspaceID).count == StarterThemes.all.count)
        let responses = try await Self.all(store, a.workspaceID)
        #expect(Set(responses.compactMap(\.locale)).count == 8, "answers in eight languages")
        #expect(responses.filter { $0.comment != nil }.count > 900)
        for name in ["plan", "country", "industry", "company_size", "role", "mrr", "signed_up_at"] {
            #expect(responses.allSatisfy { $0.properties[name] != nil }, "every answer carries \(name)")
        }
        // Churn follows the score, and the invitations make a funnel.
        let answers = try await store.answeredContacts(workspaceID: a.workspaceID, surveyID: nil)
        let churn = ChurnOutcome.byCategory(answers, days: 180, now: store.clock.now())
        #expect(churn[2].churn.rate! > 2 * churn[0].churn.rate!, "detractors churn more than twice as often as promoters")
        let relationship = surveys[0]
        let funnel = try await store.surveyFunnel(surveyID: relationship.id, from: nil, to: nil)
        #expect(funnel.invited > funnel.answered && funnel.answered > 1_500 && funnel.opened > funnel.answered && funnel.bounced > 0)
        // The release: the Relationship survey's NPS is higher after it than before.
        let today = relationship.timeZone.day(containing: store.clock.now())
        let change = today.advanced(by: -DemoDataset.changeDaysAgo)
        let before = try await store.report(survey: relationship, from: change.advanced(by: -240), to: change.advanced(by: -1), interval: .month, by: nil)
        let after = try await store.report(survey: relationship, from: change, to: today, interval: .month, by: nil)
        let (npsAfter, npsBefore) = (try #require(after.summary.nps), try #require(before.summary.nps))
        #expect(npsAfter - npsBefore > 8, "after \(npsAfter), before \(npsBefore)")
        #expect(Tally.compare(after.summary.tally, before.summary.tally)?.isSignificant() == true)
        // Paid plans score higher than free, and drivers appear.
        let byPlan = try await store.report(survey: relationship, from: nil, to: nil, interval: .month, by: "plan")
        let nps = Dictionary(uniqueKeysWithValues: (byPlan.breakdown ?? []).map { ($0.value, $0.summary.nps ?? 0) })
        #expect(nps["enterprise"]! > nps["free"]!)
        let tagged = try await store.themedComments(workspaceID: a.workspaceID, surveyID: relationship.id, from: nil, to: nil, filter: ReportFilter(), limit: 10_000)
        #expect(tagged.filter { !$0.themes.isEmpty }.count > tagged.count * 8 / 10, "the comments name the themes' reasons")
        await store.close()
    }
}
