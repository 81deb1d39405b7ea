import CRMSyncSupport
import Synchronization

/// Random numbers for backoff jitter; injected so tests are deterministic.
public protocol JitterSource: Sendable {
    /// A number in `0..<1`.
    func nextUnit() -> Double
}

/// Jitter from the system's random number generator.
public struct SystemJitter: JitterSource {
    /// Creates the system jitter source.
    public init() {}

    public func nextUnit() -> Double { Double.random(in: 0..<1) }
}

/// Deterministic jitter (SplitMix64) from a seed; safe to share, each call advances it.
public final class SeededJitter: JitterSource {
    private let generator: Mutex<SeededGenerator>

    /// Creates a source that yields the same sequence for the same seed.
    public init(seed: UInt64) {
        self.generator = Mutex(SeededGenerator(seed: seed))
    }

    public func nextUnit() -> Double {
        let value = self.generator.withLock { $0.next() }
        return Double(value >> 11) / Double(1 << 53)
    }
}
