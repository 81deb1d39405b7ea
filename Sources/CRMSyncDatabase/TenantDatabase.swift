import Foundation
import Logging
import PostgresClient

/// The database as the service uses it: every transaction under one person's identity.
///
/// The pool logs in as the service's own role (neither superuser, owner nor BYPASSRLS).
/// `withSession` opens a transaction, switches role and sets the identity with
/// transaction-local settings, so a pooled connection carries nothing into the next one.
/// Nothing here filters by tenant: row-level security does.
public struct TenantDatabase: Sendable {
    public let pool: PostgresPool
    public let secretKey: SecretKey?

    public init(pool: PostgresPool, secretKey: SecretKey?) {
        self.pool = pool
        self.secretKey = secretKey
    }

    /// Runs `body` in one transaction as `identity` (or as nobody, when `nil`) in `role`.
    /// With `secrets: true` the transaction also holds the encryption key, for the SQL
    /// functions that encrypt or decrypt tokens; without it they fail cleanly.
    @discardableResult
    public func withSession<T>(
        _ identity: Identity?, role: SessionRole = .authenticated, secrets: Bool = false,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let key: String?
        if secrets {
            guard let secretKey = self.secretKey else { throw SecretKeyError.missing(variable: "CRMSYNC_TOKEN_KEY") }
            key = secretKey.value
        } else {
            key = nil
        }
        return try await self.pool.withTransaction(startingWith: Self.setUp(identity, role: role, key: key), body)
    }

    /// A read that is one statement, as `identity` in `role`: `BEGIN`, the identity, `query` and
    /// `COMMIT` in one round trip (see `PostgresConnection.readTransaction`). `query` must be
    /// fixed text with binds: it is prepared on each pooled connection.
    public func read(_ identity: Identity?, role: SessionRole = .authenticated, _ query: SQL) async throws -> PostgresRows {
        try await self.pool.withConnection { connection in
            try await connection.readTransaction(startingWith: Self.setUp(identity, role: role, key: nil), query)
        }
    }

    /// The statement that gives a transaction its identity. Prepared and sent with BEGIN:
    /// every request starts with it. request.jwt.claim.sub beside the claims spares auth.uid()
    /// a JSON parse in each of the policies' helper calls.
    static func setUp(_ identity: Identity?, role: SessionRole, key: String?) -> SQL {
        """
        select set_config('role', \(role.rawValue), true),
               set_config('request.jwt.claims', \(identity?.claimsJSON ?? ""), true),
               set_config('request.jwt.claim.sub', \(identity?.userID.uuidString.lowercased() ?? ""), true),
               set_config('app.org_id', \(identity?.organizationID.uuidString.lowercased() ?? ""), true),
               set_config('crmsync.token_key', \(key ?? ""), true)
        """
    }

    /// `read` for the stores: a Postgres error leaves as the `DatabaseError` it means.
    func readSession(_ identity: Identity?, role: SessionRole = .authenticated, _ query: SQL) async throws -> PostgresRows {
        do {
            return try await self.read(identity, role: role, query)
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }

    /// `withSession` for the stores: a Postgres error leaves as the `DatabaseError` it means.
    func session<T>(
        _ identity: Identity?, role: SessionRole = .authenticated, secrets: Bool = false,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await self.withSession(identity, role: role, secrets: secrets, body)
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }
}
