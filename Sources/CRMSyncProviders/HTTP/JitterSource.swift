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
    private let state: Mutex<UInt64>

    /// Creates a source that yields the same sequence for the same seed.
    public init(seed: UInt64) {
        self.state = Mutex(seed)
    }

    public func nextUnit() -> Double {
        let value = self.state.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(value >> 11) / Double(1 << 53)
    }
}
