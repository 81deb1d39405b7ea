import CLibPQ
import Dispatch
import Foundation
import Logging
import Synchronization

/// One libpq connection.
///
/// Every libpq call is blocking, so each connection owns a serial dispatch queue and runs
/// them there, never on Swift's cooperative thread pool; callers simply `await`.
/// `@unchecked Sendable` is safe because the `PGconn` handle is touched only on that queue
/// (and in `deinit`, when nobody else can hold a reference).
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let queue: DispatchQueue
    let logger: Logger
    private let statistics: StatementStatistics?
    private let counters = Mutex(Counters())
    private let warnings: WarningCollector
    /// Statement text → the name it was prepared under on this connection (`queryPrepared`).
    let preparedNames = Mutex([String: String]())
    /// `PostgresConfiguration.preparesStatements` of the connection.
    let preparesStatements: Bool

    private struct Counters {
        var roundTrips = 0
        var broken = false
        /// Whether the last statement left the connection idle (not inside a transaction).
        var idle = true
    }

    private init(
        handle: OpaquePointer, queue: DispatchQueue, logger: Logger, statistics: StatementStatistics?, preparesStatements: Bool
    ) {
        self.handle = handle
        self.preparesStatements = preparesStatements
        self.queue = queue
        self.logger = logger
        self.statistics = statistics
        self.warnings = WarningCollector(logger: logger)
        // Server warnings ("no privileges were granted", …) are kept for `takeWarnings()` and
        // logged, instead of libpq printing them to stderr where nobody acts on them.
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            Unmanaged<WarningCollector>.fromOpaque(context).takeUnretainedValue().receive(result)
        }, Unmanaged.passUnretained(self.warnings).toOpaque())
    }

    deinit {
        PQfinish(self.handle)
    }

    /// Opens a connection and sets the session defaults our decoding relies on. Statements
    /// are counted in `statistics` when given.
    public static func connect(
        _ configuration: PostgresConfiguration, logger: Logger = Logger(label: "crmsync.postgres"),
        statistics: StatementStatistics? = nil
    ) async throws -> PostgresConnection {
        try configuration.validate()
        let queue = DispatchQueue(label: "crmsync.postgres.connection")
        let handle: UnsafeHandle = try await Self.onQueue(queue) {
            let pairs = configuration.keywordValuePairs
            let connection = withCStrings(pairs.map(\.0)) { keywords in
                withCStrings(pairs.map(\.1)) { values in
                    PQconnectdbParams(keywords, values, 1)
                }
            }
            guard let connection else {
                throw PostgresError(.connection, message: "could not allocate a libpq connection")
            }
            guard PQstatus(connection) == CONNECTION_OK else {
                let reason = String(cString: PQerrorMessage(connection)).firstLine
                PQfinish(connection)
                throw PostgresError(.connection, message: "cannot connect to the database: \(reason)")
            }
            return UnsafeHandle(pointer: connection)
        }
        let connection = PostgresConnection(
            handle: handle.pointer, queue: queue, logger: logger, statistics: statistics,
            preparesStatements: configuration.preparesStatements)
        // ISO dates in UTC for our parser; warnings only (migrations are chatty); and bind
        // values (the secret key among them) kept out of the server's error log.
        try await connection.execute(
            """
            set datestyle = 'ISO, YMD'; set timezone = 'UTC'; set intervalstyle = 'iso_8601';
            set client_min_messages = 'warning'; set log_parameter_max_length_on_error = 0
            """)
        return connection
    }

    /// The server's warnings since the last call (client_min_messages is `warning`, so notices
    /// never arrive), oldest first. `Migrator` refuses a file that caused one.
    public func takeWarnings() -> [String] {
        self.warnings.take()
    }

    /// Statements sent so far (each is one round trip); the benchmark reads it.
    public var roundTrips: Int { self.counters.withLock { $0.roundTrips } }

    /// Whether the connection is healthy and idle, neither broken nor left inside a
    /// transaction. Read from what the last statement reported: no libpq call here.
    public var isReusable: Bool {
        self.counters.withLock { !$0.broken && $0.idle }
    }

    /// Runs one parameterized statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try Self.refuseNULBytes(sql)
        return try await self.run(sql.text) { handle in
            withOptionalCStrings(sql.binds) { values in
                PQexecParams(handle, sql.text, Int32(sql.binds.count), nil, values, nil, nil, 0)
            }
        }
    }

    /// libpq takes values as C strings: a NUL byte would silently cut the value short (Postgres
    /// text cannot hold one anyway), so such a value is refused, never truncated.
    static func refuseNULBytes(_ sql: SQL) throws {
        if sql.binds.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                .invalidParameter, code: .characterNotInRepertoire,
                message: "a text value contains a NUL byte, which PostgreSQL text cannot hold", query: sql.text)
        }
    }

    /// Runs a script of one or more statements without parameters (migrations, `BEGIN`).
    /// Returns the rows of the last statement.
    @discardableResult
    public func execute(_ script: String) async throws -> PostgresRows {
        try await self.run(nil) { handle in PQexec(handle, script) }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws.
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await self.transaction(beginning: { try await self.execute("begin") }, body)
    }

    /// `transaction`'s frame: `begin` opens it (BEGIN, or BEGIN with a first statement).
    func transaction<T>(
        beginning begin: () async throws -> Void, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            try await begin()
            let value = try await body(self)
            try await self.execute("commit")
            return value
        } catch {
            // The original error matters more than a failed rollback on a broken connection.
            _ = try? await self.execute("rollback")
            throw error
        }
    }

    /// Streams `lines` (already in COPY text format, newline-terminated) into `copyStatement`.
    @discardableResult
    public func copyIn(_ copyStatement: String, lines: [String]) async throws -> Int {
        let rows = try await self.run(copyStatement) { handle in
            let start = PQexec(handle, copyStatement)
            guard PQresultStatus(start) == PGRES_COPY_IN else { return start }
            PQclear(start)
            var chunk = ""
            chunk.reserveCapacity(1 << 16)
            var failed = false
            for line in lines {
                chunk += line
                if chunk.utf8.count >= 1 << 16 {
                    failed = failed || PQputCopyData(handle, chunk, Int32(chunk.utf8.count)) != 1
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty {
                failed = failed || PQputCopyData(handle, chunk, Int32(chunk.utf8.count)) != 1
            }
            _ = PQputCopyEnd(handle, failed ? "copy data could not be sent" : nil)
            var last: OpaquePointer? = nil
            while let next = PQgetResult(handle) {
                if let previous = last { PQclear(previous) }
                last = next
            }
            return last
        }
        return rows.affectedRows
    }

    /// Closes the connection now rather than when the last reference goes.
    public func markBroken() {
        self.counters.withLock { $0.broken = true }
    }

    // MARK: - Running libpq calls on the connection's queue

    func run(
        _ queryText: String?, _ call: @escaping @Sendable (OpaquePointer) -> OpaquePointer?
    ) async throws -> PostgresRows {
        self.counters.withLock { $0.roundTrips += 1 }
        let handle = UnsafeHandle(pointer: self.handle)
        let started = ContinuousClock.now
        defer { self.statistics?.record(ContinuousClock.now - started) }
        do {
            return try await Self.onQueue(self.queue) {
                let result = call(handle.pointer)
                defer {
                    if let result { PQclear(result) }
                    let healthy = PQstatus(handle.pointer) == CONNECTION_OK
                    let idle = PQtransactionStatus(handle.pointer) == PQTRANS_IDLE
                    self.counters.withLock {
                        $0.idle = idle
                        $0.broken = $0.broken || !healthy
                    }
                }
                return try PostgresResultReader.read(result, connection: handle.pointer, query: queryText)
            }
        } catch let error as PostgresError {
            if error.kind == .connectionLost { self.markBroken() }
            self.logger.debug("statement failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    private static func onQueue<T: Sendable>(
        _ queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

/// Collects the WARNING messages libpq hands to the notice receiver (on the connection's queue).
final class WarningCollector: Sendable {
    private let messages = Mutex<[String]>([])
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func receive(_ result: OpaquePointer) {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        guard field("V") == "WARNING", let message = field("M") else { return }
        self.logger.warning("server warning", metadata: ["message": "\(message)"])
        self.messages.withLock { $0.append(message) }
    }

    func take() -> [String] {
        self.messages.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }
}

/// A libpq pointer carried into the connection's queue. Safe to send because only that
/// serial queue dereferences it.
struct UnsafeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { UnsafePointer($0) } + [nil])
}

func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { $0.map { UnsafePointer($0) } })
}
