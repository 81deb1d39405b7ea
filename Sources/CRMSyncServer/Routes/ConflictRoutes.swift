import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import Hummingbird
import PostgresClient

/// `/v1/calendar/conflicts…`: the caller's open (or resolved) conflicts, and resolving one
/// through `public.resolve_calendar_conflict`, after which the chosen version syncs.
struct ConflictRoutes: Sendable {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerRequestContext>) {
        group.get("calendar/conflicts", use: self.list)
        group.post("calendar/conflicts/:conflict/resolve", use: self.resolve)
    }

    struct ConflictView: Encodable {
        /// Lowercase, as Postgres prints it.
    var id: String
        var accountID: String
        var appointmentID: String
        var crm: JSONValue
        var calendar: JSONValue
        var detectedAt: Date
        var resolution: String?
        var resolvedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, crm, calendar, resolution
            case accountID = "account_id"
            case appointmentID = "appointment_id"
            case detectedAt = "detected_at"
            case resolvedAt = "resolved_at"
        }

        static let columns = """
            c.id, c.calendar_account_id, c.appointment_id, c.crm_snapshot::text, c.remote_snapshot::text,
            c.detected_at, c.resolution, c.resolved_at
            """

        init(row: PostgresRow) throws {
            let decoder = JSONCoding.decoder()
            self.id = try row.decode(UUID.self, at: 0).lowercased
            self.accountID = try row.decode(UUID.self, at: 1).lowercased
            self.appointmentID = try row.decode(UUID.self, at: 2).lowercased
            self.crm = try decoder.decode(JSONValue.self, from: Data(try row.decode(String.self, at: 3).utf8))
            self.calendar = try decoder.decode(JSONValue.self, from: Data(try row.decode(String.self, at: 4).utf8))
            self.detectedAt = try row.decode(Date.self, at: 5)
            self.resolution = try row.decode(String?.self, at: 6)
            self.resolvedAt = try row.decode(Date?.self, at: 7)
        }
    }

    struct ConflictList: Encodable {
        var conflicts: [ConflictView]
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let account: UUID?
        if let text = query.get("account_id") {
            guard let id = UUID(uuidString: text) else { throw APIError.badRequest("invalid_parameter", "account_id must be a uuid") }
            account = id
        } else {
            account = nil
        }
        let state = query.get("status") ?? "open"
        guard ["open", "resolved", "all"].contains(state) else {
            throw APIError.badRequest("invalid_parameter", "status must be open, resolved or all")
        }
        let limit = try query.limit(default: 100, maximum: 500)
        let conflicts = try await self.dependencies.database.withSession(identity) { connection in
            try await connection.query(
                """
                select \(unescaped: ConflictView.columns)
                  from public.calendar_conflicts c
                  join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
                 where a.user_id = auth.uid() and c.organization_id = private.current_org_id()
                   and (\(account)::uuid is null or c.calendar_account_id = \(account))
                   and (\(state) = 'all' or (c.resolved_at is null) = (\(state) = 'open'))
                 order by c.detected_at desc, c.id
                 limit \(limit)
                """
            ).rows.map(ConflictView.init(row:))
        }
        return try JSONCoding.response(ConflictList(conflicts: conflicts))
    }

    struct Resolution: JSONRequestBody {
        static let fields: Set<String> = ["keep"]
        var keep: Keep

        enum Keep: String, Decodable, Sendable {
            case crm, calendar
        }
    }

    @Sendable func resolve(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.requireUUID("conflict")
        var request = request
        let resolution = try await request.decodeJSONBody(Resolution.self, maxBytes: self.dependencies.configuration.maxBodyBytes)
        let conflict = try await self.dependencies.database.withSession(identity) { connection in
            // Only the caller's own conflicts (an admin may read others', but not resolve them).
            let existing = try await connection.query(
                """
                select c.resolved_at is not null
                  from public.calendar_conflicts c
                  join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
                 where c.id = \(id) and a.user_id = auth.uid() and c.organization_id = private.current_org_id()
                """)
            guard let row = existing.first else { throw APIError.notFound("conflict") }
            if try row.decode(Bool.self, at: 0) {
                throw APIError.conflict("already_resolved", "the conflict has already been resolved")
            }
            try await connection.query(
                "select public.resolve_calendar_conflict(\(id), \(resolution.keep == .crm ? "keep_crm" : "keep_calendar"))")
            let rows = try await connection.query(
                "select \(unescaped: ConflictView.columns) from public.calendar_conflicts c where c.id = \(id)")
            guard let row = rows.first else { throw APIError.notFound("conflict") }
            return try ConflictView(row: row)
        }
        return try JSONCoding.response(conflict)
    }
}
