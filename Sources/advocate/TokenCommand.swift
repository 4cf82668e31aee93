import AdvocateCore
import AdvocateStore
import AdvocateWeb
import ArgumentParser

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token (printed once, alone on the last line). Creates the workspace if missing.")

        @Option(help: "What the token is for, e.g. \"CRM sync\".") var name: String
        @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
        @Option(help: "The survey this token's Delighted-compatible /v1 calls act on (default: the workspace's first).") var survey: Int64?
        @Option(help: "What it may do: read (GET only), write (also create and change), admin (also erase contacts and delete surveys). Default write.")
        var scope: String = "write"
        @Flag(help: "Read the secret from standard input instead of making one: keeps an existing key (a Delighted API key) working.")
        var secretStdin = false
        @OptionGroup var dataOptions: DataOptions

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > Limits.nameCharacters {
                throw ValidationError("--name must be 1 to \(Limits.nameCharacters) characters")
            }
            if !Workspace.isValidSlug(workspace) { throw ValidationError("--workspace must be 1 to 63 of a-z, 0-9 and -") }
            if TokenScope(rawValue: scope) == nil { throw ValidationError("--scope must be read, write or admin, got \(scope)") }
        }

        func run() async throws {
            try await withStore(dataOptions) { store in
                let (ws, created) = try await store.ensureWorkspace(slug: workspace)
                if created { print("created workspace \(ws.slug)") }
                if let survey, try await store.survey(workspaceID: ws.id, id: survey) == nil {
                    throw CLIError("--survey: no survey \(survey) in workspace \(ws.slug)")
                }
                if secretStdin {
                    let secret = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
                    // A short secret could be guessed; Delighted's keys are 32 characters.
                    guard (20...200).contains(secret.count), secret.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
                        throw CLIError("the secret on standard input must be 20 to 200 printable ASCII characters without spaces")
                    }
                    guard try await store.tokenWorkspace(secretHash: APITokenSecret.hash(secret)) == nil else {
                        throw CLIError("a live token already has this secret")
                    }
                    let token = try await store.createToken(workspaceID: ws.id, name: name, secretHash: APITokenSecret.hash(secret), surveyID: survey,
                                                         scope: TokenScope(rawValue: scope)!, audit: .operator)
                    print("token \(token.id) \"\(token.name)\" (\(token.scope.rawValue)) for workspace \(ws.slug), with the secret given on standard input")
                    return
                }
                let secret = APITokenSecret.generate()
                let token = try await store.createToken(workspaceID: ws.id, name: name, secretHash: APITokenSecret.hash(secret), surveyID: survey,
                                                        scope: TokenScope(rawValue: scope)!, audit: .operator)
                print("token \(token.id) \"\(token.name)\" (\(token.scope.rawValue)) for workspace \(ws.slug); store it now, it is not shown again:")
                print(secret)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's live tokens (never their secrets).")
        @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.requireWorkspace(workspace)
                for t in try await store.tokens(workspaceID: ws.id) { print("\(t.id)\t\(t.createdAt)\t\(t.scope.rawValue)\t\(t.name)") }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id (effective within 10 seconds on every server).")
        @Argument(help: "The token id shown by `token list`.") var id: Int64
        @Option(help: "Workspace slug (default: default).") var workspace: String = "default"
        @OptionGroup var dataOptions: DataOptions

        func run() async throws {
            try await withStore(dataOptions) { store in
                let ws = try await store.requireWorkspace(workspace)
                guard try await store.revokeToken(workspaceID: ws.id, tokenID: id, audit: .operator) else {
                    throw CLIError("no live token \(id) in workspace \(workspace)")
                }
                print("revoked token \(id)")
            }
        }
    }
}

import Foundation
