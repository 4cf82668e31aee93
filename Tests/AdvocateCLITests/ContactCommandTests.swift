import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import Foundation
import NPS
import Testing

@Suite("advocate contact export|erase")
struct ContactCommandTests {
    @Test("export prints the person's JSON by external id or e-mail; erase removes them; unknown people and bad arguments are named")
    func exportAndErase() async throws {
        let dir = CLITests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = runAdvocate(["token", "create", "--name", "t", "--data", dir])
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let ws = try #require(try await store.workspace(slug: "default"))
        let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "R", productName: "Acme"))
        _ = try await store.record(workspaceID: ws.id, [ResponseSubmission(
            surveyID: survey.id, contact: ContactInput(externalID: "cus_1", email: "ana@example.com"), score: Score(4)!, comment: "Too slow")], batch: false)
        await store.close()

        let byID = runAdvocate(["contact", "export", "--external-id", "cus_1", "--data", dir])
        #expect(byID.status == 0, "\(byID.stderr)")
        let doc = try JSONValue.parse(byID.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(doc["contact"]?["email"] == .string("ana@example.com"))
        guard case .array(let responses)? = doc["responses"] else { Issue.record("no responses: \(doc)"); return }
        #expect(responses.map { $0["comment"] } == [.string("Too slow")])
        let byEmail = runAdvocate(["contact", "export", "--email", "Ana@Example.com", "--data", dir])
        #expect(byEmail.status == 0 && byEmail.stdout.contains("Too slow"), "\(byEmail.stderr)")

        let both = runAdvocate(["contact", "erase", "--external-id", "cus_1", "--email", "ana@example.com", "--data", dir])
        #expect(both.status != 0 && both.stderr.contains("exactly one of --external-id and --email"))
        let erased = runAdvocate(["contact", "erase", "--email", "ana@example.com", "--data", dir])
        #expect(erased.status == 0 && erased.stdout.contains("erased the contact with e-mail ana@example.com"), "\(erased.stderr)")
        let again = runAdvocate(["contact", "export", "--external-id", "cus_1", "--data", dir])
        #expect(again.status != 0 && again.stderr.contains("no contact with external_id \"cus_1\""))
    }
}

@Suite("advocate retention run")
struct RetentionCommandTests {
    @Test("applies a workspace's policy at once; a workspace without one is named")
    func run() async throws {
        let dir = CLITests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = runAdvocate(["token", "create", "--name", "t", "--data", dir])
        #expect(runAdvocate(["retention", "run", "--data", dir]).stdout.contains("no workspace has a retention policy"))
        let none = runAdvocate(["retention", "run", "--workspace", "default", "--data", dir])
        #expect(none.status != 0 && none.stderr.contains("workspace default has no retention policy"))

        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let ws = try #require(try await store.workspace(slug: "default"))
        let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "R", productName: "Acme"))
        for at in ["2020-01-10T10:00:00Z", "2020-02-10T10:00:00Z"] {
            _ = try await store.record(workspaceID: ws.id, [ResponseSubmission(surveyID: survey.id, contact: nil, score: Score(4)!, comment: "old",
                                                                               createdAt: Timestamp(rfc3339: at)!)], batch: false)
        }
        try await store.setRetention(workspaceID: ws.id, RetentionPolicy(action: .delete, months: 12))
        await store.close()
        let ran = runAdvocate(["retention", "run", "--workspace", "default", "--data", dir])
        #expect(ran.status == 0 && ran.stdout.contains("default: 2 responses older than 12 months deleted"), "\(ran.stdout) \(ran.stderr)")
        #expect(runAdvocate(["retention", "run", "--data", dir]).stdout.contains("0 responses deleted or anonymised"), "a second run finds nothing")
    }
}
