import Foundation
import Logging
import ProviderSandbox

/// A ProviderSandbox on a free loopback port for the duration of one test.
public enum SandboxServer {
    /// Runs `body` with a sandbox listening at the URL it is given. The sandbox answers on the
    /// cooperative pool, so nothing in `body` may block a thread while waiting for it.
    public static func run<T>(seed: UInt64, _ body: (URL) async throws -> T) async throws -> T {
        var quiet = Logger(label: "crmsync.sandbox")
        quiet.logLevel = .critical  // its server reports a normal shutdown as an error
        let sandbox = ProviderSandbox(configuration: SandboxConfiguration(host: "127.0.0.1", port: 0, seed: seed), logger: quiet)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await sandbox.run { sink.yield($0) } }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestSetupError("the sandbox did not start") }
        return try await body(URL(string: "http://127.0.0.1:\(port)")!)
    }
}
