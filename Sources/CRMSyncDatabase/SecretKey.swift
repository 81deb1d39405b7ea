import Foundation

/// The key pgcrypto encrypts tokens and passwords with.
///
/// It never goes into the database: the service reads it from its environment or a key file
/// and hands it, as a bind parameter, only to the transactions that encrypt or decrypt.
public struct SecretKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Shorter keys are refused here and by the SQL functions alike.
    public static let minimumLength = 32

    let value: String

    public init(_ value: String) throws(SecretKeyError) {
        guard value.count >= Self.minimumLength else { throw .tooShort(minimum: Self.minimumLength) }
        self.value = value
    }

    /// `CRMSYNC_TOKEN_KEY`, or the first line of the file named by `CRMSYNC_TOKEN_KEY_FILE`.
    /// `nil` when neither is set.
    public static func fromEnvironment(
        _ environment: [String: String], variable: String = "CRMSYNC_TOKEN_KEY"
    ) throws(SecretKeyError) -> SecretKey? {
        if let value = environment[variable], !value.isEmpty {
            return try SecretKey(value)
        }
        guard let path = environment["\(variable)_FILE"], !path.isEmpty else { return nil }
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .unreadableFile(path: path)
        }
        let firstLine = contents.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return try SecretKey(firstLine.trimmingCharacters(in: .whitespaces))
    }

    /// Never the key itself.
    public var description: String { "SecretKey(****)" }
    public var debugDescription: String { self.description }
}

/// Why a secret key was refused.
public enum SecretKeyError: Error, Sendable, CustomStringConvertible {
    case tooShort(minimum: Int)
    case unreadableFile(path: String)
    case missing(variable: String)

    public var description: String {
        switch self {
        case .tooShort(let minimum):
            "the token encryption key must be at least \(minimum) characters long"
        case .unreadableFile(let path):
            "cannot read the token encryption key file \(path)"
        case .missing(let variable):
            "no token encryption key: set \(variable) or \(variable)_FILE"
        }
    }
}
