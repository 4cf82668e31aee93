import AdvocateCore
import AdvocateStore
import ArgumentParser

/// `advocate contact export|erase`: a person's access and erasure requests, from the shell.
struct ContactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "contact", abstract: "Export or erase everything about one person.",
                                                    subcommands: [Export.self, Erase.self])

    /// Names the person by external id or e-mail, exactly one of them.
    struct Person: ParsableArguments {
        @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
        @Option(name: .customLong("external-id"), help: "The contact's external id.") var externalID: String?
        @Option(help: "The contact's e-mail address.") var email: String?

        func validate() throws {
            if (externalID == nil) == (email == nil) { throw ValidationError("give exactly one of --external-id and --email") }
        }

        var key: PersonKey { externalID.map(PersonKey.externalID) ?? .email(email!) }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print everything the workspace holds about one person as one JSON document (an access request).")
        @OptionGroup var person: Person
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.requireWorkspace(person.workspace)
                guard let doc = try await store.personalData(workspaceID: ws.id, person: person.key) else {
                    throw CLIError("no contact with \(person.key.description) in workspace \(ws.slug)")
                }
                print(doc.serialized())
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase one person: their contact, answers, comments, notes, cases, invitations and the webhook deliveries and jobs that carried them.")
        @OptionGroup var person: Person
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.requireWorkspace(person.workspace)
                guard try await store.erasePerson(workspaceID: ws.id, person: person.key) else {
                    throw CLIError("no contact with \(person.key.description) in workspace \(ws.slug)")
                }
                print("erased the contact with \(person.key.description) from workspace \(ws.slug)")
            }
        }
    }
}
