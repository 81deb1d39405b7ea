import PostgresClient

/// The service's login role.
public enum AppRole {
    /// Sets the password of `crmsync_app` without the password ever appearing in a statement's
    /// text: it travels as a bind into a transaction-local setting that a DO block reads.
    public static func setPassword(_ password: String, on connection: PostgresConnection) async throws {
        try await connection.transaction { connection in
            try await connection.query("select set_config('crmsync.new_app_password', \(password), true)")
            try await connection.execute(
                """
                do $$ begin
                  execute format('alter role crmsync_app password %L', current_setting('crmsync.new_app_password'));
                end $$
                """)
        }
    }
}
