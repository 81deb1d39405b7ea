/// What a sync run changed, in the terms of `calendar_sync_log`.
public struct SyncCounts: Sendable, Hashable, Codable {
    /// Events applied to the CRM (created, updated or deleted appointments).
    public var imported = 0
    /// Appointments written to the calendar (created, updated or deleted events).
    public var exported = 0
    /// Updates, both directions.
    public var updated = 0
    /// Deletions, both directions.
    public var deleted = 0
    /// Events or appointments that failed; each is described in the run's error details.
    public var errors = 0
    /// Both sides changed: left for a person (`manual`) or settled by the strategy.
    public var conflicts = 0
    /// Events the import found already in step (our own writes coming back, replays).
    public var unchanged = 0

    /// No counts.
    public init() {}

    /// True when the run changed nothing on either side.
    public var changedNothing: Bool {
        self.imported == 0 && self.exported == 0 && self.updated == 0 && self.deleted == 0 && self.conflicts == 0
    }
}
