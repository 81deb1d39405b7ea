import ArgumentParser
import CRMSyncDatabase
import PostgresClient

/// `crmsync migrate`: applies sql/ then policies/, each file once.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply sql/ then policies/ in file-name order, each file once, in a transaction.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let files = try MigrationFile.load(root: self.options.rootURL)
            let settings = self.options.databaseSettings
            try await self.options.withAdminConnection { connection in
                let report = try await Migrator(files: files, logger: self.options.logger("crmsync.migrate"))
                    .apply(on: connection)
                for name in report.applied { print("applied \(name)") }
                print("\(report.applied.count) applied, \(report.unchanged) already applied")
                if let password = settings.appPassword {
                    try await AppRole.setPassword(password, on: connection)
                    print("set the password of \(DatabaseSettings.appRole)")
                }
            }
        }
    }
}
