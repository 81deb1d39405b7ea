import Foundation
import PostgresClient

/// A calendar account as the API shows it: settings, a status badge and the last sync's result.
/// Never a token, a cursor or a worker's name.
struct AccountView: Encodable, Sendable {
    /// What a CRM screen shows next to the account.
    enum Status: String, Encodable, Sendable {
        case pending, connected, syncing, error, disconnected
        case needsReconnection = "needs_reconnection"
    }

    struct LastSync: Encodable, Sendable {
        var at: Date
        var status: String
        var error: String?
    }

    /// Lowercase, as Postgres prints it.
    var id: String
    var provider: String
    var email: String
    var calendarID: String
    var timeZone: String
    var syncEnabled: Bool
    var conflictStrategy: String
    var status: Status
    var syncPending: Bool
    var lastSync: LastSync?
    var nextSyncAt: Date?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, provider, email, status
        case calendarID = "calendar_id"
        case timeZone = "time_zone"
        case syncEnabled = "sync_enabled"
        case conflictStrategy = "conflict_strategy"
        case syncPending = "sync_pending"
        case lastSync = "last_sync"
        case nextSyncAt = "next_sync_at"
        case createdAt = "created_at"
    }

    /// The columns `init(row:)` reads, for `select \(unescaped: AccountView.columns) from public.calendar_accounts a`.
    static let columns = """
        a.id, a.provider, a.email, a.calendar_id, a.time_zone, a.sync_enabled, a.conflict_strategy,
        a.connection_status, coalesce(a.lease_expires_at > now(), false) as syncing, a.sync_requested_at is not null as pending,
        a.last_sync_at, a.last_sync_status, a.last_error, a.next_sync_at, a.created_at
        """

    init(row: PostgresRow) throws {
        self.id = try row.decode(UUID.self, column: "id").lowercased
        self.provider = try row.decode(String.self, column: "provider")
        self.email = try row.decode(String.self, column: "email")
        self.calendarID = try row.decode(String.self, column: "calendar_id")
        self.timeZone = try row.decode(String.self, column: "time_zone")
        self.syncEnabled = try row.decode(Bool.self, column: "sync_enabled")
        self.conflictStrategy = try row.decode(String.self, column: "conflict_strategy")
        let connection = try row.decode(String.self, column: "connection_status")
        let syncing = try row.decode(Bool.self, column: "syncing")
        self.status =
            switch connection {
            case "needs_reauth": .needsReconnection
            case "disconnected": .disconnected
            case "pending": .pending
            case _ where syncing: .syncing
            case "error": .error
            default: .connected
            }
        self.syncPending = try row.decode(Bool.self, column: "pending")
        if let at = try row.decode(Date?.self, column: "last_sync_at") {
            self.lastSync = LastSync(
                at: at, status: try row.decode(String?.self, column: "last_sync_status") ?? "unknown",
                error: try row.decode(String?.self, column: "last_error"))
        }
        self.nextSyncAt = try row.decode(Date?.self, column: "next_sync_at")
        self.createdAt = try row.decode(Date.self, column: "created_at")
    }
}
