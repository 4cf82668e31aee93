import AdvocateCore
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The link-scanner simulation of the respondent issue, with the real curl against a real
/// listening server; the server's clock is the test's, so "35 seconds later" needs no sleep.
@Suite("Scanner simulation with curl")
struct ScannerSimulationTests {
    static let scannerAgents = [
        "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; BingPreview/1.0b)",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
        "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
        "Mimecast-LinkScanner/1.0",
        "Barracuda Sentinel (EE)",
    ]
    static let browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

    /// Runs curl; returns the HTTP status it printed. It waits for curl on a thread of its own:
    /// blocking one of the few cooperative threads would starve the server curl is talking to.
    static func curl(_ arguments: [String]) async throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: runProgram("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}"] + arguments,
                                                          stdout: out, stderr: nil))
            }
        }
        guard status == 0 else { throw HarnessError("curl \(arguments) exited with \(status)") }
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    /// The form token curl's cookie jar holds.
    static func csrf(inJar path: String) throws -> String {
        let jar = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = jar.split(separator: "\n").first(where: { $0.contains("advocate_csrf") }),
              let value = line.split(separator: "\t").last else { throw HarnessError("no form token in the cookie jar") }
        return String(value)
    }

    @Test("scanner agents, a burst of all 11 links, HEAD and a scanner's POST 35 s later record nothing counted; a person afterwards counts",
          arguments: TestBackend.available)
    func simulation(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let ws = try await store.ensureWorkspace(slug: "acme").workspace
            let secret = APITokenSecret.generate()
            _ = try await store.createToken(workspaceID: ws.id, name: "test", secretHash: APITokenSecret.hash(secret))
            let app = Application(router: buildRouter(store: store), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
            try await app.test(.live) { client in
                let api = APIHarness(client: client, store: store, clock: clock, workspaceID: ws.id, token: secret)
                let base = "http://127.0.0.1:\(try #require(client.port))"
                let survey = try await api.createSurvey()
                let (token, _) = try await api.sentInvitation(surveyID: survey)
                let jar = FileManager.default.temporaryDirectory.appendingPathComponent("jar-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: jar) }

                for (i, agent) in Self.scannerAgents.enumerated() {
                    #expect(try await Self.curl(["-A", agent, "\(base)/r/\(token)/\(i)"]) == "200")
                }
                clock.advance(milliseconds: 60_000)
                // A sandbox with a browser's User-Agent opening every link of the message at once.
                for score in 0...10 { #expect(try await Self.curl(["-A", Self.browser, "\(base)/r/\(token)/\(score)"]) == "200") }
                #expect(try await Self.curl(["-I", "-A", Self.browser, "\(base)/r/\(token)/10"]) == "200")
                // The scanner comes back 35 s later and submits the form, cookies and all.
                clock.advance(milliseconds: 35_000)
                #expect(try await Self.curl(["-c", jar, "-b", jar, "-A", Self.scannerAgents[0], "\(base)/r/\(token)"]) == "200")
                let scannerToken = try Self.csrf(inJar: jar)
                #expect(try await Self.curl(["-c", jar, "-b", jar, "-A", Self.scannerAgents[0], "-d", "csrf=\(scannerToken)&score=10&send=1",
                                       "\(base)/r/\(token)"]) == "303")
                #expect(try await api.storedResponses(surveyID: survey).allSatisfy { $0.status == "flagged" })
                #expect(try await api.reportedCount(surveyID: survey) == 0)

                // A person, an hour later, with their own browser.
                clock.advance(milliseconds: 3_600_000)
                let person = jar + "-person"
                defer { try? FileManager.default.removeItem(atPath: person) }
                #expect(try await Self.curl(["-c", person, "-b", person, "-A", Self.browser, "\(base)/r/\(token)/9"]) == "200")
                let personToken = try Self.csrf(inJar: person)
                #expect(try await Self.curl(["-c", person, "-b", person, "-A", Self.browser, "--data-urlencode", "comment=Love the new reports",
                                       "-d", "csrf=\(personToken)&score=9&send=1", "\(base)/r/\(token)"]) == "303")
                let rows = try await api.storedResponses(surveyID: survey)
                #expect(rows.count == 1 && rows[0].status == "counted" && rows[0].score == 9 && rows[0].comment == "Love the new reports")
                #expect(try await api.reportedCount(surveyID: survey) == 1)
            }
        }
    }
}
