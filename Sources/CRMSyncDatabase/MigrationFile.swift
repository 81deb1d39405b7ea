import Foundation

/// One SQL file of the schema, named by its path relative to the project root.
///
/// Two kinds, as in Flyway: a *migration* (`sql/migrations/NNN_name.sql`: roles, tables,
/// columns, indexes, data moves) runs once and may never change afterwards; a *repeatable*
/// file (`sql/functions`, `sql/views`, `sql/triggers`, `policies`) holds the one current text
/// of its objects and runs again whenever that text changes, always after the migrations.
public struct MigrationFile: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case migration
        case repeatable
    }

    /// `sql/migrations/050_organizations.sql`, `sql/functions/private.current_org_id.sql`, …
    public var name: String
    public var contents: String
    public var kind: Kind

    public init(name: String, contents: String, kind: Kind = .migration) {
        self.name = name
        self.contents = contents
        self.kind = kind
    }

    /// The folders in the order they are applied. Functions come before views, triggers and
    /// policies, which refer to them; among functions the order does not matter (their bodies
    /// are checked when they run, see `Migrator`).
    public static let folders: [(path: String, kind: Kind)] = [
        ("sql/migrations", .migration),
        ("sql/functions", .repeatable),
        ("sql/views", .repeatable),
        ("sql/triggers", .repeatable),
        ("policies", .repeatable),
    ]

    /// Every folder of `folders`, each in file-name order. `policies/audit.sql` is a report,
    /// not part of the schema, and is left out.
    public static func load(root: URL) throws(MigrationError) -> [MigrationFile] {
        var files: [MigrationFile] = []
        for (folder, kind) in self.folders {
            let directory = root.appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
                throw .missingFolder(directory.path)
            }
            for name in names.sorted() where name.hasSuffix(".sql") && !(folder == "policies" && name == "audit.sql") {
                let path = directory.appendingPathComponent(name).path
                guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw .unreadable("\(folder)/\(name)")
                }
                files.append(MigrationFile(name: "\(folder)/\(name)", contents: contents, kind: kind))
            }
        }
        return files
    }
}

/// Why migrations stopped.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case missingFolder(String)
    case unreadable(String)
    /// An applied migration was edited afterwards: schema changes go in a new migration.
    case changedAfterApply(file: String, applied: String, current: String)
    /// A file failed; the transaction of that file was rolled back.
    case failed(file: String, reason: String)
    /// An index on a crmsync table is invalid (a concurrent build that failed or still runs): a
    /// migration's `create index if not exists` of that name would take it as built.
    case invalidIndex(index: String, table: String)

    public var description: String {
        switch self {
        case .missingFolder(let path):
            "no migrations folder at \(path) (run from the project root or pass --root)"
        case .unreadable(let file):
            "cannot read \(file)"
        case .changedAfterApply(let file, let applied, let current):
            "\(file) was changed after it was applied (checksum \(applied.prefix(12)) applied, "
                + "\(current.prefix(12)) now); put schema changes in a new migration instead"
        case .failed(let file, let reason):
            "\(file) failed and was rolled back: \(reason)"
        case .invalidIndex(let index, let table):
            "index \(index) on \(table) is invalid (a CREATE INDEX CONCURRENTLY that failed or is still running): "
                + "let its build finish, or drop it (drop index concurrently \(index)) and build it again, then migrate"
        }
    }
}
