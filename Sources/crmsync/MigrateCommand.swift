import ArgumentParser
import CRMSyncDatabase
import PostgresClient

/// `crmsync migrate`: pending migrations (sql/migrations), then the repeatable files whose text
/// changed (sql/functions, sql/views, sql/triggers, policies).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending migrations, then changed functions, views, triggers and policies, each file in a transaction.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let files = try MigrationFile.load(root: self.options.rootURL)
            let settings = try self.options.databaseSettings
            try await self.options.withAdminConnection { connection in
                let report = try await Migrator(files: files, logger: self.options.logger("crmsync.migrate"))
                    .apply(on: connection)
                if !report.adopted.isEmpty {
                    print("adopted \(report.adopted.count) records of the one-folder sql/ layout")
                }
                for name in report.applied { print("applied \(name)") }
                print("\(report.applied.count) applied, \(report.unchanged) unchanged")
                if let password = settings.appPassword {
                    try await AppRole.setPassword(password, on: connection)
                    print("set the password of \(DatabaseSettings.appRole)")
                }
            }
        }
    }
}
