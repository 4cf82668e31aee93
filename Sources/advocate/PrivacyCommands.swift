import AdvocateCore
import AdvocateJobs
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

        /// Prints what `act` returns for the person; nil means there is no such person, an error naming them.
        func run(_ dataOptions: DataOptions, _ act: (AdvocateStore, Int64, PersonKey) async throws -> String?) async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.requireWorkspace(workspace)
                guard let output = try await act(store, ws.id, key) else { throw CLIError("no contact with \(key.description) in workspace \(ws.slug)") }
                print(output)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print everything the workspace holds about one person as one JSON document (an access request).")
        @OptionGroup var person: Person
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await person.run(dataOptions) { store, workspaceID, key in
                try await store.personalData(workspaceID: workspaceID, person: key, audit: .operator)?.serialized()
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase one person: their contact, answers, comments, notes, cases, invitations and the webhook deliveries and jobs that carried them.")
        @OptionGroup var person: Person
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await person.run(dataOptions) { store, workspaceID, key in
                try await store.erasePerson(workspaceID: workspaceID, person: key, audit: .operator) ? "erased the contact with \(key.description) and everything about them" : nil
            }
        }
    }
}

/// `advocate retention run`: applies the retention policies now, as the daily job does.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retention", abstract: "Apply retention policies.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete or anonymise old answers now, as the server's daily job does, for one workspace or every workspace with a policy.")
        @Option(help: "Workspace slug (default: every workspace with a policy).") var workspace: String?
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStore(dataOptions) { store in
                if let workspace {
                    let ws = try await store.requireWorkspace(workspace)
                    guard let state = try await store.retention(workspaceID: ws.id) else {
                        throw CLIError("workspace \(ws.slug) has no retention policy (set one with PUT /api/v1/retention or on the dashboard's privacy page)")
                    }
                    let count = try await store.applyRetention(workspaceID: ws.id)
                    print("\(ws.slug): \(count) responses older than \(state.policy.months) months \(state.policy.action == .delete ? "deleted" : "anonymised")")
                    return
                }
                let results = try await RetentionRunner.runAll(store: store)
                if results.isEmpty { print("no workspace has a retention policy") }
                for (workspaceID, count) in results { print("workspace \(workspaceID): \(count) responses deleted or anonymised") }
            }
        }
    }
}
