import CRMSyncProviders
import Foundation
import Synchronization

/// A clock that never sleeps: it records each wait and moves its own time on by it, so
/// `Retry-After` and backoff cost nothing in tests (the engine's and the mail engine's).
public final class TestSleeper: Sleeper {
    private let state: Mutex<(offset: TimeInterval, waits: [Duration])>

    public init() {
        self.state = Mutex((0, []))
    }

    /// Every wait asked for so far.
    public var waits: [Duration] { self.state.withLock { $0.waits } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        self.state.withLock { state in
            state.waits.append(duration)
            state.offset += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }

    /// Real time plus every wait skipped, so the listing window stays around the sandbox's now.
    public func now() -> Date { Date().addingTimeInterval(self.state.withLock { $0.offset }) }
}
