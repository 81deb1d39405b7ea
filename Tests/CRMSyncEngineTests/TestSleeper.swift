import CRMSyncTestSupport
import CRMSyncProviders
import Foundation
import Synchronization

/// A clock that never sleeps: it records each wait and moves its own time on by it, so
/// `Retry-After` and backoff cost nothing in tests. (Copied in spirit from the providers'
/// tests' `RecordingSleeper`; test targets cannot share code.)
final class TestSleeper: Sleeper {
    private let state: Mutex<(offset: TimeInterval, waits: [Duration])>

    init() {
        self.state = Mutex((0, []))
    }

    /// Every wait asked for so far.
    var waits: [Duration] { self.state.withLock { $0.waits } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        self.state.withLock { state in
            state.waits.append(duration)
            state.offset += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }

    /// Real time plus every wait skipped, so the listing window stays around the sandbox's now.
    func now() -> Date { Date().addingTimeInterval(self.state.withLock { $0.offset }) }
}
