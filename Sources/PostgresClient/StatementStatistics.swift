import Synchronization

/// Statements sent and time spent waiting for them, shared by every connection that reports
/// to it (a pool's connections do). The benchmark reads it to count database round trips.
public final class StatementStatistics: Sendable {
    private let counts = Mutex((statements: 0, nanoseconds: UInt64(0)))

    public init() {}

    /// Statements sent so far; each is one round trip.
    public var statements: Int { self.counts.withLock { $0.statements } }

    /// Wall time from sending a statement to having its result, summed.
    public var duration: Duration { .nanoseconds(Int64(self.counts.withLock { $0.nanoseconds })) }

    func record(_ elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        let nanos = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
        self.counts.withLock {
            $0.statements += 1
            $0.nanoseconds += nanos
        }
    }
}
