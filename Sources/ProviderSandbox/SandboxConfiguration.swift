/// Where the provider sandbox listens.
public struct SandboxConfiguration: Sendable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8099) {
        self.host = host
        self.port = port
    }
}
