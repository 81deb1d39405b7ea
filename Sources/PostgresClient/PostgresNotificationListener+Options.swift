extension PostgresNotificationListener {
    /// How the listener waits and reconnects.
    public struct Options: Sendable {
        /// How long one wait on the socket lasts; `stop()` takes effect within it.
        public var pollInterval: Duration
        /// The first delay before reconnecting after the connection broke; doubled after each
        /// failed attempt.
        public var reconnectDelay: Duration
        /// The cap on the reconnect delay.
        public var maxReconnectDelay: Duration
        /// Notifications kept for a slow consumer; beyond it the oldest are dropped (and logged).
        public var bufferLimit: Int

        /// Defaults: 200 ms waits, reconnects after 100 ms doubling up to 10 s, 10 000 buffered.
        public init(
            pollInterval: Duration = .milliseconds(200), reconnectDelay: Duration = .milliseconds(100),
            maxReconnectDelay: Duration = .seconds(10), bufferLimit: Int = 10_000
        ) {
            self.pollInterval = pollInterval
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.bufferLimit = max(1, bufferLimit)
        }

        /// The delay before reconnect attempt `attempt` (0-based): doubling, capped.
        func delay(attempt: Int) -> Duration {
            var delay = self.reconnectDelay
            for _ in 0..<min(attempt, 30) where delay < self.maxReconnectDelay { delay *= 2 }
            return min(delay, self.maxReconnectDelay)
        }
    }

    /// A channel name Postgres cannot take (empty, longer than 63 bytes, or with a NUL).
    public struct InvalidChannel: Error, Sendable, CustomStringConvertible {
        public var channel: String
        public var description: String {
            "invalid notification channel name \"\(self.channel)\": it must be 1 to 63 bytes without NUL"
        }
    }
}

extension Duration {
    /// Whole milliseconds, at least 1, for `poll()`.
    var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = self.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, milliseconds))
    }
}
