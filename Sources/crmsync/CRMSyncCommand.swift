import ArgumentParser

/// `crmsync`: the calendar and email sync service of a multi-tenant CRM.
@main
struct CRMSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmsync",
        abstract: "Calendar and email sync for a multi-tenant CRM, with Postgres as the rulebook.",
        subcommands: [
            MigrateCommand.self,
            AuditCommand.self,
            SeedDemoCommand.self,
            ConsoleCommand.self,
            RotateKeyCommand.self,
            OAuthClientCommand.self,
            ServeCommand.self,
            SandboxCommand.self,
            ConnectCommand.self,
            SyncCommand.self,
            WorkerCommand.self,
            MailCommand.self,
        ]
    )
}
