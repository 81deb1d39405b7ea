import CRMSyncDatabase
import Foundation

/// A mailbox as the API shows it: settings, a status badge, the last sync's result, who may
/// read its mail (`sharing_level`) and its folders. Never a password, a token or a cursor.
struct MailAccountView: Encodable, Sendable {
    /// What a CRM screen shows next to the mailbox.
    enum Status: String, Encodable, Sendable {
        case connected, syncing, paused, error, disconnected
        case needsReauth = "needs_reauth"
    }

    struct LastSync: Encodable, Sendable {
        var at: Date
        var status: String
    }

    struct Folder: Encodable, Sendable {
        var name: String
        var role: String
    }

    struct Server: Encodable, Sendable {
        var host: String
        var port: Int
    }

    /// Lowercase, as Postgres prints it.
    var id: String
    var provider: String
    var email: String
    var displayName: String?
    var status: Status
    var syncEnabled: Bool
    var syncPending: Bool
    var lastSync: LastSync?
    /// The last failed or partial run's reason; null after a success.
    var lastError: String?
    var sharingLevel: String
    /// Null: the default folders (INBOX and Sent).
    var syncFolders: [String]?
    var folders: [Folder]
    var imap: Server?
    var smtp: Server?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, provider, email, status, folders, imap, smtp
        case displayName = "display_name"
        case syncEnabled = "sync_enabled"
        case syncPending = "sync_pending"
        case lastSync = "last_sync"
        case lastError = "last_error"
        case sharingLevel = "sharing_level"
        case syncFolders = "sync_folders"
        case createdAt = "created_at"
    }

    /// Every optional key is written (as null when absent), so clients see one shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.provider, forKey: .provider)
        try container.encode(self.email, forKey: .email)
        try container.encode(self.displayName, forKey: .displayName)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.syncEnabled, forKey: .syncEnabled)
        try container.encode(self.syncPending, forKey: .syncPending)
        try container.encode(self.lastSync, forKey: .lastSync)
        try container.encode(self.lastError, forKey: .lastError)
        try container.encode(self.sharingLevel, forKey: .sharingLevel)
        try container.encode(self.syncFolders, forKey: .syncFolders)
        try container.encode(self.folders, forKey: .folders)
        try container.encode(self.imap, forKey: .imap)
        try container.encode(self.smtp, forKey: .smtp)
        try container.encode(self.createdAt, forKey: .createdAt)
    }

    init(_ record: EmailAccountStore.Record) {
        self.id = record.id.lowercased
        self.provider = record.provider
        self.email = record.email
        self.displayName = record.displayName
        self.status =
            switch record.connectionStatus {
            case "disconnected": .disconnected
            case "needs_reauth": .needsReauth
            case _ where !record.syncEnabled: .paused
            case _ where record.syncing: .syncing
            case "error": .error
            default: .connected
            }
        self.syncEnabled = record.syncEnabled
        self.syncPending = record.syncPending
        self.lastSync = record.lastSyncAt.map { LastSync(at: $0, status: record.lastSyncStatus ?? "unknown") }
        self.lastError = record.lastError
        self.sharingLevel = record.sharingLevel
        self.syncFolders = record.syncFolders
        self.folders = record.folders.map { Folder(name: $0.name, role: $0.role) }
        if let host = record.imapHost, let port = record.imapPort { self.imap = Server(host: host, port: port) }
        if let host = record.smtpHost, let port = record.smtpPort { self.smtp = Server(host: host, port: port) }
        self.createdAt = record.createdAt
    }
}
