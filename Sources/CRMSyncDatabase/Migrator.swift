import Foundation
import Logging
import PostgresClient

/// Applies the schema's SQL files, each in its own transaction: pending migrations in number
/// order, then every repeatable file whose text changed since it last ran.
///
/// Both kinds are recorded in `crmsync.schema_migrations` with a SHA-256 of their text; an
/// applied migration whose text changed is refused before anything runs. An advisory lock keeps
/// two migrators from running at once. Runs as the administrator (it creates roles), which need
/// not be a superuser (sql/migrations/010_roles.sql). A file that makes the server warn is
/// rolled back and reported like a failing one.
public struct Migrator: Sendable {
    public let files: [MigrationFile]
    private let logger: Logger

    public init(files: [MigrationFile], logger: Logger = Logger(label: "crmsync.migrate")) {
        self.files = files
        self.logger = logger
    }

    /// What `apply` did.
    public struct Report: Sendable {
        /// Files run, in order: new migrations, then new or changed repeatable files.
        public var applied: [String]
        /// Files already current.
        public var unchanged: Int
        /// Records of a database migrated by the earlier one-folder layout (`sql/NNN_*.sql`),
        /// taken over as the `sql/migrations/` files they became.
        public var adopted: [String] = []
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
            alter table crmsync.schema_migrations
              add column if not exists kind text not null default 'migration' check (kind in ('migration', 'repeatable'));
            select pg_advisory_lock(hashtext('crmsync.migrate'));
            """)
        let unlock = "select pg_advisory_unlock(hashtext('crmsync.migrate'))"
        var report = Report(applied: [], unchanged: 0)
        do {
            report.adopted = try await self.adoptLegacyLayout(on: connection)
            try await self.refuseEditedMigrations(on: connection)
            try await self.refuseInvalidIndexes(on: connection)
            for file in self.files {
                if try await self.applyOne(file, on: connection) {
                    report.applied.append(file.name)
                    self.logger.info("applied", metadata: ["file": "\(file.name)", "kind": "\(file.kind.rawValue)"])
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
        let recorded = try await self.recordedChecksums(on: connection)
        var pending: [String] = []
        for file in self.files where recorded[file.name] != (try await Self.checksum(file, on: connection)) {
            pending.append(file.name)
        }
        return pending
    }

    private func recordedChecksums(on connection: PostgresConnection) async throws -> [String: String] {
        let rows = try await connection.query("select filename, checksum from crmsync.schema_migrations")
        var checksums: [String: String] = [:]
        for row in rows.rows { checksums[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        return checksums
    }

    /// Every applied migration must still have its text: checked for all of them before any
    /// file runs, so a refused upgrade changes nothing.
    private func refuseEditedMigrations(on connection: PostgresConnection) async throws {
        let recorded = try await self.recordedChecksums(on: connection)
        for file in self.files where file.kind == .migration {
            guard let applied = recorded[file.name] else { continue }
            let current = try await Self.checksum(file, on: connection)
            guard applied == current else {
                throw MigrationError.changedAfterApply(file: file.name, applied: applied, current: current)
            }
        }
    }

    /// An index on crmsync's tables left invalid by a concurrent build (docs/deployment.md,
    /// "Upgrading a big database") would be taken as built by a migration's `create index if not
    /// exists` and then never used: refused, with the way out, before any file runs.
    private func refuseInvalidIndexes(on connection: PostgresConnection) async throws {
        let invalid = try await connection.query(
            """
            select i.indexrelid::regclass::text, i.indrelid::regclass::text
              from pg_catalog.pg_index i
              join pg_catalog.pg_class t on t.oid = i.indrelid
             where not i.indisvalid and t.relowner = (select oid from pg_catalog.pg_roles where rolname = 'crmsync_owner')
             order by 1
            """)
        if let first = invalid.first {
            throw MigrationError.invalidIndex(index: try first.decode(String.self, at: 0), table: try first.decode(String.self, at: 1))
        }
    }

    /// A database migrated before functions, views and triggers got files of their own records
    /// `sql/NNN_name.sql`. Those migrations became `sql/migrations/NNN_name.sql` minus the
    /// objects that moved to repeatable files (or vanished, when nothing else was in them): the
    /// records are renamed to what the files are now, and the repeatable files then run once,
    /// bringing every function, view, trigger and policy to its current text.
    private func adoptLegacyLayout(on connection: PostgresConnection) async throws -> [String] {
        try await connection.transaction { connection in
            let legacy = try await connection.query(
                "select filename from crmsync.schema_migrations where filename ~ '^sql/[0-9]+_[^/]+[.]sql$' order by filename")
            guard !legacy.rows.isEmpty else { return [] }
            let migrations = Dictionary(
                uniqueKeysWithValues: self.files.filter { $0.kind == .migration }.map { ($0.name, $0) })
            var adopted: [String] = []
            for row in legacy.rows {
                let old = try row.decode(String.self, at: 0)
                let new = "sql/migrations/" + old.dropFirst("sql/".count)
                if let file = migrations[new] {
                    let checksum = try await Self.checksum(file, on: connection)
                    try await connection.query(
                        """
                        update crmsync.schema_migrations set filename = \(new), checksum = \(checksum), kind = 'migration'
                         where filename = \(old)
                        """)
                } else {
                    try await connection.query("delete from crmsync.schema_migrations where filename = \(old)")
                }
                adopted.append(old)
            }
            // Policy files were recorded like migrations; they are repeatable now. Records of
            // files that were folded into others go: their text runs in the file they joined.
            let repeatables = self.files.filter { $0.kind == .repeatable }.map(\.name)
            try await connection.query(
                """
                delete from crmsync.schema_migrations
                 where filename like 'policies/%' and filename <> all (\(repeatables)::text[])
                """)
            try await connection.query(
                "update crmsync.schema_migrations set kind = 'repeatable' where filename like 'policies/%'")
            self.logger.info("adopted the one-folder layout", metadata: ["records": "\(adopted.count)"])
            return adopted
        }
    }

    private func applyOne(_ file: MigrationFile, on connection: PostgresConnection) async throws -> Bool {
        try await connection.transaction { connection in
            let current = try await Self.checksum(file, on: connection)
            let recorded = try await connection.query(
                "select checksum from crmsync.schema_migrations where filename = \(file.name)")
            if let applied = try recorded.first?.decode(String.self, at: 0) {
                if applied == current { return false }
                if file.kind == .migration {
                    throw MigrationError.changedAfterApply(file: file.name, applied: applied, current: current)
                }
            }
            // A function may call one whose file sorts after it: bodies are checked when they
            // run, as pg_dump's restore does it.
            if file.kind == .repeatable { try await connection.execute("set local check_function_bodies = off") }
            _ = connection.takeWarnings()
            do {
                try await connection.execute(file.contents)
            } catch let error as PostgresError {
                throw MigrationError.failed(file: file.name, reason: error.description + (error.hint.map { ". \($0)" } ?? ""))
            }
            // A warning such as "no privileges were granted" means the file did not do what it
            // says: roll it back rather than record it as applied.
            let warnings = connection.takeWarnings()
            guard warnings.isEmpty else {
                throw MigrationError.failed(file: file.name, reason: "the server warned: " + warnings.joined(separator: "; "))
            }
            try await connection.execute("reset role")
            try await connection.query(
                """
                insert into crmsync.schema_migrations (filename, checksum, kind)
                values (\(file.name), \(current), \(file.kind.rawValue))
                on conflict (filename) do update set checksum = excluded.checksum, kind = excluded.kind, applied_at = now()
                """)
            return true
        }
    }

    private static func checksum(_ file: MigrationFile, on connection: PostgresConnection) async throws -> String {
        let row = try await connection.query("select encode(sha256(convert_to(\(file.contents), 'UTF8')), 'hex')")
        return try row.first?.decode(String.self, at: 0) ?? ""
    }
}
