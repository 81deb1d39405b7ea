import CRMSyncDatabase
import Foundation
import PostgresClient

/// An account a worker holds the lease of.
public struct ClaimedAccount: Sendable, Hashable {
    /// The account.
    public var accountID: UUID
    /// Its owner, whose identity the sync runs under.
    public var owner: Identity
    /// `google` or `outlook`.
    public var provider: String

    init(row: PostgresRow) throws {
        self.accountID = try row.decode(UUID.self, at: 0)
        self.owner = Identity(userID: try row.decode(UUID.self, at: 2), organizationID: try row.decode(UUID.self, at: 1))
        self.provider = try row.decode(String.self, at: 3)
    }
}
