import Foundation
import PostgresClient

/// Calendar accounts as the connect flow and the sync see them. Every call runs in the
/// account owner's session; row-level security and the SQL functions decide what is allowed.
public struct CalendarAccountStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Tokens as the provider returned them.
    public struct Tokens: Sendable {
        public var accessToken: String
        public var refreshToken: String?
        public var expiresAt: Date

        public init(accessToken: String, refreshToken: String?, expiresAt: Date) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            self.expiresAt = expiresAt
        }
    }

    /// The OAuth client registered for `provider` (`google` or `microsoft`): the
    /// organization's own, else the platform's. Decrypted only in a worker session.
    /// Throws `CalendarAccountError.oauthClientMissing` when neither is registered.
    public func oauthClient(provider: String, for identity: Identity) async throws -> (clientID: String, clientSecret: String) {
        do {
            return try await self.database.session(identity, role: .worker, secrets: true) { connection in
                let rows = try await connection.query(
                    "select client_id, client_secret from public.oauth_client_credentials(\(provider))")
                guard let row = rows.first else { throw CalendarAccountError.oauthClientMissing(provider: provider) }
                return (try row.decode(String.self, at: 0), try row.decode(String.self, at: 1))
            }
        } catch DatabaseError.notFound {
            throw CalendarAccountError.oauthClientMissing(provider: provider)
        }
    }

    /// Creates the account (or reconnects the existing one for the same calendar and
    /// address) and stores its tokens encrypted, in one transaction. Returns the account id.
    public func connect(
        _ identity: Identity, provider: String, email: String, calendarID: String = "primary", tokens: Tokens
    ) async throws -> UUID {
        try await self.database.session(identity, secrets: true) { connection in
            try await Self.connect(identity, provider: provider, email: email, calendarID: calendarID, tokens: tokens, on: connection)
        }
    }

    /// `connect` on an open session of `identity` holding the key (so callers can do more in
    /// the same transaction).
    static func connect(
        _ identity: Identity, provider: String, email: String, calendarID: String, tokens: Tokens,
        on connection: PostgresConnection
    ) async throws -> UUID {
        let inserted = try await connection.query(
            """
            insert into public.calendar_accounts (organization_id, user_id, provider, email, calendar_id)
            values (\(identity.organizationID), \(identity.userID), \(provider), \(email), \(calendarID))
            on conflict (organization_id, user_id, provider, calendar_id, email)
            do update set sync_enabled = true
            returning id
            """)
        let id = try inserted.first.map { try $0.decode(UUID.self, at: 0) }
        guard let id else { throw DatabaseError.notFound("the new calendar account") }
        try await connection.query(
            """
            select public.store_calendar_account_tokens(\(id), \(tokens.accessToken), \(tokens.refreshToken), \(tokens.expiresAt))
            """)
        return id
    }

    /// The owner of `account`, read on the administrator's connection (`crmsync sync`
    /// without `--user`/`--org`); nil when there is no such account.
    public static func owner(of account: UUID, on connection: PostgresConnection) async throws -> Identity? {
        do {
            let row = try await connection.query(
                "select user_id, organization_id from public.calendar_accounts where id = \(account)"
            ).first
            guard let row else { return nil }
            return Identity(userID: try row.decode(UUID.self, at: 0), organizationID: try row.decode(UUID.self, at: 1))
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }

    /// The account's decrypted tokens, for a sync job (worker session; audited). Throws
    /// `CalendarAccountError.noTokens` when the account holds none (never connected, or
    /// disconnected), `DatabaseError.refused` when it is not the caller's, and
    /// `DatabaseError.secretKeyMismatch` when they were encrypted with another key.
    public func tokens(account: UUID, for identity: Identity) async throws -> Tokens {
        try await self.database.session(identity, role: .worker, secrets: true) { connection in
            let rows = try await connection.query(
                "select access_token, refresh_token, expires_at from public.calendar_account_tokens(\(account))")
            guard let row = rows.first, let access = try row.decode(String?.self, at: 0) else {
                throw CalendarAccountError.noTokens(account: account)
            }
            return Tokens(
                accessToken: access, refreshToken: try row.decode(String?.self, at: 1),
                expiresAt: try row.decode(Date?.self, at: 2) ?? .distantPast)
        }
    }

    /// Stores refreshed tokens (a `nil` refresh token keeps the stored one).
    public func storeTokens(_ tokens: Tokens, account: UUID, for identity: Identity) async throws {
        _ = try await self.database.session(identity, role: .worker, secrets: true) { connection in
            try await connection.query(
                """
                select public.store_calendar_account_tokens(\(account), \(tokens.accessToken), \(tokens.refreshToken), \(tokens.expiresAt))
                """)
        }
    }
}

/// Why a calendar account cannot be used as asked.
public enum CalendarAccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The account holds no tokens: never connected, or disconnected.
    case noTokens(account: UUID)
    /// No OAuth client is registered for the provider (`google` or `microsoft`), neither the
    /// organization's own nor the platform's.
    case oauthClientMissing(provider: String)

    public var description: String {
        switch self {
        case .noTokens(let account): "calendar account \(account.uuidString.lowercased()) holds no tokens"
        case .oauthClientMissing(let provider): "no OAuth client is registered for \(provider)"
        }
    }
}
