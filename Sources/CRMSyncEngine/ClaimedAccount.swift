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
    /// What made it due (a webhook's request, a person's, or the schedule): the run is
    /// logged with it.
    public var trigger: SyncOptions.Trigger

    init(_ claim: SyncStore.Claim) {
        self.accountID = claim.accountID
        self.owner = claim.owner
        self.provider = claim.provider
        self.trigger = SyncOptions.Trigger(rawValue: claim.trigger) ?? .auto
    }
}
