import CRMSyncDatabase
import Testing

/// The service's database settings from the environment: prepared statements on unless
/// `CRMSYNC_PREPARED_STATEMENTS` says off, and a clear error for a value that is neither.
@Suite("Database settings")
struct DatabaseSettingsTests {
    @Test("prepared statements are on by default and follow CRMSYNC_PREPARED_STATEMENTS")
    func preparedStatements() throws {
        let base = ["DATABASE_URL": "postgresql:///crmsync"]
        #expect(try DatabaseSettings.fromEnvironment(base).app.preparesStatements)
        #expect(try DatabaseSettings.fromEnvironment(base.merging(["CRMSYNC_PREPARED_STATEMENTS": ""]) { $1 }).app.preparesStatements)
        for off in ["off", "OFF", "false", "0"] {
            let settings = try DatabaseSettings.fromEnvironment(base.merging(["CRMSYNC_PREPARED_STATEMENTS": off]) { $1 })
            #expect(!settings.app.preparesStatements, "\(off)")
        }
        let own = base.merging(["CRMSYNC_APP_DATABASE_URL": "postgresql:///crmsync?user=crmsync_app", "CRMSYNC_PREPARED_STATEMENTS": "off"]) { $1 }
        #expect(try !DatabaseSettings.fromEnvironment(own).app.preparesStatements)
        #expect(try DatabaseSettings.fromEnvironment(base.merging(["CRMSYNC_PREPARED_STATEMENTS": "On"]) { $1 }).app.preparesStatements)
    }

    @Test("a value that is neither on nor off is refused, naming the variable")
    func refused() {
        for value in ["maybe", "disable", " off"] {
            #expect(throws: DatabaseSettingsError.notASwitch(variable: "CRMSYNC_PREPARED_STATEMENTS")) {
                try DatabaseSettings.fromEnvironment(["CRMSYNC_PREPARED_STATEMENTS": value])
            }
        }
        #expect(DatabaseSettingsError.notASwitch(variable: "CRMSYNC_PREPARED_STATEMENTS").description
                == "CRMSYNC_PREPARED_STATEMENTS must be on or off")
    }
}
