extension Migrator {
    /// `pending(on:)` on one of the service's pooled connections (readiness checks); a failure
    /// is the `DatabaseError` it means.
    public func pending(in database: TenantDatabase) async throws -> [String] {
        do {
            return try await database.pool.withConnection { connection in try await self.pending(on: connection) }
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }
}
