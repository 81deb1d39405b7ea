import Foundation
import Logging
import ProviderSandbox

/// The one way the tests start a ProviderSandbox over loopback HTTP: on a free port, for the
/// duration of one test (the provider clients' tests, the engine's, the server's and the CLI's).
/// A target of its own so that a test target which needs no database (CRMSyncProvidersTests)
/// does not depend on one.
public enum SandboxServer {
    /// Runs `body` with a sandbox listening at the URL it is given, then stops the sandbox and
    /// waits until its port is closed. The sandbox answers on the cooperative pool, so nothing in
    /// `body` may block a thread while waiting for it.
    public static func run<T>(seed: UInt64 = 1, _ body: (URL) async throws -> T) async throws -> T {
        var quiet = Logger(label: "crmsync.sandbox")
        quiet.logLevel = .critical  // its server reports a normal shutdown as an error
        let sandbox = ProviderSandbox(configuration: SandboxConfiguration(host: "127.0.0.1", port: 0, seed: seed), logger: quiet)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            defer { sink.finish() }  // a sandbox that fails to start ends the wait below
            try await sandbox.run { sink.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let failure = await server.result
            throw SandboxStartError(detail: failure.failureDescription)
        }
        do {
            let value = try await body(URL(string: "http://127.0.0.1:\(port)")!)
            server.cancel()
            _ = await server.result
            return value
        } catch {
            server.cancel()
            _ = await server.result
            throw error
        }
    }
}

/// The sandbox stopped before it reported its port.
public struct SandboxStartError: Error, CustomStringConvertible {
    public var detail: String
    public var description: String { "the sandbox did not start: \(self.detail)" }
}

extension Result {
    fileprivate var failureDescription: String {
        switch self {
        case .success: "it returned before listening"
        case .failure(let error): "\(error)"
        }
    }
}
