import Foundation
import Logging
import PostgresClient

/// Applies the schema's SQL files, each once, each in its own transaction.
///
/// Applied files are recorded in `crmsync.schema_migrations` with a SHA-256 of their text;
/// an applied file whose text changed is refused. An advisory lock keeps two migrators from
/// running at once. Runs as the administrator (it creates roles).
public struct Migrator: Sendable {
    public let files: [MigrationFile]
    private let logger: Logger

    public init(files: [MigrationFile], logger: Logger = Logger(label: "crmsync.migrate")) {
        self.files = files
        self.logger = logger
    }

    /// What `apply` did.
    public struct Report: Sendable {
        public var applied: [String]
        public var unchanged: Int
    }

    public func apply(on connection: PostgresConnection) async throws -> Report {
        try await connection.execute(
            """
            create schema if not exists crmsync;
            comment on schema crmsync is 'crmsync''s own bookkeeping (migrations); not exposed to tenants';
            create table if not exists crmsync.schema_migrations (
                filename text primary key,
                checksum text not null,
                applied_at timestamptz not null default now()
            );
            select pg_advisory_lock(hashtext('crmsync.migrate'));
            """)
        let unlock = "select pg_advisory_unlock(hashtext('crmsync.migrate'))"
        var report = Report(applied: [], unchanged: 0)
        do {
            for file in self.files {
                if try await self.applyOne(file, on: connection) {
                    report.applied.append(file.name)
                    self.logger.info("applied migration", metadata: ["file": "\(file.name)"])
                } else {
                    report.unchanged += 1
                }
            }
        } catch {
            _ = try? await connection.execute(unlock)
            throw error
        }
        try await connection.execute(unlock)
        return report
    }

    /// Files not yet applied (or changed since); empty when the schema is current.
    public func pending(on connection: PostgresConnection) async throws -> [String] {
        let exists = try await connection.query("select to_regclass('crmsync.schema_migrations') is not null")
        guard try exists.first?.decode(Bool.self, at: 0) == true else { return self.files.map(\.name) }
        let applied = try await connection.query(
            "select filename, checksum from crmsync.schema_migrations")
        var checksums: [String: String] = [:]
        for row in applied.rows { checksums[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        var pending: [String] = []
        for file in self.files where checksums[file.name] != (try await Self.checksum(file, on: connection)) {
            pending.append(file.name)
        }
        return pending
    }

    private func applyOne(_ file: MigrationFile, on connection: PostgresConnection) async throws -> Bool {
        try await connection.transaction { connection in
            let current = try await Self.checksum(file, on: connection)
            let recorded = try await connection.query(
                "select checksum from crmsync.schema_migrations where filename = \(file.name)")
            if let applied = try recorded.first?.decode(String.self, at: 0) {
                guard applied == current else {
                    throw MigrationError.changedAfterApply(file: file.name, applied: applied, current: current)
                }
                return false
            }
            do {
                try await connection.execute(file.contents)
            } catch let error as PostgresError {
                throw MigrationError.failed(file: file.name, reason: error.description)
            }
            try await connection.execute("reset role")
            try await connection.query(
                "insert into crmsync.schema_migrations (filename, checksum) values (\(file.name), \(current))")
            return true
        }
    }

    private static func checksum(_ file: MigrationFile, on connection: PostgresConnection) async throws -> String {
        let row = try await connection.query("select encode(sha256(convert_to(\(file.contents), 'UTF8')), 'hex')")
        return try row.first?.decode(String.self, at: 0) ?? ""
    }
}
