import Foundation
import PostgresClient

/// The row-level security report of `policies/audit.sql`, run as it is.
///
/// The same file is what a DBA pastes into psql; here we only run it and read the
/// `problem` column, so the two can never disagree.
public struct PolicyAudit: Sendable {
    /// One line of the report.
    public struct Finding: Sendable {
        public var tableName: String?
        public var rlsEnabled: Bool?
        public var rlsForced: Bool?
        public var item: String
        public var name: String?
        public var command: String?
        public var roles: String?
        public var expression: String?
        public var problem: String?
    }

    public var findings: [Finding]

    /// The lines that name a problem.
    public var problems: [Finding] { self.findings.filter { $0.problem != nil } }

    public static func load(root: URL) throws(MigrationError) -> String {
        let path = root.appendingPathComponent("policies/audit.sql").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable("policies/audit.sql") }
        return text
    }

    public static func run(_ query: String, on connection: PostgresConnection) async throws -> PolicyAudit {
        let rows = try await connection.execute(query)
        let findings = try rows.rows.map { row in
            Finding(
                tableName: try row.decode(String?.self, column: "table_name"),
                rlsEnabled: try row.decode(Bool?.self, column: "rls_enabled"),
                rlsForced: try row.decode(Bool?.self, column: "rls_forced"),
                item: try row.decode(String.self, column: "item"),
                name: try row.decode(String?.self, column: "name"),
                command: try row.decode(String?.self, column: "command"),
                roles: try row.decode(String?.self, column: "roles"),
                expression: try row.decode(String?.self, column: "expression"),
                problem: try row.decode(String?.self, column: "problem"))
        }
        return PolicyAudit(findings: findings)
    }
}
