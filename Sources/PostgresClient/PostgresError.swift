/// An error from Postgres or from talking to it.
///
/// `description` stays generic enough to show an end user: it never contains bind values,
/// connection passwords or secrets. `debugDescription` adds the server's detail and hint and the
/// query text (with `$n` placeholders, never the values).
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, in broad strokes.
    public enum Kind: String, Sendable {
        /// The connection could not be opened (bad URL, unreachable server, authentication).
        case connection
        /// The server rejected a statement; `code` holds the SQLSTATE.
        case server
        /// The connection broke while a statement ran.
        case connectionLost
        /// A value in a result could not be decoded into the requested Swift type.
        case decoding
        /// The pool is closed or its wait timed out.
        case pool
        /// A bound value the client refuses to send (text with a NUL byte); nothing was sent.
        case invalidParameter
    }

    public var kind: Kind
    /// The SQLSTATE reported by the server, if any.
    public var code: Code?
    /// The server's primary message, or our own explanation.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The statement text with `$n` placeholders; never the bound values.
    public var query: String?
    public var file: String
    public var line: Int

    public init(
        _ kind: Kind, code: Code? = nil, message: String, detail: String? = nil, hint: String? = nil,
        query: String? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint
        self.query = query
        self.file = file
        self.line = line
    }

    public var description: String {
        guard let code = self.code else { return self.message }
        // Data exceptions (class 22) quote the offending input, which may be a bound secret.
        if code.isDataException {
            return "invalid data value (SQLSTATE \(code.rawValue))"
        }
        return "\(self.message) (SQLSTATE \(code.rawValue))"
    }

    public var debugDescription: String {
        var parts = [self.code.map { "\(self.message) (SQLSTATE \($0.rawValue))" } ?? self.message]
        if let detail = self.detail { parts.append("detail: \(detail)") }
        if let hint = self.hint { parts.append("hint: \(hint)") }
        if let query = self.query { parts.append("query: \(query)") }
        parts.append("at \(self.file):\(self.line)")
        return parts.joined(separator: "; ")
    }
}

extension PostgresError {
    /// A SQLSTATE code. Open, so codes we do not name still compare and print.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { self.rawValue }

        public static let insufficientPrivilege = Code("42501")
        public static let uniqueViolation = Code("23505")
        public static let foreignKeyViolation = Code("23503")
        public static let checkViolation = Code("23514")
        public static let notNullViolation = Code("23502")
        public static let undefinedTable = Code("42P01")
        public static let undefinedFunction = Code("42883")
        public static let invalidTextRepresentation = Code("22P02")
        /// `character_not_in_repertoire`: also what the client reports for a NUL byte in text.
        public static let characterNotInRepertoire = Code("22021")
        public static let raiseException = Code("P0001")
        /// `no_data_found`: a function found nothing to act on.
        public static let noDataFound = Code("P0002")
        /// `program_limit_exceeded`: a limit the schema enforces (too many of something).
        public static let programLimitExceeded = Code("54000")
        public static let serializationFailure = Code("40001")
        /// A prepared statement's name the server does not know.
        public static let invalidSQLStatementName = Code("26000")
        public static let deadlockDetected = Code("40P01")
        public static let lockNotAvailable = Code("55P03")
        public static let queryCanceled = Code("57014")
        public static let adminShutdown = Code("57P01")
        public static let objectNotInPrerequisiteState = Code("55000")
        /// Class 22 (data exception): a value was not accepted.
        public var isDataException: Bool { self.rawValue.hasPrefix("22") }
        /// Row-level security refused a new row (`new row violates row-level security policy`).
        public static let withCheckOptionViolation = Code("44000")
    }
}
