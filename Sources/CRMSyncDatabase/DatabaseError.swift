import PostgresClient

/// What went wrong in the database, said once: the stores throw this, never a bare
/// `PostgresError`, so callers switch on a meaning instead of a SQLSTATE.
///
/// `description` stays generic (no bind value, no secret); `debugDescription` carries the
/// server's detail for logs.
public enum DatabaseError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The database could not be reached, or the connection broke: try again later.
    case unavailable(PostgresError)
    /// The transaction collided with another (serialization failure, deadlock, lock not
    /// available): running it again may well succeed.
    case retryable(PostgresError)
    /// Nothing of that name is visible to this identity (never existed, or another tenant's).
    case notFound(String)
    /// A policy or a function's own check refused this identity (42501).
    case refused(PostgresError)
    /// A value was not accepted (class 22, not-null or check violations).
    case invalidValue(PostgresError)
    /// An object with the same identity already exists (23505).
    case alreadyExists(PostgresError)
    /// A limit the schema enforces was reached (54000).
    case limitExceeded(PostgresError)
    /// The object is not in a state that allows this (55000).
    case wrongState(PostgresError)
    /// The transaction holds no encryption key (CSK01).
    case secretKeyMissing
    /// The secret was encrypted with another key than this process holds (CSK02).
    case secretKeyMismatch
    /// The encryption key is too short (CSK03).
    case secretKeyTooShort
    /// A key rotation without a distinct old key (CSK04).
    case rotationKeyMissing
    /// Anything else: a bug or an unexpected server condition.
    case failed(PostgresError)

    /// Classifies `error`: a `PostgresError` becomes its meaning; anything else is nil.
    public init?(classifying error: any Error) {
        guard let error = error as? PostgresError else { return nil }
        self.init(error)
    }

    init(_ error: PostgresError) {
        switch error.kind {
        case .connection, .connectionLost, .pool:
            self = .unavailable(error)
            return
        case .server, .decoding, .invalidParameter:
            break
        }
        switch error.code {
        case .serializationFailure?, .deadlockDetected?, .lockNotAvailable?: self = .retryable(error)
        case .noDataFound?: self = .notFound(error.message)
        case .insufficientPrivilege?: self = .refused(error)
        case .checkViolation?, .notNullViolation?: self = .invalidValue(error)
        case let code? where code.isDataException: self = .invalidValue(error)
        case .uniqueViolation?: self = .alreadyExists(error)
        case .programLimitExceeded?: self = .limitExceeded(error)
        case .objectNotInPrerequisiteState?: self = .wrongState(error)
        case .secretKeyMissing?: self = .secretKeyMissing
        case .secretKeyMismatch?: self = .secretKeyMismatch
        case .secretKeyTooShort?: self = .secretKeyTooShort
        case .rotationKeyMissing?: self = .rotationKeyMissing
        default: self = .failed(error)
        }
    }

    /// A result the schema should never produce (a function returned nothing, an unknown value).
    static func unexpected(_ message: String, file: String = #fileID, line: Int = #line) -> DatabaseError {
        .failed(PostgresError(.decoding, message: message, file: file, line: line))
    }

    /// `error` as a `DatabaseError` when it came from Postgres; unchanged otherwise.
    static func wrapping(_ error: any Error) -> any Error {
        DatabaseError(classifying: error) ?? error
    }

    /// The database error underneath, when there is one.
    public var underlying: PostgresError? {
        switch self {
        case .unavailable(let error), .retryable(let error), .refused(let error), .invalidValue(let error),
            .alreadyExists(let error), .limitExceeded(let error), .wrongState(let error), .failed(let error):
            error
        case .notFound, .secretKeyMissing, .secretKeyMismatch, .secretKeyTooShort, .rotationKeyMissing:
            nil
        }
    }

    /// True when running the same work again may succeed.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .retryable: true
        default: false
        }
    }

    /// True when the server refused the statement itself while the connection stayed fine,
    /// so another statement (a smaller batch, say) may succeed.
    public var isStatementError: Bool {
        switch self {
        case .unavailable: false
        case .failed(let error): error.kind == .server
        default: true
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let error): "the database is unavailable: \(error)"
        case .retryable(let error): "the transaction collided with another; retry it: \(error)"
        case .notFound(let what): "not found: \(what)"
        case .refused(let error): "refused by the database: \(error)"
        case .invalidValue(let error): "a value was not accepted: \(error)"
        case .alreadyExists(let error): "already exists: \(error)"
        case .limitExceeded(let error): "a limit was reached: \(error)"
        case .wrongState(let error): "not in a state that allows this: \(error)"
        case .secretKeyMissing: "no encryption key in this transaction (CRMSYNC_TOKEN_KEY)"
        case .secretKeyMismatch: "the secrets were encrypted with another key than CRMSYNC_TOKEN_KEY"
        case .secretKeyTooShort: "the encryption key is too short"
        case .rotationKeyMissing: "a key rotation needs the old key, distinct from the new one"
        case .failed(let error): "database error: \(error)"
        }
    }

    public var debugDescription: String {
        guard let underlying = self.underlying else { return self.description }
        return "\(self.description) [\(underlying.debugDescription)]"
    }
}
