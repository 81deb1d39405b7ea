import Foundation

/// Timing one call and the percentiles of many: the shared arithmetic of the side-by-side figures.
enum Sampling {
    static func milliseconds(_ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return (clock.now - start) / .milliseconds(1)
    }

    /// The nearest-rank percentile `p` (0…1) of `values`; 0 for none.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}
