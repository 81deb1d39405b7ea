import CRMSyncDatabase
import CRMSyncSupport
import Foundation
import Hummingbird

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

        init(_ record: ConflictStore.Record) throws {
            let decoder = JSONCoding.decoder()
            self.id = record.id.lowercased
            self.accountID = record.accountID.lowercased
            self.appointmentID = record.appointmentID.lowercased
            self.crm = try decoder.decode(JSONValue.self, from: Data(record.crmSnapshotJSON.utf8))
            self.calendar = try decoder.decode(JSONValue.self, from: Data(record.remoteSnapshotJSON.utf8))
            self.detectedAt = record.detectedAt
            self.resolution = record.resolution
            self.resolvedAt = record.resolvedAt
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
        guard let state = ConflictStore.State(rawValue: query.get("status") ?? "open") else {
            throw APIError.badRequest("invalid_parameter", "status must be open, resolved or all")
        }
        let limit = try query.limit(default: 100, maximum: 500)
        let conflicts = try await ConflictStore(database: self.dependencies.database)
            .list(account: account, state: state, limit: limit, for: identity).map(ConflictView.init)
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
        // Only the caller's own conflicts (an admin may read others', but not resolve them).
        let outcome: ConflictStore.Resolution
        do {
            outcome = try await ConflictStore(database: self.dependencies.database)
                .resolve(id, keep: resolution.keep == .crm ? .crm : .calendar, for: identity)
        } catch DatabaseError.notFound {
            throw APIError.notFound("conflict")
        }
        switch outcome {
        case .resolved(let record):
            return try JSONCoding.response(try ConflictView(record))
        case .alreadyResolved:
            throw APIError.conflict("already_resolved", "the conflict has already been resolved")
        }
    }
}
