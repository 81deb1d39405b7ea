import Foundation
import PostgresClient

/// Re-encrypts every secret from an old key to a new one, in batches.
///
/// Each batch is its own transaction holding both keys as transaction-local settings, so an
/// interrupted rotation is resumed by running it again: rows already on the new key (their
/// `key_id` says so) are not touched twice.
public struct KeyRotation: Sendable {
    public var oldKey: SecretKey
    public var newKey: SecretKey
    public var batchSize: Int

    public init(oldKey: SecretKey, newKey: SecretKey, batchSize: Int = 500) {
        self.oldKey = oldKey
        self.newKey = newKey
        self.batchSize = batchSize
    }

    /// Rows re-encrypted per table.
    public typealias Counts = [String: Int]

    /// Runs batches until none is left; `progress` hears each batch's counts. Throws
    /// `DatabaseError.secretKeyMismatch` when a secret is under neither key.
    public func run(
        on connection: PostgresConnection, progress: (Counts) -> Void = { _ in }
    ) async throws -> Counts {
        do {
            return try await self.batches(on: connection, progress: progress)
        } catch {
            throw DatabaseError.wrapping(error)
        }
    }

    private func batches(on connection: PostgresConnection, progress: (Counts) -> Void) async throws -> Counts {
        var total: Counts = [:]
        while true {
            let batch = try await connection.transaction { connection in
                try await connection.query(
                    """
                    select set_config('crmsync.old_token_key', \(self.oldKey.value), true),
                           set_config('crmsync.token_key', \(self.newKey.value), true)
                    """)
                let rows = try await connection.query(
                    "select table_name, rotated from private.rotate_secrets_batch(\(self.batchSize))")
                var counts: Counts = [:]
                for row in rows.rows {
                    counts[try row.decode(String.self, at: 0), default: 0] += try row.decode(Int.self, at: 1)
                }
                return counts
            }
            progress(batch)
            total.merge(batch, uniquingKeysWith: +)
            if batch.values.allSatisfy({ $0 == 0 }) { return total }
        }
    }
}
