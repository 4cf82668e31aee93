import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import AdvocateWeb
import Mail
import Foundation
import HTTPTypes
import Testing

/// The `advocate` binary as a user runs it.
@Suite("advocate command line")
struct CLITests {
    /// A fresh data directory for one test.
    static func dataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("advocate-cli-data-\(UUID().uuidString)").path
    }

    @Test("token create prints the token alone on the last line, creates the workspace, and list/revoke manage it")
    func tokens() async throws {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let created = runAdvocate(["token", "create", "--name", "CRM sync", "--workspace", "acme", "--data", dir])
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.lastLine
        #expect(token.hasPrefix("adv_") && token.count == 47, "last line: \(token)")

        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let found = try await store.tokenWorkspace(secretHash: APITokenSecret.hash(token))
        #expect(found != nil)
        await store.close()

        let listed = runAdvocate(["token", "list", "--workspace", "acme", "--data", dir])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("CRM sync"))
        #expect(!listed.stdout.contains(token))
        let id = try #require(found?.tokenID)
        let revoked = runAdvocate(["token", "revoke", "\(id)", "--workspace", "acme", "--data", dir])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let again = runAdvocate(["token", "revoke", "\(id)", "--workspace", "acme", "--data", dir])
        #expect(again.status != 0)
    }

    @Test("bad arguments get a precise error and a non-zero exit")
    func badArguments() {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let badSlug = runAdvocate(["token", "create", "--name", "x", "--workspace", "Not A Slug", "--data", dir])
        #expect(badSlug.status != 0)
        #expect(badSlug.stderr.contains("workspace"))
        let noWorkspace = runAdvocate(["report", "--survey", "1", "--workspace", "nobody", "--data", dir])
        #expect(noWorkspace.status != 0)
        #expect(noWorkspace.stderr.contains("no workspace \"nobody\""))
        let badDatabase = runAdvocate(["migrate", "--database", "mysql://root@localhost/x"])
        #expect(badDatabase.status != 0)
        #expect(badDatabase.stderr.contains("--database must be a postgres://"))
    }

    @Test("serve lists every configuration problem at once before starting")
    func serveConfiguration() {
        let result = runAdvocate(["serve", "--port", "70000", "--log-level", "loud", "--database", "mysql://x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("port must be 0 to 65535, got 70000"))
        #expect(result.stderr.contains("log level must be one of"))
        #expect(result.stderr.contains("--database must be"))
        let fromEnvironment = runAdvocate(["serve"], environment: ["ADVOCATE_PORT": "http", "ADVOCATE_DATA_DIR": Self.dataDirectory()])
        #expect(fromEnvironment.status != 0)
        #expect(fromEnvironment.stderr.contains("port must be 0 to 65535, got http"))
    }

    @Test("serve refuses incomplete or wrong e-mail settings, naming each problem, before starting")
    func serveMailConfiguration() {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let partial = runAdvocate(["serve", "--data", dir, "--smtp-url", "smtp://127.0.0.1:2525"])
        #expect(partial.status != 0)
        #expect(partial.stderr.contains("e-mail needs --smtp-url, --mail-from and --public-url together; missing --mail-from, --public-url"))
        let wrong = runAdvocate(["serve", "--data", dir, "--smtp-url", "http://mail.example.com", "--mail-from", "not an address",
                                 "--public-url", "ftp://nps.example.com/?x=1", "--dkim-key", "/nonexistent/dkim.pem",
                                 "--dkim-selector", "nps", "--dkim-domain", "example.com", "--smtp-concurrency", "0", "--smtp-rate", "0"])
        #expect(wrong.status != 0)
        for message in ["--smtp-url: unsupported scheme 'http'", "--mail-from:", "--public-url must start with https://",
                        "--dkim-key: cannot read /nonexistent/dkim.pem", "--smtp-concurrency must be 1 to 64, got 0",
                        "--smtp-rate must be a number of messages per minute"] {
            #expect(wrong.stderr.contains(message), "missing \(message) in \(wrong.stderr)")
        }
        let rate = runAdvocate(["serve", "--data", dir, "--port", "70000"], environment: ["ADVOCATE_SMTP_RATE": "fast"])
        #expect(rate.stderr.contains("--smtp-rate must be a number of messages per minute ≥ 1, got fast"))
        let dkimOnly = runAdvocate(["serve", "--data", dir, "--dkim-selector", "nps"])
        #expect(dkimOnly.stderr.contains("the DKIM options need e-mail sending"))
        let lease = runAdvocate(["serve", "--data", dir], environment: ["ADVOCATE_JOB_LEASE_SECONDS": "0"])
        #expect(lease.stderr.contains("ADVOCATE_JOB_LEASE_SECONDS must be 1 to 3600, got 0"))
        let fromEnvironment = runAdvocate(["serve", "--data", dir], environment: ["ADVOCATE_SMTP_URL": "smtp://127.0.0.1:2525",
                                                                                   "ADVOCATE_MAIL_FROM": "a@b.example"])
        #expect(fromEnvironment.stderr.contains("missing --public-url"))
    }

    @Test("--data wins over ADVOCATE_DATABASE_URL in the environment")
    func flagsBeatEnvironment() {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = runAdvocate(["migrate", "--data", dir], environment: ["ADVOCATE_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("SQLite in \(dir)"))
        #expect(FileManager.default.fileExists(atPath: dir + "/advocate.sqlite"))
    }

    @Test("--config FILE sets what the environment can, under flags and the environment; bad lines are named")
    func configFile() throws {
        let dir = Self.dataDirectory(), other = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: other) }
        let file = dir + ".conf"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            # Advocate settings
            data-dir = "\(dir)"
            ADVOCATE_SMTP_URL = smtp://127.0.0.1:2525   # the relay
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = runAdvocate(["migrate", "--config", file])
        #expect(fromFile.status == 0 && fromFile.stdout.contains("SQLite in \(dir)"), "\(fromFile.stderr)")
        let envWins = runAdvocate(["migrate", "--config", file], environment: ["ADVOCATE_DATA_DIR": other])
        #expect(envWins.stdout.contains("SQLite in \(other)"))
        let flagWins = runAdvocate(["migrate", "--config", file, "--data", other])
        #expect(flagWins.stdout.contains("SQLite in \(other)"))
        // The file's SMTP URL reaches serve, which then names what else e-mail needs.
        let serve = runAdvocate(["serve", "--config", file])
        #expect(serve.status != 0 && serve.stderr.contains("missing --mail-from, --public-url"))
        let viaEnvironment = runAdvocate(["migrate"], environment: ["ADVOCATE_CONFIG": file])
        #expect(viaEnvironment.stdout.contains("SQLite in \(dir)"))

        try "smtp-url = x\nsmtp_url = y\ncolour = red\njust words\npublic-url = \"https://x\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = runAdvocate(["migrate", "--config", file])
        #expect(bad.status != 0)
        for message in ["line 2: smtp_url is set twice", "line 3: unknown setting \"colour\"", "line 4: expected name = value",
                        "line 5: unterminated quote"] {
            #expect(bad.stderr.contains(message), "\(message) in \(bad.stderr)")
        }
        let missing = runAdvocate(["migrate", "--config", "/nonexistent/advocate.conf"])
        #expect(missing.status != 0 && missing.stderr.contains("--config /nonexistent/advocate.conf: cannot read it"))
    }

    @Test("user create adds a member with a role and prints a one-time set-a-password link; bad arguments are named")
    func users() async throws {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = runAdvocate(["user", "create", "--email", "Owner@Example.com", "--role", "owner", "--data", dir, "--public-url", "https://nps.example.com"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("created owner@example.com, owner of default"))
        #expect(made.lastLine.hasPrefix("https://nps.example.com/setup/") && made.lastLine.count == "https://nps.example.com/setup/".count + 43)
        let again = runAdvocate(["user", "create", "--email", "owner@example.com", "--role", "viewer", "--workspace", "globex", "--data", dir])
        #expect(again.status == 0 && again.stdout.contains("updated owner@example.com, viewer of globex") && again.lastLine.hasPrefix("/setup/"))
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let user = try #require(try await store.credentials(email: "owner@example.com")?.0)
        #expect(try await store.memberships(userID: user.id).map(\.role) == [.owner, .viewer])
        #expect(try await store.userLink(tokenHash: InvitationToken.hash(String(made.lastLine.suffix(43))))?.id == user.id)
        await store.close()
        for (arguments, message) in [(["--email", "nope", "--role", "owner"], "--email must be an e-mail address"),
                                     (["--email", "a@example.com", "--role", "boss"], "--role must be owner, admin, member or viewer, got boss")] {
            let r = runAdvocate(["user", "create", "--data", dir] + arguments)
            #expect(r.status != 0 && r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test("import reads the documented CSV, export writes it back, and report summarises it")
    func importExportReport() async throws {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = runAdvocate(["token", "create", "--name", "t", "--data", dir])
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let ws = try #require(try await store.workspace(slug: "default"))
        let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "R", productName: "Acme"))
        await store.close()

        let csv = dir + "-in.csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try """
            survey_id,external_id,email,score,comment,created_at,property.plan
            \(survey.id),a,a@example.com,10,"Çok iyi, teşekkürler",2026-11-01T10:00:00Z,pro
            \(survey.id),b,,3,"=SUM(A1)",2026-11-02T10:00:00Z,free
            \(survey.id),c,,8,,2026-11-03T10:00:00Z,pro

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = runAdvocate(["import", csv, "--data", dir])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 3 rows: 3 new responses"))

        let exported = runAdvocate(["export", "--data", dir])
        #expect(exported.status == 0)
        let lines = exported.stdout.split(separator: "\r\n")
        #expect(lines.count == 4)
        #expect(exported.stdout.contains("\"Çok iyi, teşekkürler\""))
        #expect(exported.stdout.contains("'=SUM(A1)"))

        let report = runAdvocate(["report", "--survey", "\(survey.id)", "--by", "plan", "--data", dir])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("NPS"))
        #expect(report.stdout.contains("pro"))
    }

    @Test("link create prints an anonymous or personal link alone on the last line; the link opens its survey page; bad arguments are named")
    func links() async throws {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = runAdvocate(["token", "create", "--name", "t", "--data", dir])
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let ws = try #require(try await store.workspace(slug: "default"))
        let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "R", productName: "Acme"))
        _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "cus_1", email: "c@example.com"))
        await store.close()

        let anonymous = runAdvocate(["link", "create", "--survey", "\(survey.id)", "--name", "QR on receipts", "--data", dir,
                                     "--public-url", "https://nps.example.com/"])
        #expect(anonymous.status == 0, "\(anonymous.stderr)")
        #expect(anonymous.lastLine.hasPrefix("https://nps.example.com/l/") && anonymous.lastLine.count == "https://nps.example.com/l/".count + 43)
        let personal = runAdvocate(["link", "create", "--survey", "\(survey.id)", "--contact", "cus_1", "--channel", "sms", "--data", dir])
        #expect(personal.status == 0, "\(personal.stderr)")
        #expect(personal.lastLine.hasPrefix("/r/"))
        let reopened = try await AdvocateStore.open(.sqlite(directory: dir))
        let token = String(personal.lastLine.dropFirst(3))
        let visit = try await reopened.invitationVisit(tokenHash: InvitationToken.hash(token))
        #expect(visit?.0.channel == .sms && visit?.1.survey.id == survey.id && visit?.1.contact?.externalID == "cus_1")
        let links = try await reopened.links(workspaceID: ws.id, surveyID: survey.id, before: nil, limit: 10)
        #expect(links.items.map(\.name) == ["QR on receipts"])
        await reopened.close()

        for (arguments, message) in [
            (["--name", "x", "--contact", "cus_1"], "give either --name (an anonymous link) or --contact (a personal link)"),
            (["--name", "x", "--channel", "fax"], "--channel must be link or sms, got fax"),
            (["--name", "x", "--expires", "tomorrow"], "--expires must be an RFC 3339 date-time"),
            (["--name", "x", "--expires", "2020-01-01T00:00:00Z"], "--expires must be in the future"),
            (["--contact", "nobody"], "no contact with external_id \"nobody\""),
            (["--name", "x", "--public-url", "ftp://x"], "--public-url"),
        ] {
            let r = runAdvocate(["link", "create", "--survey", "\(survey.id)", "--data", dir] + arguments)
            #expect(r.status != 0 && r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        let missing = runAdvocate(["link", "create", "--survey", "999", "--name", "x", "--data", dir])
        #expect(missing.status != 0 && missing.stderr.contains("no survey 999 in workspace default"))
    }

    @Test("an import with any bad row imports nothing and names each line")
    func importAllOrNothing() async throws {
        let dir = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = runAdvocate(["token", "create", "--name", "t", "--data", dir])
        let store = try await AdvocateStore.open(.sqlite(directory: dir))
        let ws = try #require(try await store.workspace(slug: "default"))
        let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "R", productName: "Acme"))
        _ = try await store.upsertContact(workspaceID: ws.id, ContactInput(externalID: "owner", email: "taken@example.com"))
        await store.close()

        let csv = dir + "-bad.csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try """
            survey_id,external_id,email,score,created_at
            \(survey.id),a,,9,2026-11-01T10:00:00Z
            \(survey.id),b,,eleven,2026-11-01T10:00:00Z
            \(survey.id),c,,7,2099-01-01T00:00:00Z
            \(survey.id),d,taken@example.com,5,2026-11-01T10:00:00Z

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let first = runAdvocate(["import", csv, "--data", dir])
        #expect(first.status != 0)
        #expect(first.stderr.contains("line 3"))
        #expect(first.stderr.contains("nothing was imported"))

        // With the unparseable row skipped, the database checks still refuse the whole file.
        let second = runAdvocate(["import", csv, "--data", dir, "--skip-invalid"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("imported 1 rows"))
        #expect(second.stdout.contains("line 4: created_at"))
        #expect(second.stdout.contains("line 5: contact.email"))

        let exported = runAdvocate(["export", "--data", dir])
        #expect(exported.stdout.split(separator: "\r\n").count == 2)
    }

    @Test("migrate and token create work on PostgreSQL too", .enabled(if: TestBackend.available.contains(.postgres)))
    func postgres() async throws {
        let url = try await PostgresTestCluster.shared.createDatabase()
        let migrated = runAdvocate(["migrate", "--database", url])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("PostgreSQL at"))
        let token = runAdvocate(["token", "create", "--name", "pg"], environment: ["ADVOCATE_DATABASE_URL": url])
        #expect(token.status == 0, "\(token.stderr)")
        #expect(token.lastLine.hasPrefix("adv_"))
    }
}

@Suite("advocate dkim keygen")
struct DKIMKeygenTests {
    @Test("writes an owner-only PEM key and prints the TXT record that publishes it")
    func keygen() throws {
        let pem = FileManager.default.temporaryDirectory.appendingPathComponent("dkim-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: pem) }
        let result = runAdvocate(["dkim", "keygen", "--domain", "mail.example.com", "--selector", "adv2026", "--out", pem])
        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: pem)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let signer = try DKIMSigner(domain: "mail.example.com", selector: "adv2026",
                                    privateKeyPEM: try String(contentsOfFile: pem, encoding: .utf8))
        let record = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("adv2026._domainkey.mail.example.com. IN TXT ") })
        // The quoted 255-byte strings, joined, are the record.
        let quoted = record.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(quoted.allSatisfy { $0.utf8.count <= 255 })
        #expect(quoted.joined() == signer.dnsRecord)
        #expect(signer.dnsRecord.hasPrefix("v=DKIM1; k=rsa; p="))

        let again = runAdvocate(["dkim", "keygen", "--domain", "mail.example.com", "--selector", "adv2026", "--out", pem])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
    }

    @Test("a bad domain, selector or size is refused and writes no key")
    func badInput() {
        let pem = FileManager.default.temporaryDirectory.appendingPathComponent("dkim-\(UUID().uuidString).pem").path
        for arguments in [["--domain", "not a domain", "--selector", "s"], ["--domain", "example.com", "--selector", "bad selector"],
                          ["--domain", "example.com", "--selector", "s", "--bits", "1024"]] {
            let result = runAdvocate(["dkim", "keygen", "--out", pem] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(!result.stderr.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: pem), "\(arguments)")
        }
    }
}

@Suite("advocate serve logs")
struct ServeLogTests {
    @Test("--log-format json writes one JSON object per line; a request's line has its id, route pattern, status and time, never the path's token")
    func jsonLines() async throws {
        let dir = CLITests.dataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let token = runAdvocate(["token", "create", "--name", "logs", "--data", dir]).lastLine
        let server = try ServerProcess(["--data", dir, "--log-format", "json"])
        defer { server.kill9() }
        _ = try await server.request(.get, "/api/v1/surveys", token: token)
        _ = try await server.request(.get, "/r/secret-token-in-the-path", token: nil)
        server.terminate()
        let lines = server.log.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        var requests: [JSONValue] = []
        for line in lines {
            let object = try JSONValue.parse(line)
            #expect(object["time"] != nil && object["level"] != nil && object["message"] != nil, "\(line)")
            if object["message"] == .string("request") { requests.append(object) }
        }
        let surveys = try #require(requests.first { $0["route"] == .string("/api/v1/surveys") })
        #expect(surveys["status"] == .string("200") && surveys["method"] == .string("GET") && surveys["ms"] != nil)
        guard case .string(let id)? = surveys["hb.request.id"] else { Issue.record("no request id: \(surveys)"); return }
        #expect(!id.isEmpty)
        #expect(requests.contains { $0["route"] == .string("/r/{token}") })
        #expect(!server.log.contains("secret-token-in-the-path") && !server.log.contains(token), "tokens never reach the log")

        let wrong = runAdvocate(["serve", "--data", dir, "--log-format", "xml", "--port", "0"])
        #expect(wrong.status != 0 && wrong.stderr.contains("log format must be text or json, got xml"), "\(wrong.stderr)")
    }
}
