import AdvocateCore
import AdvocateJobs
import AdvocateStore
import ArgumentParser
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Dashboard users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user to a workspace with a role, and print a one-time link to choose a password (valid 72 hours).")

        @Option(help: "The user's e-mail address (their sign-in name).") var email: String
        @Option(help: "owner, admin, member or viewer.") var role: String
        @Option(help: "The user's name.") var name: String?
        @Option(help: "Workspace slug (default: default; created if missing).") var workspace: String = "default"
        @Option(help: "Public base URL the link starts with (env ADVOCATE_PUBLIC_URL); without it the path is printed.")
        var publicURL: String?
        @OptionGroup var dataOptions: DataOptions

        func validate() throws {
            if Identifiers.normalizedEmail(email) == nil { throw ValidationError("--email must be an e-mail address, got \(email)") }
            if Role(rawValue: role) == nil { throw ValidationError("--role must be owner, admin, member or viewer, got \(role)") }
            if let name, name.count > Limits.nameCharacters { throw ValidationError("--name must be at most \(Limits.nameCharacters) characters") }
            if !Workspace.isValidSlug(workspace) { throw ValidationError("--workspace must be 1 to 63 of a-z, 0-9 and -") }
        }

        func run() async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.ensureWorkspace(slug: workspace).workspace
                let (user, created) = try await store.addMember(workspaceID: ws.id, email: Identifiers.normalizedEmail(email)!, name: name,
                                                                role: Role(rawValue: role)!)
                let link = InvitationToken.make()
                try await store.createUserLink(userID: user.id, purpose: "setup", tokenHash: link.hash, hours: 72)
                print("\(created ? "created" : "updated") \(user.email), \(role) of \(ws.slug); set a password within 72 hours at:")
                var base = (publicURL ?? ProcessInfo.processInfo.environment["ADVOCATE_PUBLIC_URL"]) ?? ""
                while base.hasSuffix("/") { base.removeLast() }
                print("\(base)/setup/\(link.token)")
            }
        }
    }
}
