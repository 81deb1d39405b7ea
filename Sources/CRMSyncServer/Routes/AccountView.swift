import Foundation
import CRMSyncDatabase

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

    init(_ record: CalendarAccountStore.Record) {
        self.id = record.id.lowercased
        self.provider = record.provider
        self.email = record.email
        self.calendarID = record.calendarID
        self.timeZone = record.timeZone
        self.syncEnabled = record.syncEnabled
        self.conflictStrategy = record.conflictStrategy
        let connection = record.connectionStatus
        let syncing = record.syncing
        self.status =
            switch connection {
            case "needs_reauth": .needsReconnection
            case "disconnected": .disconnected
            case "pending": .pending
            case _ where syncing: .syncing
            case "error": .error
            default: .connected
            }
        self.syncPending = record.syncPending
        if let at = record.lastSyncAt {
            self.lastSync = LastSync(at: at, status: record.lastSyncStatus ?? "unknown", error: record.lastError)
        }
        self.nextSyncAt = record.nextSyncAt
        self.createdAt = record.createdAt
    }
}
