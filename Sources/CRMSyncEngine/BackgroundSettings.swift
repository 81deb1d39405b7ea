/// How the background services run: the one place their defaults live, for `crmsync serve`
/// and `crmsync worker` alike.
public struct BackgroundSettings: Sendable, Hashable {
    /// Accounts synced at once. Default 4.
    public var workerConcurrency: Int
    /// How long an idle worker slot waits before looking for due accounts again, unless a
    /// sync request wakes it first. Default 30 seconds: with `listen` on, requested syncs start
    /// at once and the poll only finds accounts that became due by schedule.
    public var pollInterval: Duration
    /// How long a worker's lease on an account lasts unless renewed. Default 24 seconds: the
    /// lease is renewed every third of it while the run lasts, a worker that cannot renew it
    /// stops its run once two thirds have passed, and the account of a worker that died is
    /// taken over as soon as the lease runs out (within 30 seconds, idle slots waking then).
    public var leaseSeconds: Int
    /// Wake idle slots at once on `LISTEN crmsync_sync_requested`. Default true (turn it off
    /// behind a transaction-mode pooler, which cannot hold a `LISTEN`).
    public var listen: Bool
    /// Push channel lifetimes and renewal timing (`PushSettings` documents its defaults).
    public var push: PushSettings

    public static let defaultWorkerConcurrency = 4
    public static let defaultPollInterval: Duration = .seconds(30)
    public static let defaultLeaseSeconds = 24

    public init(
        workerConcurrency: Int = Self.defaultWorkerConcurrency, pollInterval: Duration = Self.defaultPollInterval,
        leaseSeconds: Int = Self.defaultLeaseSeconds, listen: Bool = true, push: PushSettings = PushSettings()
    ) {
        self.workerConcurrency = workerConcurrency
        self.pollInterval = pollInterval
        self.leaseSeconds = leaseSeconds
        self.listen = listen
        self.push = push
    }
}
