import CRMSyncDatabase
import Foundation

/// `pg_dump --schema-only` of a scratch database, for comparing two ways of building one.
extension TestDatabase {
    /// The schema as pg_dump prints it, less crmsync's own bookkeeping (the migrations table)
    /// and the per-run `\restrict` keys newer pg_dumps print.
    public func schemaDump() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted()
        let program = versions?.last.map { "/usr/lib/postgresql/\($0)/bin/pg_dump" } ?? "/usr/bin/pg_dump"
        let output = try Self.runTool(
            program,
            ["--no-password", "--schema-only", "--exclude-schema=crmsync", "--dbname=\(try self.admin.conninfoString())"])
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
    }

    /// The whole database, data included, as pg_dump prints it (secrets must not show in it).
    public func fullDump() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted()
        let program = versions?.last.map { "/usr/lib/postgresql/\($0)/bin/pg_dump" } ?? "/usr/bin/pg_dump"
        return try Self.runTool(program, ["--no-password", "--dbname=\(try self.admin.conninfoString())"])
    }

    /// The schema files of an earlier commit of this repository (`git archive`), loaded the way
    /// the migrator of that time loaded them: `sql/*.sql`, then `policies/*.sql`, all migrations.
    public static func legacySchemaFiles(commit: String) throws -> [MigrationFile] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try self.runTool(
            "/bin/sh",
            ["-c", "git -C \"$1\" archive \"$2\" sql policies | tar -x -C \"$3\"", "sh", self.projectRoot.path, commit, folder.path])
        var files: [MigrationFile] = []
        for sub in ["sql", "policies"] {
            let directory = folder.appendingPathComponent(sub)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            where name.hasSuffix(".sql") && name != "audit.sql" {
                let contents = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                files.append(MigrationFile(name: "\(sub)/\(name)", contents: contents))
            }
        }
        return files
    }

    private static func runTool(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("\(program) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
