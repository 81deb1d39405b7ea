import ArgumentParser
import CRMSyncDatabase

/// `crmsync seed-demo`: loads the demo organizations, people, accounts and sync history.
struct SeedDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Load demo data (idempotent): two organizations, people, appointments, accounts, sync logs.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let key = try self.options.requiredSecretKey()
            try await self.options.withAdminConnection { connection in
                try await DemoData.load(root: self.options.rootURL, key: key, on: connection)
            }
            print("demo data loaded")
        }
    }
}
