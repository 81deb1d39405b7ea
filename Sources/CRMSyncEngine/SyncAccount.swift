import CRMSyncDatabase
import CRMSyncProviders
import Foundation
import PostgresClient

/// A calendar account as one sync run sees it, read in its owner's worker session.
public struct SyncAccount: Sendable, Hashable {
    /// The account's id.
    public var id: UUID
    /// The person (and organization) the account belongs to; every statement runs as them.
    public var owner: Identity
    /// Google or Outlook.
    public var provider: CalendarProviderKind
    /// The provider calendar that is synced (`primary` for the default one).
    public var calendarID: String
    /// Where the last completed listing ended; nil before the first sync.
    public var cursor: SyncCursor?
    /// `crm_wins`, `calendar_wins`, `latest_wins` or `manual` (applied by the SQL functions).
    public var conflictStrategy: String
    /// `pending`, `connected`, `needs_reauth`, `disconnected` or `error`.
    public var connectionStatus: String

    /// Creates an account description.
    public init(
        id: UUID, owner: Identity, provider: CalendarProviderKind, calendarID: String, cursor: SyncCursor?,
        conflictStrategy: String, connectionStatus: String
    ) {
        self.id = id
        self.owner = owner
        self.provider = provider
        self.calendarID = calendarID
        self.cursor = cursor
        self.conflictStrategy = conflictStrategy
        self.connectionStatus = connectionStatus
    }

    /// The provider name the OAuth client registry uses (`google` or `microsoft`).
    public var oauthProviderName: String {
        self.provider == .google ? "google" : "microsoft"
    }

    /// Reads the account as `owner` sees it; nil when row-level security hides it (another
    /// person's or another organization's account) or it does not exist.
    static func load(_ id: UUID, as owner: Identity, on connection: PostgresConnection) async throws -> SyncAccount? {
        let rows = try await connection.query(
            """
            select provider, calendar_id, sync_cursor, conflict_strategy, connection_status, user_id, organization_id
            from public.calendar_accounts where id = \(id)
            """)
        guard let row = rows.first else { return nil }
        let provider = try row.decode(String.self, at: 0)
        guard let kind = CalendarProviderKind(rawValue: provider) else {
            throw PostgresError(.decoding, message: "unknown calendar provider \(provider)")
        }
        return SyncAccount(
            id: id,
            owner: Identity(userID: try row.decode(UUID.self, at: 5), organizationID: try row.decode(UUID.self, at: 6)),
            provider: kind,
            calendarID: try row.decode(String.self, at: 1),
            cursor: try row.decode(String?.self, at: 2).flatMap { $0.isEmpty ? nil : SyncCursor($0) },
            conflictStrategy: try row.decode(String.self, at: 3),
            connectionStatus: try row.decode(String.self, at: 4))
    }
}
