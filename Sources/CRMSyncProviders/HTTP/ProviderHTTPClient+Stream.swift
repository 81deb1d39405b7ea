import Foundation

extension ProviderHTTPClient {
    /// Sends `request` through `streaming` with the bearer token, one refresh after a 401 and
    /// the retry policy for failures before the body starts; returns only a 2xx, whose body
    /// the caller reads (or cancels). Other statuses become the `ProviderError` they mean,
    /// read from at most 64 KiB of their body.
    public func stream(_ request: HTTPRequest, tokens: (any AccessTokenProvider)?) async throws(ProviderError) -> HTTPStreamedResponse {
        var request = request
        request.timeout = request.timeout ?? self.timeout
        var token = try await Self.streamToken(from: tokens, refreshing: false)
        var refreshed = false
        var retries = 0
        while true {
            if let token { request.headers["Authorization"] = "Bearer \(token)" }
            let disposition: ErrorDisposition
            do {
                let response = try await self.streaming.stream(request)
                self.logger.debug("streamed response", metadata: ["request": "\(request.logLabel)", "status": "\(response.status)"])
                if (200..<300).contains(response.status) { return response }
                let body = await response.collect(upTo: 64 * 1024)
                let retryAfter = RetryAfter.parse(response.header("Retry-After"), now: self.sleeper.now())
                disposition = ErrorClassifier.classify(status: response.status, body: body, retryAfter: retryAfter, context: .target)
            } catch {
                switch error {
                case .timedOut, .connectionFailed: disposition = .retry(retryAfter: nil)
                case .other: disposition = .fail(.transport(error))
                }
            }
            switch disposition {
            case .fail(let error):
                throw error
            case .refreshToken:
                guard let tokens, !refreshed else { throw .unauthorized }
                refreshed = true
                token = try await Self.streamToken(from: tokens, refreshing: true)
            case .retry(let retryAfter):
                guard retries + 1 < self.retryPolicy.maxAttempts else { throw .temporary(retryAfter: retryAfter) }
                let delay = self.retryPolicy.delay(forRetry: retries, retryAfter: retryAfter, unit: self.jitter.nextUnit())
                do { try await self.sleeper.sleep(for: delay) } catch { throw .temporary(retryAfter: retryAfter) }
                retries += 1
            }
        }
    }

    private static func streamToken(from tokens: (any AccessTokenProvider)?, refreshing: Bool) async throws(ProviderError) -> String? {
        guard let tokens else { return nil }
        do {
            return refreshing ? try await tokens.refreshAfterUnauthorized() : try await tokens.accessToken()
        } catch let error as ProviderError {
            throw error
        } catch {
            throw .unauthorized
        }
    }
}
