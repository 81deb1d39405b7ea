import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import Hummingbird

/// `/v1/calendar/accounts…`: list, show, change settings, ask for a sync, read the sync log.
///
/// Every query runs in the caller's session; the policies decide which rows exist for them.
/// An account that is not theirs (another user's, another organization's) is a 404.
struct AccountRoutes: Sendable {
    let dependencies: ServerDependencies

    var store: CalendarAccountStore { self.dependencies.accounts }

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.get("calendar/accounts", use: self.list)
        group.get("calendar/accounts/:account", use: self.show)
        group.patch("calendar/accounts/:account", use: self.update)
        group.post("calendar/accounts/:account/sync", use: self.requestSync)
        group.get("calendar/accounts/:account/sync-log", use: self.syncLog)
    }

    struct AccountList: Encodable {
        var accounts: [AccountView]
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        // Only the caller's own accounts: an admin's wider read is for the monitoring views.
        let accounts = try await self.store.list(for: identity).map(AccountView.init)
        return try JSONCoding.response(AccountList(accounts: accounts))
    }

    @Sendable func show(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let account = try await Self.notFound { try await self.store.record(id, for: identity) }
        return try JSONCoding.response(AccountView(account))
    }

    struct SettingsChange: JSONRequestBody {
        static let fields: Set<String> = ["sync_enabled", "conflict_strategy", "calendar_id"]
        var syncEnabled: Bool?
        var conflictStrategy: ConflictStrategy?
        var calendarID: String?

        enum CodingKeys: String, CodingKey {
            case syncEnabled = "sync_enabled"
            case conflictStrategy = "conflict_strategy"
            case calendarID = "calendar_id"
        }
    }

    enum ConflictStrategy: String, Decodable, Sendable {
        case crmWins = "crm_wins", calendarWins = "calendar_wins", latestWins = "latest_wins", manual
    }

    @Sendable func update(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        var request = request
        let change = try await request.decodeJSONBody(SettingsChange.self, maxBytes: self.dependencies.configuration.maxBodyBytes)
        if let calendar = change.calendarID, !FieldRules.isCalendarID(calendar) {
            throw APIError.badRequest("invalid_field", "calendar_id must be 1 to 1024 characters")
        }
        let account = try await Self.notFound {
            try await self.store.updateSettings(
                id, syncEnabled: change.syncEnabled, conflictStrategy: change.conflictStrategy?.rawValue,
                calendarID: change.calendarID, for: identity)
        }
        return try JSONCoding.response(AccountView(account))
    }

    struct SyncRequested: Encodable {
        var accountID: String
        var requestedAt: Date
        var syncLog: String

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case requestedAt = "requested_at"
            case syncLog = "sync_log"
        }
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
            let account = AccountView(record)
            throw APIError.conflict(
                "account_not_syncable", "the account is \(account.syncEnabled ? account.status.rawValue : "paused (sync_enabled is false)")")
        }
        return try JSONCoding.response(
            SyncRequested(accountID: id.lowercased, requestedAt: requestedAt, syncLog: "/v1/calendar/accounts/\(id.lowercased)/sync-log"),
            status: .accepted)
    }

    struct SyncLogEntry: Encodable {
        /// Lowercase, as Postgres prints it.
    var id: String
        var syncType: String
        var direction: String
        var status: String
        var imported: Int
        var exported: Int
        var updated: Int
        var deleted: Int
        var errors: Int
        var errorDetails: JSONValue
        var startedAt: Date
        var completedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, status, imported, exported, updated, deleted, errors, direction
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
                id: entry.id.lowercased, syncType: entry.syncType, direction: entry.direction, status: entry.status,
                imported: entry.imported, exported: entry.exported, updated: entry.updated, deleted: entry.deleted,
                errors: entry.errors,
                errorDetails: try JSONCoding.decoder().decode(JSONValue.self, from: Data(entry.errorDetailsJSON.utf8)),
                startedAt: entry.startedAt, completedAt: entry.completedAt)
        }
        return try JSONCoding.response(SyncLog(entries: entries))
    }

    /// `body`, with an account that is not the caller's as a 404.
    static func notFound<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch DatabaseError.notFound {
            throw APIError.notFound("calendar account")
        }
    }
}

extension Hummingbird.Parameters {
    /// `limit` from the query string: 1...maximum, else 400.
    func limit(default value: Int, maximum: Int) throws -> Int {
        guard let text = self.get("limit") else { return value }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw APIError.badRequest("invalid_parameter", "limit must be an integer from 1 to \(maximum)")
        }
        return limit
    }
}
