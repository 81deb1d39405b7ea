import Foundation
import PostgresClient

/// Loads `demo/seed.sql`: two organizations with people, appointments, accounts with
/// encrypted tokens, mappings and sync logs. Idempotent; runs as the administrator in one
/// transaction that holds the encryption key.
public enum DemoData {
    public static func load(root: URL, key: SecretKey, on connection: PostgresConnection) async throws {
        let path = root.appendingPathComponent("demo/seed.sql").path
        guard let script = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MigrationError.unreadable("demo/seed.sql")
        }
        try await connection.transaction { connection in
            try await connection.query("select set_config('crmsync.token_key', \(key.value), true)")
            try await connection.execute(script)
        }
    }
}
