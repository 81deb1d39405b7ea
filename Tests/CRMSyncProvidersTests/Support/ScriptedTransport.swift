import Foundation
import Synchronization
@testable import CRMSyncProviders

/// A transport for unit tests of the request loop (retries, refresh, error mapping): it
/// answers from a script and records what was sent. Provider behaviour itself is tested
/// against ProviderSandbox.
final class ScriptedTransport: HTTPTransport {
    enum Step: Sendable {
        case respond(HTTPResponse)
        case fail(TransportError)
    }

    private let state: Mutex<(steps: [Step], sent: [HTTPRequest])>

    init(_ steps: [Step]) {
        self.state = Mutex((steps, []))
    }

    var sent: [HTTPRequest] { self.state.withLock { $0.sent } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let step = self.state.withLock { state -> Step in
            state.sent.append(request)
            return state.steps.isEmpty ? .respond(HTTPResponse(status: 200)) : state.steps.removeFirst()
        }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        }
    }

    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Step {
        .respond(HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: Data(body.utf8)))
    }
}

/// Tokens that count refreshes.
final class CountingTokens: AccessTokenProvider {
    private let refreshes = Mutex(0)
    let failRefresh: Bool

    init(failRefresh: Bool = false) {
        self.failRefresh = failRefresh
    }

    var refreshCount: Int { self.refreshes.withLock { $0 } }

    func accessToken() async throws -> String { "token-\(self.refreshCount)" }

    func refreshAfterUnauthorized() async throws -> String {
        if self.failRefresh { throw ProviderError.reconnectRequired(reason: "invalid_grant") }
        return "token-\(self.refreshes.withLock { $0 += 1; return $0 })"
    }
}
