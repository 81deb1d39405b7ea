import CRMSyncSupport
import ArgumentParser
import CRMSyncDatabase

/// `crmsync console`: runs the documented console queries and the monitoring views.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Run the documented console queries and monitoring views as the administrator.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            try await self.options.withAdminConnection { connection in
                for query in ConsoleQueries.all {
                    print("\n== \(query.title)\n\(query.sql)\n")
                    print(TextTable.render(try await connection.execute(query.sql)))
                }
                for view in ConsoleQueries.monitoringViews {
                    print("\n== \(view.name)\n")
                    print(TextTable.render(try await connection.execute(view.sql)))
                }
            }
        }
    }
}
