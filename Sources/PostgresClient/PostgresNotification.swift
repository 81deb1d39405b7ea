/// One `NOTIFY` delivered to a listening connection.
public struct PostgresNotification: Sendable, Hashable, CustomStringConvertible {
    /// The channel it was sent on, exactly as the sender named it.
    public var channel: String
    /// The payload (`''` when the sender gave none).
    public var payload: String
    /// The process id of the backend that sent it.
    public var backendPID: Int32

    public init(channel: String, payload: String, backendPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.backendPID = backendPID
    }

    /// Channel and sender only: payloads are application data and stay out of logs.
    public var description: String { "notification on \(self.channel) from backend \(self.backendPID)" }
}
