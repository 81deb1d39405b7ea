import CRMSyncDatabase
import CRMSyncProviders
import Foundation

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
        self.provider.oauthClientName
    }

    /// The account as the store read it.
    init(_ stored: SyncStore.Account) throws(SyncError) {
        guard let kind = CalendarProviderKind(storedName: stored.provider) else {
            throw .unknownProvider(stored.id, provider: stored.provider)
        }
        self.init(
            id: stored.id, owner: stored.owner, provider: kind, calendarID: stored.calendarID,
            cursor: stored.cursor.map(SyncCursor.init), conflictStrategy: stored.conflictStrategy,
            connectionStatus: stored.connectionStatus)
    }
}
