import ArgumentParser
import Foundation

/// The `advocate` binary: one executable, a subcommand per job.
@main
struct Advocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advocate",
        abstract: "Advocate: self-hosted Net Promoter Score.",
        subcommands: [ServeCommand.self, MigrateCommand.self, TokenCommand.self, UserCommand.self, LinkCommand.self, ReportCommand.self,
                      ContactCommand.self, RetentionCommand.self, ImportCommand.self, ExportCommand.self, DemoCommand.self, BackupCommand.self, RestoreCommand.self, DKIMCommand.self, BenchCommand.self])

    /// Reads `--config FILE` into the environment before the options are parsed (ConfigFile).
    static func main() async {
        ConfigFile.apply(arguments: Array(CommandLine.arguments.dropFirst()))
        await main(nil)
    }
}
