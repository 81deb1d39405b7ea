import CRMSyncDatabase
import Foundation

/// An account a worker holds the lease of.
public struct ClaimedAccount: Sendable, Hashable {
    /// The account.
    public var accountID: UUID
    /// Its owner, whose identity the sync runs under.
    public var owner: Identity
    /// `google` or `outlook`.
    public var provider: String

    init(_ claim: SyncStore.Claim) {
        self.accountID = claim.accountID
        self.owner = claim.owner
        self.provider = claim.provider
    }
}
