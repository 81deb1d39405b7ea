import Logging

/// A bounded pool of connections.
///
/// At most `maxConnections` are open; callers beyond that wait in line. A connection that
/// broke, or that a caller left inside a transaction, is closed instead of being reused, so
/// no transaction-local identity can outlive the transaction that set it.
public actor PostgresPool {
    public nonisolated let configuration: PostgresConfiguration
    public nonisolated let maxConnections: Int
    /// Statements run on this pool's connections, and the time they took.
    public nonisolated let statistics = StatementStatistics()
    private let logger: Logger
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Result<PostgresConnection, any Error>, Never>] = []
    private var closed = false

    public init(configuration: PostgresConfiguration, maxConnections: Int = 4, logger: Logger = Logger(label: "crmsync.postgres")) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Lends a connection to `body` and takes it back afterwards.
    public nonisolated func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await self.acquire()
        do {
            let value = try await body(connection)
            await self.release(connection)
            return value
        } catch {
            await self.release(connection)
            throw error
        }
    }

    /// Runs `body` in one transaction on a pooled connection.
    public nonisolated func withTransaction<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await self.withConnection { connection in
            try await connection.transaction(body)
        }
    }

    /// `withTransaction` whose first statement (prepared) travels with `BEGIN` in one round trip.
    public nonisolated func withTransaction<T>(
        startingWith first: SQL, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await self.withConnection { connection in
            try await connection.transaction(startingWith: first, body)
        }
    }

    /// Closes idle connections and refuses new work; connections on loan close on return.
    public func close() {
        self.closed = true
        self.open -= self.idle.count
        self.idle.removeAll()
        for waiter in self.waiters { waiter.resume(returning: .failure(Self.closedError)) }
        self.waiters.removeAll()
    }

    private func acquire() async throws -> PostgresConnection {
        guard !self.closed else { throw Self.closedError }
        if let connection = self.idle.popLast() { return connection }
        if self.open < self.maxConnections {
            self.open += 1
            do {
                return try await PostgresConnection.connect(self.configuration, logger: self.logger, statistics: self.statistics)
            } catch {
                self.open -= 1
                self.handOff()
                throw error
            }
        }
        return try await withCheckedContinuation { self.waiters.append($0) }.get()
    }

    private func release(_ connection: PostgresConnection) {
        guard !self.closed, connection.isReusable else {
            self.open -= 1
            self.handOff()
            return
        }
        if self.waiters.isEmpty {
            self.idle.append(connection)
        } else {
            self.waiters.removeFirst().resume(returning: .success(connection))
        }
    }

    /// A slot came free without a connection: let the first waiter open a new one.
    private func handOff() {
        guard !self.waiters.isEmpty, !self.closed else { return }
        let waiter = self.waiters.removeFirst()
        self.open += 1
        Task {
            do {
                waiter.resume(returning: .success(try await PostgresConnection.connect(self.configuration, logger: self.logger, statistics: self.statistics)))
            } catch {
                self.connectFailed()
                waiter.resume(returning: .failure(error))
            }
        }
    }

    private static var closedError: PostgresError {
        PostgresError(.pool, message: "the connection pool is closed")
    }

    private func connectFailed() {
        self.open -= 1
    }
}
