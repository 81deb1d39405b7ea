import PostgresClient

extension PushChannelStore {
    /// The advisory lock key of a renewal round (`hashtext('crmsync.push_renewal')`).
    static let renewalLockKey = "crmsync.push_renewal"

    /// Runs `body` while this process holds the renewal round's session advisory lock, so two
    /// processes never renew (or replace) the same channel at once; nil, without running it,
    /// when another process holds the lock. One that dies releases it with its connection.
    public func withRenewalLock<T: Sendable>(_ body: () async -> T) async throws -> T? {
        do {
            return try await self.database.pool.withConnection { connection in
                let locked = try await connection.query("select pg_try_advisory_lock(hashtext(\(Self.renewalLockKey)))")
                guard try locked.first?.decode(Bool.self, at: 0) == true else { return nil }
                let value = await body()
                try await connection.query("select pg_advisory_unlock(hashtext(\(Self.renewalLockKey)))")
                return value
            }
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }
}
