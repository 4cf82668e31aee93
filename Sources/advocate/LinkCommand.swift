import AdvocateCore
import AdvocateJobs
import AdvocateStore
import ArgumentParser
import Foundation

struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link", abstract: "Survey links for SMS, chat apps and QR codes.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a survey link and print it, alone on the last line (the token is stored hashed: it is not shown again).",
            discussion: """
                With --name, an anonymous link: anyone who has it may answer, once per browser (put it in a QR code or a broadcast).
                With --contact, a personal link for one contact: answered like an e-mailed invitation; it obeys the suppression list.
                """)

        @Option(help: "The survey's id.") var survey: Int64
        @Option(help: "An anonymous link's name, e.g. \"QR on receipts\".") var name: String?
        @Option(help: "The external_id of the contact a personal link is for.") var contact: String?
        @Option(help: "Where it will be shared: link or sms (default link).") var channel: String = "link"
        @Option(help: "When an anonymous link stops taking answers (RFC 3339, e.g. 2027-01-31T00:00:00Z).") var expires: String?
        @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
        @Option(help: "Public base URL the link starts with (env ADVOCATE_PUBLIC_URL); without it the path is printed.")
        var publicURL: String?
        @OptionGroup var dataOptions: DataOptions

        func validate() throws {
            if (name == nil) == (contact == nil) { throw ValidationError("give either --name (an anonymous link) or --contact (a personal link)") }
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > Limits.nameCharacters {
                throw ValidationError("--name must be 1 to \(Limits.nameCharacters) characters")
            }
            if let contact, !Identifiers.isValidExternalID(contact) { throw ValidationError("--contact must be an external_id (1 to \(Limits.externalIDCharacters) characters)") }
            if Channel(rawValue: channel).map({ $0 == .link || $0 == .sms }) != true { throw ValidationError("--channel must be link or sms, got \(channel)") }
            if let expires {
                guard Timestamp(rfc3339: expires) != nil else { throw ValidationError("--expires must be an RFC 3339 date-time such as 2027-01-31T00:00:00Z") }
                if contact != nil { throw ValidationError("--expires is for anonymous links; personal links expire with the survey's token_days") }
            }
            if survey < 1 { throw ValidationError("--survey must be a survey id") }
            if let base = resolvedBase, let problem = MailSettings.problem(withPublicURL: base) { throw ValidationError("--public-url: \(problem)") }
        }

        private var resolvedBase: String? {
            (publicURL ?? ProcessInfo.processInfo.environment["ADVOCATE_PUBLIC_URL"]).flatMap { $0.isEmpty ? nil : $0 }
        }

        func run() async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.requireWorkspace(workspace)
                let token = InvitationToken.make()
                let path: String
                let channel = Channel(rawValue: self.channel) ?? .link
                if let contact {
                    switch try await store.createContactLink(workspaceID: ws.id, surveyID: survey, externalID: contact, channel: channel,
                                                             tokenHash: token.hash) {
                    case .failure(.unknownSurvey): throw CLIError("no survey \(survey) in workspace \(workspace)")
                    case .failure(.unknownContact): throw CLIError("no contact with external_id \"\(contact)\" in workspace \(workspace)")
                    case .failure(.suppressed(let reason)):
                        throw CLIError("the contact's address is suppressed (\(reason.rawValue)): they asked not to be surveyed")
                    case .success(let (invitation, _)):
                        print("personal link for \(contact) (invitation \(invitation.id)); it is not shown again:")
                    }
                    path = "/r/\(token.token)"
                } else {
                    let expiry = expires.flatMap { Timestamp(rfc3339: $0) }
                    if let expiry, expiry <= store.clock.now() { throw CLIError("--expires must be in the future") }
                    guard let link = try await store.createLink(workspaceID: ws.id, surveyID: survey, name: name ?? "", channel: channel,
                                                                expiresAt: expiry, tokenHash: token.hash) else {
                        throw CLIError("no survey \(survey) in workspace \(workspace)")
                    }
                    print("anonymous link \(link.id) \"\(link.name)\"; it is not shown again:")
                    path = "/l/\(token.token)"
                }
                var base = resolvedBase ?? ""
                while base.hasSuffix("/") { base.removeLast() }
                print(base + path)
            }
        }
    }
}
