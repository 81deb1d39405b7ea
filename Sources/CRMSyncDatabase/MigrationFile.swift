import Foundation

/// One SQL file of the schema, named by its path relative to the project root.
public struct MigrationFile: Sendable, Hashable {
    /// `sql/100_organizations.sql`, `policies/appointments.sql`, …
    public var name: String
    public var contents: String

    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }

    /// `sql/*.sql`, then `policies/*.sql`, each folder in file-name order.
    /// `policies/audit.sql` is a report, not a migration, and is left out.
    public static func load(root: URL) throws(MigrationError) -> [MigrationFile] {
        var files: [MigrationFile] = []
        for folder in ["sql", "policies"] {
            let directory = root.appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
                throw .missingFolder(directory.path)
            }
            for name in names.sorted() where name.hasSuffix(".sql") && !(folder == "policies" && name == "audit.sql") {
                let path = directory.appendingPathComponent(name).path
                guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw .unreadable("\(folder)/\(name)")
                }
                files.append(MigrationFile(name: "\(folder)/\(name)", contents: contents))
            }
        }
        return files
    }
}

/// Why migrations stopped.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case missingFolder(String)
    case unreadable(String)
    /// An applied file was edited afterwards: schema changes go in a new file.
    case changedAfterApply(file: String, applied: String, current: String)
    /// A file failed; the transaction of that file was rolled back.
    case failed(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingFolder(let path):
            "no migrations folder at \(path) (run from the project root or pass --root)"
        case .unreadable(let file):
            "cannot read \(file)"
        case .changedAfterApply(let file, let applied, let current):
            "\(file) was changed after it was applied (checksum \(applied.prefix(12)) applied, "
                + "\(current.prefix(12)) now); put schema changes in a new file instead"
        case .failed(let file, let reason):
            "\(file) failed and was rolled back: \(reason)"
        }
    }
}
