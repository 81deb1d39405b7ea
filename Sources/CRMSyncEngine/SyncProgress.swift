/// A step of a sync run, for progress displays.
public enum SyncProgress: Sendable {
    /// The run started; `full` when it lists the whole window.
    case started(full: Bool)
    /// The stored cursor had expired: the listing restarted over the whole window.
    case restartedFull
    /// One page of the listing was imported.
    case importedPage(number: Int, events: Int, counts: SyncCounts)
    /// One batch of appointments was exported.
    case exportedBatch(number: Int, appointments: Int, counts: SyncCounts)
}
