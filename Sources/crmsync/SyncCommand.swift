import ArgumentParser
import CRMSyncDatabase
import CRMSyncEngine
import CRMSyncProviders
import Foundation
import PostgresClient

/// `crmsync sync`: one sync of one calendar account, now.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync one calendar account now, both ways, and print what changed.",
        discussion: """
            The run happens in the account owner's worker session, like the worker's. The owner is given with \
            --user and --org, or looked up with the operator's connection (DATABASE_URL) when they are left out. \
            Exits non-zero when the run failed; a partial run (some events failed) exits 0 and lists them.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "The calendar account (uuid).")
    var account: String

    @Option(help: "The account's owner (uuid); looked up when left out.")
    var user: String?

    @Option(help: "The account's organization (uuid); looked up when left out.")
    var org: String?

    @Flag(help: "Ignore the stored cursor and list the whole window.")
    var full = false

    @Option(help: "manual, auto or webhook, as the sync log records it.")
    var type: String = "manual"

    @Option(help: "bidirectional, import or export.")
    var direction: String = "bidirectional"

    func run() async throws {
        try await reportingErrors {
            guard let account = UUID(uuidString: self.account) else { throw ValidationError("--account must be a uuid") }
            guard let trigger = SyncOptions.Trigger(rawValue: self.type) else {
                throw ValidationError("--type must be manual, auto or webhook")
            }
            guard let direction = SyncOptions.Direction(rawValue: self.direction) else {
                throw ValidationError("--direction must be bidirectional, import or export")
            }
            let owner = try await self.owner(of: account)
            let engine = CalendarSyncEngine(
                database: TenantDatabase(
                    pool: PostgresPool(configuration: try self.options.databaseSettings.app, maxConnections: 2),
                    secretKey: try self.options.requiredSecretKey()),
                endpoints: try ProviderEndpoints.fromEnvironment(self.options.environment),
                // The command reports the run itself: a failure is its one `crmsync: …` line on
                // stderr, not also the engine's log line (unless a log level is asked for).
                logger: self.options.logger("crmsync.engine", defaultLevel: .critical))
            let display = ProgressDisplay(terminal: isatty(STDOUT_FILENO) == 1)
            let report = try await engine.sync(
                account: account, as: owner,
                options: SyncOptions(trigger: trigger, direction: direction, full: self.full) { display.show($0) })
            if report.status == .failed {
                display.abandon()
                throw SyncFailed(report: report)
            }
            display.finish(report)
        }
    }

    /// The owner from the options, else from the operator's connection.
    private func owner(of account: UUID) async throws -> Identity {
        switch (self.user, self.org) {
        case (let user?, let org?):
            guard let user = UUID(uuidString: user), let org = UUID(uuidString: org) else {
                throw ValidationError("--user and --org must be uuids")
            }
            return Identity(userID: user, organizationID: org)
        case (nil, nil):
            let owner = try await self.options.withAdminConnection { connection in
                try await CalendarAccountStore.owner(of: account, on: connection)
            }
            guard let owner else { throw ValidationError("no calendar account \(account.uuidString.lowercased())") }
            return owner
        default:
            throw ValidationError("give both --user and --org, or neither")
        }
    }
}

/// A sync run that failed, said in one line: why, what it had done, what fixes it.
struct SyncFailed: Error, CustomStringConvertible {
    var report: SyncReport

    var description: String {
        let counts = self.report.counts
        var text = "sync failed: \(self.report.failure ?? "unknown reason")"
        text += " (imported \(counts.imported), exported \(counts.exported), errors \(counts.errors) before it stopped)"
        if self.report.needsReconnect { text += "; the account must be connected again (crmsync connect)" }
        if self.report.oauthClientRejected { text += "; the provider refused the OAuth client: register a valid one with crmsync oauth-client set" }
        return text
    }
}
