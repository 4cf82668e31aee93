import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateWeb
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Mail
import NIOPosix

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Advocate server.")

    @Option(help: "Address to listen on (env ADVOCATE_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env ADVOCATE_PORT; default 8080; 0 picks a free port).")
    var port: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env ADVOCATE_LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "Log format: text, or json for one JSON object per line (env ADVOCATE_LOG_FORMAT; default text).")
    var logFormat: String?

    @Option(help: "Calls a minute each API key may make to the Delighted-compatible /v1 (env ADVOCATE_DELIGHTED_RATE; default 600).")
    var delightedRate: Int?

    @Option(help: "Requests a minute one IP address may make to the widget's endpoints, and to one-click score links (env ADVOCATE_PUBLIC_RATE; default 300).")
    var publicRate: Int?

    @Option(help: "One-click score link hits an hour on one invitation (env ADVOCATE_ONE_CLICK_RATE; default 60).")
    var oneClickRate: Int?

    @Option(help: "Accept webhook URLs on loopback, private and link-local networks: true or false (env ADVOCATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS; default false; see docs/webhooks.md).")
    var webhookAllowPrivateNetworks: String?

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var mailOptions: MailOptions

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var problems: [String] = []
        let host = host ?? env["ADVOCATE_HOST"] ?? "127.0.0.1"
        let portText = port.map(String.init) ?? env["ADVOCATE_PORT"] ?? "8080"
        let port = Int(portText)
        if port == nil || !(0...65_535).contains(port!) { problems.append("port must be 0 to 65535, got \(portText)") }
        let levelText = logLevel ?? env["ADVOCATE_LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: levelText)
        if level == nil { problems.append("log level must be one of trace, debug, info, notice, warning, error, critical; got \(levelText)") }
        let formatText = logFormat ?? env["ADVOCATE_LOG_FORMAT"] ?? "text"
        if !["text", "json"].contains(formatText) { problems.append("log format must be text or json, got \(formatText)") }
        let rateText = delightedRate.map(String.init) ?? env["ADVOCATE_DELIGHTED_RATE"] ?? "600"
        let delightedRate = Int(rateText)
        if delightedRate == nil || !(1...1_000_000).contains(delightedRate!) {
            problems.append("the Delighted API rate must be 1 to 1000000 calls a minute, got \(rateText)")
        }
        let publicRate = Self.rate(self.publicRate, env["ADVOCATE_PUBLIC_RATE"], default: 300, "the public endpoints' rate", problems: &problems)
        let oneClickRate = Self.rate(self.oneClickRate, env["ADVOCATE_ONE_CLICK_RATE"], default: 60, "the one-click link rate", problems: &problems)
        var location: DatabaseLocation?
        do { location = try dataOptions.location() } catch { problems.append(String(describing: error)) }
        let mail = mailOptions.resolve(problems: &problems)
        // How long a dead instance's jobs wait before another takes them over (tests shorten it).
        let leaseText = env["ADVOCATE_JOB_LEASE_SECONDS"] ?? "60"
        let leaseSeconds = Int64(leaseText)
        if leaseSeconds == nil || !(1...3_600).contains(leaseSeconds!) {
            problems.append("ADVOCATE_JOB_LEASE_SECONDS must be 1 to 3600, got \(leaseText)")
        }
        let privateText = webhookAllowPrivateNetworks ?? env["ADVOCATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS"] ?? "false"
        let allowPrivate = ["true": true, "false": false][privateText.lowercased()]
        if allowPrivate == nil { problems.append("--webhook-allow-private-networks must be true or false, got \(privateText)") }
        // Every configuration problem at once, before anything starts.
        guard problems.isEmpty, let port, let level, let location, let leaseSeconds, let delightedRate, let allowPrivate,
              let publicRate, let oneClickRate else {
            throw CLIError("invalid configuration:\n  - " + problems.joined(separator: "\n  - "))
        }

        if formatText == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        var logger = Logger(label: "advocate")
        logger.logLevel = level
        // Held for the server's life so that `advocate restore` cannot replace the file under it.
        var directoryLock: DataDirectoryLock?
        if case .sqlite(let directory) = location {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            directoryLock = try DataDirectoryLock(directory: directory)
            guard directoryLock!.shared() else { throw CLIError("\(directory) is being restored (advocate restore); start the server once it has finished") }
        }
        defer { withExtendedLifetime(directoryLock) {} }
        let store: AdvocateStore
        do { store = try await AdvocateStore.open(location, logger: logger) } catch let e as StoreError { throw CLIError(e.description) }
        logger.info("data: \(location)")
        var pool: SMTPPool?
        // Theme rules are applied to old comments by the job runner, with or without e-mail.
        var handlers: [any JobHandler] = [ThemeRetagger(store: store, logger: logger), RetentionRunner(store: store, logger: logger)]
        try await RetentionRunner.start(store: store)
        var concurrency = 8
        if let mail {
            let client: SMTPClient
            do { client = try SMTPClient(configuration: mail.smtp, eventLoopGroup: store.database.releaseEventLoop, logger: logger) } catch {
                await store.close()
                throw CLIError("--smtp-url: \(error)")
            }
            pool = SMTPPool(client: client, concurrency: mail.concurrency, perMinute: mail.perMinute, clock: store.clock, logger: logger)
            handlers += [InvitationMailer(store: store, pool: pool!, settings: mail.settings, logger: logger), CampaignCadence(store: store, logger: logger),
                         LoopMailer(store: store, pool: pool!, settings: mail.settings, logger: logger),
                         AccountMailer(store: store, pool: pool!, settings: mail.settings, logger: logger),
                         DigestMailer(store: store, pool: pool!, settings: mail.settings, logger: logger)]
            try await DigestMailer.start(store: store)
            concurrency = max(8, mail.concurrency * 4)
            logger.info("e-mail: \(mail.smtp.host):\(mail.smtp.port) from \(mail.settings.from.address), links to \(mail.settings.publicURL)\(mail.settings.dkim == nil ? "" : ", DKIM-signed")")
        } else {
            logger.notice("e-mail sending is off (no --smtp-url); invitations are refused until it is configured")
        }
        // Webhooks are delivered whether or not e-mail is configured; a disabled endpoint's
        // admins are e-mailed when it is, else the log says so.
        let webhookSettings = WebhookSettings(allowPrivateNetworks: allowPrivate, publicURL: mailOptions.resolvedPublicURL)
        let webhooks = WebhookDeliverer(store: store, settings: webhookSettings,
                                        notice: WebhookDisabledNotice(store: store, pool: pool, settings: mail?.settings, logger: logger),
                                        logger: logger)
        handlers.append(webhooks)
        // Alert rules run with or without e-mail (their e-mails wait in the queue until it is configured).
        let slack = AlertSlackPoster(store: store, settings: webhookSettings)
        handlers += [AlertEvaluator(store: store, logger: logger), slack]
        let runner = JobRunner(store: store, handlers: handlers, configuration: .init(concurrency: concurrency, leaseMilliseconds: leaseSeconds * 1000),
                               logger: logger)
        let sending = SendingState(emailConfigured: mail != nil, runner: runner)
        // An empty database has no one to sign in: offer a one-time link that makes the first owner.
        let firstOwnerToken = try await store.userCount() == 0 ? InvitationToken.make().token : nil
        let accounts = AccountSettings(firstOwnerToken: firstOwnerToken)
        let publicURL = mailOptions.resolvedPublicURL
        let app = buildApplication(store: store, configuration: ServerConfiguration(host: host, port: port, logLevel: level, publicURL: publicURL,
                                                                                        delightedRequestsPerMinute: delightedRate, webhooks: webhookSettings,
                                                                                        publicRateLimits: PublicRateLimits(perAddressPerMinute: publicRate,
                                                                                                                           perInvitationPerHour: oneClickRate)),
                                   sending: sending, accounts: accounts) { channel in
            if let address = channel.localAddress {
                // Written in one call so a supervising process (tests, scripts) reads a whole line.
                var lines = "advocate listening on http://\(host):\(address.port ?? port)\n"
                if let token = firstOwnerToken {
                    let base = publicURL ?? "http://\(host):\(address.port ?? port)"
                    lines += "no user yet: create the first owner at \(base)/setup/first/\(token) (works once)\n"
                }
                FileHandle.standardOutput.write(Data(lines.utf8))
            }
        }
        // A filtered report reads its survey's answers, invitations and contacts as columns held in
        // memory, read once and then kept current; for large surveys that first read takes seconds
        // (about 8 s at a million answers), so it is done now, in the background, not by the first
        // person to filter a report.
        let warming = Task(priority: .background) { [logger] in
            let started = ContinuousClock.now
            do {
                let surveys = try await store.warmReportColumns(minimumAnswers: 50_000)
                if !surveys.isEmpty {
                    let seconds = (ContinuousClock.now - started) / .milliseconds(1) / 1000
                    logger.info("report columns of \(surveys.count) large survey(s) read ahead in \(String(format: "%.1f", seconds)) s")
                }
            } catch is CancellationError {
            } catch {
                logger.warning("reading report columns ahead failed (reports read them when asked): \(error)")
            }
        }
        let failure: (any Error)?
        do { try await app.runService(); failure = nil } catch { failure = error }
        warming.cancel()
        _ = await warming.result
        await webhooks.shutdown()
        await slack.shutdown()
        await pool?.close()
        await store.close()
        if let failure { throw failure }
    }

    /// A positive count from the flag, the environment or the default; a problem otherwise.
    static func rate(_ flag: Int?, _ environment: String?, default value: Int, _ name: String, problems: inout [String]) -> Int? {
        let text = flag.map(String.init) ?? environment ?? String(value)
        guard let rate = Int(text), (1...1_000_000).contains(rate) else {
            problems.append("\(name) must be 1 to 1000000, got \(text)")
            return nil
        }
        return rate
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Bring the database schema up to date.")

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        try await withStore(dataOptions) { store in
            print("schema is at version \(try await store.schemaVersion()) (\(try dataOptions.location()))")
        }
    }
}
