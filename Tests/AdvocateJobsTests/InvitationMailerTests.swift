import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Mail
import MailTestSupport
import NPS
import Testing
import _CryptoExtras

/// One DKIM key per test process, made here so no private key is committed.
let dkimKey: _RSA.Signing.PrivateKey = {
    do { return try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch { fatalError("RSA key generation failed: \(error)") }
}()

/// A store, a mailer sending to a real aiosmtpd at `port`, and a runner driving it.
struct MailerFixture {
    let store: AdvocateStore
    let clock: ManualClock
    let runner: JobRunner
    let workspace: Workspace
    let survey: Survey
    let pool: SMTPPool

    static let publicURL = "https://nps.acme.example.com"

    init(store: AdvocateStore, clock: ManualClock, port: Int) async throws {
        self.store = store
        self.clock = clock
        workspace = try await store.ensureWorkspace(slug: "acme").workspace
        survey = try await store.createSurvey(workspaceID: workspace.id, SurveyInput(name: "Relationship", productName: "Acme Cloud"))
        let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(port)?starttls=off"))
        pool = SMTPPool(client: client, concurrency: 3, perMinute: nil, clock: clock)
        let settings = MailSettings(from: try MailAddress(parsing: "Acme NPS <nps@acme.example.com>"), publicURL: Self.publicURL,
                                    dkim: try DKIMSigner(domain: "acme.example.com", selector: "nps", privateKey: dkimKey))
        runner = JobRunner(store: store, handlers: [InvitationMailer(store: store, pool: pool, settings: settings)],
                           configuration: .init(owner: "test-runner"))
    }

    func contact(_ id: String, email: String?, name: String? = nil, locale: String? = nil) async throws {
        _ = try await store.upsertContact(workspaceID: workspace.id, ContactInput(externalID: id, email: email, name: name, locale: locale))
    }

    @discardableResult
    func invite(_ ids: [String], reminders: Int = 0) async throws -> [InvitationDecision] {
        try await store.createInvitations(workspaceID: workspace.id, surveyID: survey.id, targets: ids.map { .externalID($0) },
                                          options: InvitationOptions(sendAt: clock.now(), reminders: reminders, reminderDays: 3),
                                          makeToken: InvitationToken.make)!
    }

    func invitations() async throws -> [Invitation] {
        try await store.invitations(workspaceID: workspace.id, surveyID: nil, before: nil, limit: 1000).items
    }
}

/// The token of the first score link in a message body.
func scoreToken(in text: String) -> String? {
    guard let range = text.range(of: "\(MailerFixture.publicURL)/r/") else { return nil }
    return String(text[range.upperBound...].prefix(43))
}

@Suite("Invitation e-mail, sent to a real SMTP server")
struct InvitationMailerTests {
    static let day: Int64 = 86_400_000

    @Test("each invitation arrives once: parsable, DKIM-verified by dkimpy, one-click unsubscribe signed, eleven score links in the contact's language",
          arguments: TestBackend.available)
    func delivered(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with(["--pipelining"]) { server in
            try await withTestStore(backend) { store, clock in
                let f = try await MailerFixture(store: store, clock: clock, port: server.port)
                try await f.contact("tr-1", email: "ayse@example.com.tr", name: "Ayşe Yılmaz", locale: "tr")
                try await f.contact("ar-1", email: "omar@example.ae", name: "عمر", locale: "ar")
                try await f.invite(["tr-1", "ar-1"])
                #expect(try await f.runner.runDue() == 2)
                #expect(try await f.runner.runDue() == 0)
                let messages = try server.messages()
                #expect(messages.count == 2)
                let record = DKIMSigner.dnsRecord(publicKeyOf: dkimKey)
                for message in messages {
                    let inspection = try Inspection(path: message.path, dkimRecord: record)
                    #expect(inspection.dkimVerified, "\(inspection.dkimError ?? "")")
                    #expect(inspection.defects.isEmpty)
                    #expect(Set(inspection.dkimSignedHeaders.map { $0.lowercased() }).isSuperset(of: ["list-unsubscribe", "list-unsubscribe-post", "from", "subject"]))
                    #expect(inspection.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")
                    let text = try #require(inspection.parts["plain"]), html = try #require(inspection.parts["html"])
                    let token = try #require(scoreToken(in: text))
                    #expect(inspection.headers["list-unsubscribe"] == "<\(MailerFixture.publicURL)/u/\(token)>")
                    for score in 0...10 { #expect(html.contains("\(MailerFixture.publicURL)/r/\(token)/\(score)\"")) }
                    // The link's token finds its invitation; only the hash is stored.
                    let invitation = try #require(try await store.invitation(tokenHash: InvitationToken.hash(token)))
                    #expect(invitation.status == .sent && invitation.messagesSent == 1)
                    #expect(message.recipients == [invitation.email!])
                    #expect(message.mailFrom == "nps@acme.example.com")
                    if invitation.email == "omar@example.ae" {
                        #expect(html.contains("dir=\"rtl\"") && html.contains("lang=\"ar\""))
                        #expect(html.contains(">١٠</a>")) // Arabic-Indic digits on the buttons
                        #expect(inspection.subject == Catalog.match("ar")!.text("email.subject", ["product": "Acme Cloud"]))
                    } else {
                        #expect(html.contains("dir=\"ltr\"") && html.contains("Ayşe Yılmaz"))
                        #expect(inspection.subject == Catalog.match("tr")!.text("email.subject", ["product": "Acme Cloud"]))
                        #expect(inspection.toDisplayNames == ["Ayşe Yılmaz"])
                    }
                }
                await f.pool.close()
            }
        }
    }

    @Test("reminders go to non-respondents after their days, at most two, and stop once the contact answers",
          arguments: TestBackend.available)
    func reminders(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with { server in
            try await withTestStore(backend) { store, clock in
                let f = try await MailerFixture(store: store, clock: clock, port: server.port)
                try await f.contact("silent", email: "silent@example.com")
                try await f.contact("answers", email: "answers@example.com")
                try await f.invite(["silent", "answers"], reminders: 2)
                try await f.runner.runDue()
                #expect(try server.messages().count == 2)
                clock.advance(milliseconds: 2 * Self.day)
                try await f.runner.runDue()
                #expect(try server.messages().count == 2) // not yet
                clock.advance(milliseconds: Self.day)
                try await f.runner.runDue()
                #expect(try server.messages().count == 4)
                // One answers; the other gets the second reminder and then nothing more.
                try await store.record(workspaceID: f.workspace.id, [ResponseSubmission(
                    surveyID: f.survey.id, contact: ContactInput(externalID: "answers"), score: Score(9)!)], batch: false)
                for _ in 0..<4 {
                    clock.advance(milliseconds: 3 * Self.day)
                    try await f.runner.runDue()
                }
                let perRecipient = Dictionary(grouping: try server.messages(), by: { $0.recipients.first ?? "" }).mapValues(\.count)
                #expect(perRecipient == ["silent@example.com": 3, "answers@example.com": 2])
                let subjects = try server.messages().filter { $0.recipients == ["silent@example.com"] }.map { try Inspection(path: $0.path).subject }
                #expect(subjects == ["How likely are you to recommend Acme Cloud?", "Reminder: a one-click question about Acme Cloud",
                                     "Reminder: a one-click question about Acme Cloud"])
                await f.pool.close()
            }
        }
    }

    @Test("a hard bounce marks the invitation bounced and suppresses the address for every later invitation",
          arguments: TestBackend.available)
    func bounce(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with(["--reject", "gone@example.com=550 5.1.1 No such user"]) { server in
            try await withTestStore(backend) { store, clock in
                let f = try await MailerFixture(store: store, clock: clock, port: server.port)
                try await f.contact("gone", email: "gone@example.com")
                try await f.contact("here", email: "here@example.com")
                try await f.invite(["gone", "here"])
                try await f.runner.runDue()
                #expect(try server.messages().map(\.recipients) == [["here@example.com"]])
                let gone = try #require(try await f.invitations().first { $0.email == "gone@example.com" })
                #expect(gone.status == .bounced && gone.lastError?.contains("550") == true)
                #expect(try await store.suppression(workspaceID: f.workspace.id, email: "gone@example.com")?.reason == .bounced)
                clock.advance(milliseconds: 200 * Self.day)
                guard case .skipped(.suppressed, _, _) = try await f.invite(["gone"])[0] else { Issue.record("not suppressed"); return }
                await f.pool.close()
            }
        }
    }

    @Test("a temporary refusal is retried later and then delivered, once", arguments: TestBackend.available)
    func temporaryRefusal(_ backend: TestBackend) async throws {
        // The first server refuses with 451; the retry goes to one that accepts.
        let retried: Invitation = try await TestSMTPServer.with(["--reject", "busy@example.com=451 4.2.1 Mailbox busy"]) { busy in
            try await withTestStore(backend) { store, clock in
                let f = try await MailerFixture(store: store, clock: clock, port: busy.port)
                try await f.contact("busy", email: "busy@example.com")
                try await f.invite(["busy"])
                try await f.runner.runDue()
                #expect(try busy.messages().isEmpty)
                let invitation = try #require(try await f.invitations().first)
                #expect(invitation.status == .scheduled && invitation.lastError?.contains("451") == true)
                let job = try #require(try await store.jobs(workspaceID: f.workspace.id, state: .queued, before: nil, limit: 5).items.first)
                #expect(job.availableAt > clock.now() && job.attempts == 1)
                await f.pool.close()
                return invitation
            }
        }
        #expect(retried.messagesSent == 0)
    }

    @Test("an unreachable SMTP server loses nothing: the error is recorded, and the invitation goes out once it is back",
          arguments: TestBackend.available)
    func unreachable(_ backend: TestBackend) async throws {
        try await withTestStore(backend) { store, clock in
            let closed = try BoundSocket()
            let down = try await MailerFixture(store: store, clock: clock, port: closed.port)
            try await down.contact("c", email: "c@example.com")
            try await down.invite(["c"])
            try await down.runner.runDue()
            closed.close()
            let waiting = try #require(try await down.invitations().first)
            #expect(waiting.status == .scheduled && waiting.lastError?.contains("cannot connect") == true)
            try await TestSMTPServer.with { server in
                let up = MailerFixture(store: store, clock: clock, runner: JobRunner(
                    store: store, handlers: [try await mailer(store: store, clock: clock, port: server.port)], configuration: .init(owner: "r2")),
                    workspace: down.workspace, survey: down.survey, pool: down.pool)
                clock.advance(milliseconds: 3 * 3_600_000)
                try await up.runner.runDue()
                clock.advance(milliseconds: 3 * 3_600_000)
                try await up.runner.runDue()
                #expect(try server.messages().map(\.recipients) == [["c@example.com"]])
                #expect(try await up.invitations().first?.status == .sent)
            }
        }
    }

    @Test("an address suppressed after scheduling is not sent to; the invitation says why", arguments: TestBackend.available)
    func suppressedLater(_ backend: TestBackend) async throws {
        try await TestSMTPServer.with { server in
            try await withTestStore(backend) { store, clock in
                let f = try await MailerFixture(store: store, clock: clock, port: server.port)
                try await f.contact("c", email: "c@example.com")
                try await f.invite(["c"])
                try await store.suppress(workspaceID: f.workspace.id, email: "c@example.com", reason: .unsubscribed, detail: nil)
                try await f.runner.runDue()
                #expect(try server.messages().isEmpty)
                let invitation = try #require(try await f.invitations().first)
                #expect(invitation.status == .cancelled && invitation.lastError?.contains("suppressed") == true)
                await f.pool.close()
            }
        }
    }
}

/// A mailer for a server at `port` (for a second runner over the same store).
func mailer(store: AdvocateStore, clock: ManualClock, port: Int) async throws -> InvitationMailer {
    let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: "smtp://127.0.0.1:\(port)?starttls=off"))
    return InvitationMailer(store: store, pool: SMTPPool(client: client, concurrency: 1, perMinute: nil, clock: clock),
                            settings: MailSettings(from: try MailAddress(parsing: "nps@acme.example.com"), publicURL: MailerFixture.publicURL, dkim: nil))
}

extension MailerFixture {
    init(store: AdvocateStore, clock: ManualClock, runner: JobRunner, workspace: Workspace, survey: Survey, pool: SMTPPool) {
        self.store = store
        self.clock = clock
        self.runner = runner
        self.workspace = workspace
        self.survey = survey
        self.pool = pool
    }
}
