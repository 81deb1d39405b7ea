import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import Hummingbird

/// `/v1/mail/accounts…`: list, show, change settings (sync on/off, folders, sharing level), ask
/// for a sync, read the sync log.
///
/// Every query runs in the caller's session; the policies decide which rows exist for them.
/// A mailbox that is not theirs (another user's, another organization's) is a 404, even to an
/// organization admin: mail stays with its owner.
struct MailAccountRoutes: Sendable {
    let dependencies: ServerDependencies

    var store: EmailAccountStore { EmailAccountStore(database: self.dependencies.database) }

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.get("mail/accounts", use: self.list)
        group.get("mail/accounts/:account", use: self.show)
        group.patch("mail/accounts/:account", use: self.update)
        group.post("mail/accounts/:account/sync", use: self.requestSync)
        group.get("mail/accounts/:account/sync-log", use: self.syncLog)
    }

    struct AccountList: Encodable {
        var accounts: [MailAccountView]
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let accounts = try await self.store.list(for: identity).map(MailAccountView.init)
        return try JSONCoding.response(AccountList(accounts: accounts))
    }

    @Sendable func show(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let account = try await Self.notFound { try await self.store.record(id, for: identity) }
        return try JSONCoding.response(MailAccountView(account))
    }

    struct SettingsChange: JSONRequestBody {
        static let fields: Set<String> = ["sync_enabled", "sync_folders", "sharing_level"]
        var syncEnabled: Bool?
        var syncFolders: [String]?
        var sharingLevel: SharingLevel?

        enum CodingKeys: String, CodingKey {
            case syncEnabled = "sync_enabled"
            case syncFolders = "sync_folders"
            case sharingLevel = "sharing_level"
        }
    }

    /// Who in the organization may read the mailbox's mail, and how much of it.
    enum SharingLevel: String, Decodable, Sendable {
        case `private`, metadata, subject, full
    }

    @Sendable func update(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        var request = request
        let change = try await request.decodeJSONBody(SettingsChange.self, maxBytes: self.dependencies.configuration.maxBodyBytes)
        var folders: [String]??
        if let names = change.syncFolders {
            guard names.count <= 100, names.allSatisfy(FieldRules.isFolderName), Set(names).count == names.count else {
                throw APIError.badRequest(
                    "invalid_field", "sync_folders must be at most 100 distinct folder names of 1 to 1000 characters, no control characters")
            }
            // An empty list goes back to the default folders.
            folders = .some(names.isEmpty ? nil : names)
        }
        let account = try await Self.notFound {
            try await self.store.update(
                id, EmailAccountStore.Change(syncEnabled: change.syncEnabled, syncFolders: folders, sharingLevel: change.sharingLevel?.rawValue),
                for: identity)
        }
        return try JSONCoding.response(MailAccountView(account))
    }

    /// Returns at once (202); a worker runs the sync and logs it.
    @Sendable func requestSync(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let requestedAt: Date
        switch try await Self.notFound({ try await self.store.requestSync(id, for: identity) }) {
        case .requested(let at):
            requestedAt = at
        case .notSyncable(let record):
            let account = MailAccountView(record)
            throw APIError.conflict(
                "account_not_syncable", "the account is \(account.status == .paused ? "paused (sync_enabled is false)" : account.status.rawValue)")
        }
        self.dependencies.metrics.mailSyncRequested()
        return try JSONCoding.response(
            AccountRoutes.SyncRequested(
                accountID: id.lowercased, requestedAt: requestedAt, syncLog: "/v1/mail/accounts/\(id.lowercased)/sync-log"),
            status: .accepted)
    }

    struct SyncLogEntry: Encodable {
        var id: String
        var syncType: String
        var status: String
        var imported: Int
        var updated: Int
        var deleted: Int
        var errors: Int
        var errorDetails: JSONValue
        var startedAt: Date
        var completedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, status, imported, updated, deleted, errors
            case syncType = "sync_type"
            case errorDetails = "error_details"
            case startedAt = "started_at"
            case completedAt = "completed_at"
        }
    }

    struct SyncLog: Encodable {
        var entries: [SyncLogEntry]
    }

    @Sendable func syncLog(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let limit = try request.uri.queryParameters.limit(default: 50, maximum: 500)
        let entries = try await Self.notFound { try await self.store.syncLog(id, limit: limit, for: identity) }.map { entry in
            SyncLogEntry(
                id: entry.id.lowercased, syncType: entry.syncType, status: entry.status, imported: entry.imported,
                updated: entry.updated, deleted: entry.deleted, errors: entry.errors,
                errorDetails: try JSONCoding.decoder().decode(JSONValue.self, from: Data(entry.errorDetailsJSON.utf8)),
                startedAt: entry.startedAt, completedAt: entry.completedAt)
        }
        return try JSONCoding.response(SyncLog(entries: entries))
    }

    /// `body`, with a mailbox that is not the caller's as a 404.
    static func notFound<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch DatabaseError.notFound {
            throw APIError.notFound("mail account")
        } catch DatabaseError.refused {
            throw APIError.notFound("mail account")
        }
    }
}
