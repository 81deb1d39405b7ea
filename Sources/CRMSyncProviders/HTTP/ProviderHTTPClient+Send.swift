import Foundation
import Logging

extension ProviderHTTPClient {
    /// Sends `request` with retries, token refresh and error mapping; returns only 2xx.
    func send(
        _ request: HTTPRequest,
        tokens: (any AccessTokenProvider)?,
        context: RequestContext,
        retryable: Bool = true
    ) async throws(ProviderError) -> HTTPResponse {
        var request = request
        request.timeout = request.timeout ?? self.timeout
        var token = try await Self.token(from: tokens, refreshing: false)
        var refreshed = false
        var retries = 0
        var waited = Duration.zero
        while true {
            if let token { request.headers["Authorization"] = "Bearer \(token)" }
            let outcome = await self.attempt(request, context: context)
            let retryAfter: Duration?
            switch outcome {
            case .success(let response):
                return response
            case .failed(let disposition):
                switch disposition {
                case .fail(let error):
                    throw error
                case .refreshToken:
                    guard let tokens, !refreshed else { throw .unauthorized }
                    refreshed = true
                    token = try await Self.token(from: tokens, refreshing: true)
                    self.logger.debug("refreshed token after 401", metadata: ["request": "\(request.logLabel)"])
                    continue
                case .retry(let after):
                    retryAfter = after
                }
            }
            guard retryable, retries + 1 < self.retryPolicy.maxAttempts else {
                throw .temporary(retryAfter: retryAfter)
            }
            let delay = self.retryPolicy.delay(forRetry: retries, retryAfter: retryAfter, unit: self.jitter.nextUnit())
            guard waited + delay <= self.retryPolicy.maxTotalWait else {
                throw .temporary(retryAfter: retryAfter ?? delay)
            }
            self.logger.debug("retrying", metadata: [
                "request": "\(request.logLabel)", "retry": "\(retries + 1)", "wait_ms": "\(Int(delay.seconds * 1000))",
            ])
            do {
                try await self.sleeper.sleep(for: delay)
            } catch {
                throw .temporary(retryAfter: retryAfter)
            }
            waited += delay
            retries += 1
        }
    }

    /// One round trip, classified.
    private func attempt(_ request: HTTPRequest, context: RequestContext) async -> AttemptOutcome {
        let response: HTTPResponse
        do {
            response = try await self.transport.send(request)
        } catch {
            self.logger.debug("transport failure", metadata: ["request": "\(request.logLabel)", "error": "\(error)"])
            switch error {
            case .timedOut, .connectionFailed: return .failed(.retry(retryAfter: nil))
            case .other: return .failed(.fail(.transport(error)))
            }
        }
        self.logger.debug("response", metadata: ["request": "\(request.logLabel)", "status": "\(response.status)"])
        if response.isSuccess { return .success(response) }
        let retryAfter = RetryAfter.parse(response.header("Retry-After"), now: self.sleeper.now())
        let disposition = ErrorClassifier.classify(
            status: response.status, body: response.body, retryAfter: retryAfter, context: context
        )
        return .failed(disposition)
    }

    private static func token(from tokens: (any AccessTokenProvider)?, refreshing: Bool) async throws(ProviderError) -> String? {
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

/// The result of one round trip.
private enum AttemptOutcome {
    case success(HTTPResponse)
    case failed(ErrorDisposition)
}
