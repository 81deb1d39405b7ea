import CRMSyncEngine
import CRMSyncProviders
import Foundation

/// Wraps the provider transport to record each request's latency and status by provider.
struct MeasuredTransport: HTTPTransport {
    let base: any HTTPTransport
    let metrics: ServiceMetrics
    let endpoints: ProviderEndpoints

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let started = ContinuousClock.now
        let provider = self.provider(of: request.url)
        do {
            let response = try await self.base.send(request)
            self.metrics.providerRequest(provider: provider, status: response.status, duration: ContinuousClock.now - started)
            return response
        } catch {
            self.metrics.providerRequest(provider: provider, status: 0, duration: ContinuousClock.now - started)
            throw error
        }
    }

    /// `microsoft` for Graph and the Microsoft identity platform, else `google` (the sandbox
    /// serves both from one host, so the path decides).
    private func provider(of url: URL) -> String {
        let graph = self.endpoints.graphBase
        if url.host == graph.host && url.port == graph.port && url.path.hasPrefix(graph.path) { return CalendarProviderKind.outlook.oauthClientName }
        let login = self.endpoints.microsoftLoginBase
        if url.host == login.host && url.port == login.port && url.path.contains("/oauth2/v2.0/") { return CalendarProviderKind.outlook.oauthClientName }
        return CalendarProviderKind.google.oauthClientName
    }
}

/// Wraps the retry sleeper to count waits (rate limits, transient failures).
struct MeasuredSleeper: Sleeper {
    let base: any Sleeper
    let metrics: ServiceMetrics

    func sleep(for duration: Duration) async throws {
        self.metrics.retryWait(duration)
        try await self.base.sleep(for: duration)
    }

    func now() -> Date { self.base.now() }
}
