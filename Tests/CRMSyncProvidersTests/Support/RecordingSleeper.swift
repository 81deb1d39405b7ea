import Foundation
import Synchronization
@testable import CRMSyncProviders

/// A clock that never sleeps: it records each wait and advances its own time by it.
final class RecordingSleeper: Sleeper {
    private let state: Mutex<(now: Date, waits: [Duration])>

    init(now: Date = Date(timeIntervalSince1970: 1_772_000_000)) {
        self.state = Mutex((now, []))
    }

    var waits: [Duration] { self.state.withLock { $0.waits } }

    func sleep(for duration: Duration) async throws {
        self.state.withLock {
            $0.waits.append(duration)
            $0.now = $0.now.addingTimeInterval(duration.seconds)
        }
    }

    func now() -> Date { self.state.withLock { $0.now } }

    func advance(by seconds: TimeInterval) {
        self.state.withLock { $0.now = $0.now.addingTimeInterval(seconds) }
    }
}
