import AdvocateCore
import AdvocateJobs
import AdvocateStore
import ArgumentParser
import Foundation
import Logging
import Mail

/// The e-mail options of `serve`; flags win over the environment. Sending is on when
/// `--smtp-url`, `--mail-from` and `--public-url` are all given, and off when none is.
struct MailOptions: ParsableArguments {
    @Option(help: "SMTP server: smtp[s]://user:password@host:port (env ADVOCATE_SMTP_URL; see docs/mail.md).")
    var smtpURL: String?

    @Option(help: "From address of survey e-mail: \"Name <address>\" (env ADVOCATE_MAIL_FROM).")
    var mailFrom: String?

    @Option(help: "Public base URL that links in messages point to, e.g. https://nps.example.com (env ADVOCATE_PUBLIC_URL).")
    var publicURL: String?

    @Option(help: "DKIM private key, PEM (env ADVOCATE_DKIM_KEY; make one with `advocate dkim keygen`).")
    var dkimKey: String?

    @Option(help: "DKIM selector (env ADVOCATE_DKIM_SELECTOR).")
    var dkimSelector: String?

    @Option(help: "DKIM signing domain, normally the From address's domain (env ADVOCATE_DKIM_DOMAIN).")
    var dkimDomain: String?

    @Option(help: "Most SMTP connections open at once (env ADVOCATE_SMTP_CONCURRENCY; default 4).")
    var smtpConcurrency: Int?

    @Option(help: "Most messages per minute (env ADVOCATE_SMTP_RATE; default: no limit).")
    var smtpRate: Int?

    /// What sending needs, validated; nil when e-mail is off. Problems are appended to `problems`.
    struct Resolved {
        var smtp: SMTPConfiguration
        var settings: MailSettings
        var concurrency: Int
        var perMinute: Int?
    }

    /// Where respondents reach the server, from `--public-url` or `ADVOCATE_PUBLIC_URL`
    /// (validated by `resolve`), without a trailing slash.
    var resolvedPublicURL: String? {
        let text = (publicURL ?? ProcessInfo.processInfo.environment["ADVOCATE_PUBLIC_URL"]).flatMap { $0.isEmpty ? nil : $0 }
        guard var text, MailSettings.problem(withPublicURL: text) == nil else { return nil }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    func resolve(problems: inout [String]) -> Resolved? {
        let env = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? {
            (flag ?? env[name]).flatMap { $0.isEmpty ? nil : $0 }
        }
        let url = value(smtpURL, "ADVOCATE_SMTP_URL"), from = value(mailFrom, "ADVOCATE_MAIL_FROM")
        let publicURL = value(self.publicURL, "ADVOCATE_PUBLIC_URL")
        let keyFile = value(dkimKey, "ADVOCATE_DKIM_KEY"), selector = value(dkimSelector, "ADVOCATE_DKIM_SELECTOR")
        let domain = value(dkimDomain, "ADVOCATE_DKIM_DOMAIN")
        let required = [("--smtp-url", url), ("--mail-from", from), ("--public-url", publicURL)]
        let dkim = [("--dkim-key", keyFile), ("--dkim-selector", selector), ("--dkim-domain", domain)]
        let given = required.filter { $0.1 != nil }.count
        let concurrencyText = smtpConcurrency.map(String.init) ?? env["ADVOCATE_SMTP_CONCURRENCY"] ?? "4"
        let concurrency = Int(concurrencyText)
        if concurrency == nil || !(1...64).contains(concurrency!) { problems.append("--smtp-concurrency must be 1 to 64, got \(concurrencyText)") }
        let rateText = smtpRate.map(String.init) ?? env["ADVOCATE_SMTP_RATE"]
        let rate = rateText.flatMap { Int($0) }
        if let rateText, rate == nil || rate! < 1 { problems.append("--smtp-rate must be a number of messages per minute ≥ 1, got \(rateText)") }
        // --public-url alone is fine: survey links made through the API then carry it.
        if url == nil, from == nil {
            if dkim.contains(where: { $0.1 != nil }) { problems.append("the DKIM options need e-mail sending: give --smtp-url, --mail-from and --public-url") }
            if let publicURL, let problem = MailSettings.problem(withPublicURL: publicURL) { problems.append(problem) }
            return nil
        }
        if given < 3 {
            problems.append("e-mail needs --smtp-url, --mail-from and --public-url together; missing " +
                            required.filter { $0.1 == nil }.map(\.0).joined(separator: ", "))
        }
        var smtp: SMTPConfiguration?
        if let url {
            do { smtp = try SMTPConfiguration.parse(url: url) } catch { problems.append("--smtp-url: \(error)") }
        }
        var sender: MailAddress?
        if let from {
            do { sender = try MailAddress(parsing: from) } catch { problems.append("--mail-from: \(error)") }
        }
        if let publicURL, let problem = MailSettings.problem(withPublicURL: publicURL) { problems.append(problem) }
        var signer: DKIMSigner?
        let dkimGiven = dkim.filter { $0.1 != nil }.count
        if dkimGiven > 0 && dkimGiven < 3 {
            problems.append("DKIM needs --dkim-key, --dkim-selector and --dkim-domain together; missing " +
                            dkim.filter { $0.1 == nil }.map(\.0).joined(separator: ", "))
        } else if let keyFile, let selector, let domain {
            do {
                let pem = try String(contentsOfFile: keyFile, encoding: .utf8)
                signer = try DKIMSigner(domain: domain, selector: selector, privateKeyPEM: pem)
            } catch let error as CocoaError where error.code == .fileReadNoSuchFile || error.code == .fileReadNoPermission {
                problems.append("--dkim-key: cannot read \(keyFile)")
            } catch {
                problems.append("--dkim-key: \(error)")
            }
        }
        guard let smtp, let sender, let publicURL, let concurrency, given == 3 else { return nil }
        return Resolved(smtp: smtp, settings: MailSettings(from: sender, publicURL: publicURL, dkim: signer),
                        concurrency: concurrency, perMinute: rate)
    }
}
