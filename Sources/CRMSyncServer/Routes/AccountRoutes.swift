import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import Hummingbird
import PostgresClient

/// `/v1/calendar/accounts…`: list, show, change settings, ask for a sync, read the sync log.
///
/// Every query runs in the caller's session; the policies decide which rows exist for them.
/// An account that is not theirs (another user's, another organization's) is a 404.
struct AccountRoutes: Sendable {
    let dependencies: ServerDependencies

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
        let accounts = try await self.dependencies.database.withSession(identity) { connection in
            // Only the caller's own accounts: an admin's wider read is for the monitoring views.
            try await connection.query(
                """
                select \(unescaped: AccountView.columns) from public.calendar_accounts a
                 where a.user_id = auth.uid() and a.organization_id = private.current_org_id()
                 order by a.created_at, a.id
                """
            ).rows.map(AccountView.init(row:))
        }
        return try JSONCoding.response(AccountList(accounts: accounts))
    }

    @Sendable func show(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("account")
        let account = try await self.dependencies.database.withSession(identity) { connection in
            try await Self.account(id, on: connection)
        }
        return try JSONCoding.response(account)
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
        if let calendar = change.calendarID, calendar.trimmingCharacters(in: .whitespaces).isEmpty || calendar.count > 1024 {
            throw APIError.badRequest("invalid_field", "calendar_id must be 1 to 1024 characters")
        }
        let account = try await self.dependencies.database.withSession(identity) { connection in
            try await connection.query(
                """
                select public.update_calendar_account_settings(
                  \(id), \(change.syncEnabled), \(change.conflictStrategy?.rawValue), \(change.calendarID))
                """)
            return try await Self.account(id, on: connection)
        }
        return try JSONCoding.response(account)
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
        let requestedAt = try await self.dependencies.database.withSession(identity) { connection in
            let account = try await Self.account(id, on: connection)
            guard account.syncEnabled, account.status != .needsReconnection, account.status != .disconnected else {
                throw APIError.conflict(
                    "account_not_syncable", "the account is \(account.syncEnabled ? account.status.rawValue : "paused (sync_enabled is false)")")
            }
            try await connection.query("select public.request_calendar_sync(\(id))")
            return try await connection.query("select now()").first!.decode(Date.self, at: 0)
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
        let entries = try await self.dependencies.database.withSession(identity) { connection in
            _ = try await Self.account(id, on: connection)
            return try await connection.query(
                """
                select l.id, l.sync_type, l.sync_direction, l.status, l.events_imported, l.events_exported,
                       l.events_updated, l.events_deleted, l.errors, l.error_details::text, l.started_at, l.completed_at
                  from public.calendar_sync_log l
                 where l.calendar_account_id = \(id)
                 order by l.started_at desc, l.id
                 limit \(limit)
                """
            ).rows.map { row in
                SyncLogEntry(
                    id: try row.decode(UUID.self, at: 0).lowercased, syncType: try row.decode(String.self, at: 1),
                    direction: try row.decode(String.self, at: 2), status: try row.decode(String.self, at: 3),
                    imported: try row.decode(Int.self, at: 4), exported: try row.decode(Int.self, at: 5),
                    updated: try row.decode(Int.self, at: 6), deleted: try row.decode(Int.self, at: 7),
                    errors: try row.decode(Int.self, at: 8),
                    errorDetails: try JSONCoding.decoder().decode(JSONValue.self, from: Data(try row.decode(String.self, at: 9).utf8)),
                    startedAt: try row.decode(Date.self, at: 10), completedAt: try row.decode(Date?.self, at: 11))
            }
        }
        return try JSONCoding.response(SyncLog(entries: entries))
    }

    /// The caller's own account `id` in the active organization, or a 404.
    static func account(_ id: UUID, on connection: PostgresConnection) async throws -> AccountView {
        let rows = try await connection.query(
            """
            select \(unescaped: AccountView.columns) from public.calendar_accounts a
             where a.id = \(id) and a.user_id = auth.uid() and a.organization_id = private.current_org_id()
            """)
        guard let row = rows.first else { throw APIError.notFound("calendar account") }
        return try AccountView(row: row)
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
