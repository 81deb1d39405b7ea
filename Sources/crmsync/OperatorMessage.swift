import CRMSyncDatabase
import Foundation
import PostgresClient

/// The one sentence an operator reads for an error. Most errors describe themselves; the
/// database's own words are translated where they would send an operator searching: a schema
/// or role that is not there yet means `crmsync migrate` has not run, and a refused identity
/// (SQLSTATE 42501) means the user is not a member of the organization (or the object is not
/// theirs). Like the errors' own descriptions, it carries no bind value and no secret.
enum OperatorMessage {
    static func describe(_ error: any Error) -> String {
        let database = error as? DatabaseError ?? DatabaseError(classifying: error)
        if case .refused? = database {
            return "refused: the user is not a member of the organization, or the object is not theirs"
        }
        guard let postgres = database?.underlying ?? (error as? PostgresError) else { return "\(error)" }
        if postgres.kind == .connection, let role = Self.missingRole(in: postgres.message) {
            return "the database has no role \"\(role)\" yet: run `crmsync migrate` first (it creates the roles)"
        }
        if postgres.kind == .server, let code = postgres.code, Self.schemaMissing.contains(code) {
            return "the database is not migrated to this version of crmsync (\(postgres.message)): run `crmsync migrate` first"
        }
        return "\(error)"
    }

    /// Undefined table, function or schema: the objects `crmsync migrate` creates.
    static let schemaMissing: Set<PostgresError.Code> = [
        .undefinedTable, .undefinedFunction, PostgresError.Code("3F000"),
    ]

    /// `role "crmsync_app" does not exist` (libpq's FATAL at login) → `crmsync_app`.
    static func missingRole(in message: String) -> String? {
        guard let start = message.range(of: "role \""),
            let end = message[start.upperBound...].range(of: "\" does not exist")
        else { return nil }
        return String(message[start.upperBound..<end.lowerBound])
    }
}
