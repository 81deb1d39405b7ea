import Foundation
import PostgresClient

/// Registers OAuth client credentials (the client secret encrypted) as the administrator.
public enum OAuthClientRegistry {
    /// `provider` is `google` or `microsoft`; `organization` `nil` means the platform's app.
    @discardableResult
    public static func set(
        provider: String, clientID: String, clientSecret: String, organization: UUID?, key: SecretKey,
        on connection: PostgresConnection
    ) async throws -> UUID {
        do {
            return try await Self.store(
                provider: provider, clientID: clientID, clientSecret: clientSecret, organization: organization, key: key,
                on: connection)
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }

    private static func store(
        provider: String, clientID: String, clientSecret: String, organization: UUID?, key: SecretKey,
        on connection: PostgresConnection
    ) async throws -> UUID {
        try await connection.transaction { connection in
            try await connection.query("select set_config('crmsync.token_key', \(key.value), true)")
            let row = try await connection.query(
                "select public.set_oauth_client(\(provider), \(clientID), \(clientSecret), \(organization))")
            guard let id = try row.first?.decode(UUID.self, at: 0) else {
                throw DatabaseError.unexpected("set_oauth_client returned nothing")
            }
            return id
        }
    }
}
