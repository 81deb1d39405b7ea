import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct RetryTests {
    let now = Date(timeIntervalSince1970: 1_772_000_000)

    @Test func retryAfterSecondsAndHTTPDates() {
        #expect(RetryAfter.parse("120", now: self.now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: self.now) == .zero)
        let later = self.now.addingTimeInterval(90)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryAfter.parse(formatter.string(from: later), now: self.now) == .seconds(90))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: self.now) == .zero)
        #expect(RetryAfter.parse("soon", now: self.now) == nil)
        #expect(RetryAfter.parse(nil, now: self.now) == nil)
        #expect(RetryAfter.parse("-5", now: self.now) == nil)
    }

    @Test func fullJitterStaysWithinTheExponentialCap() {
        let policy = RetryPolicy(maxAttempts: 8, baseDelay: .seconds(1), maxDelay: .seconds(10))
        #expect(policy.delay(forRetry: 0, retryAfter: nil, unit: 0.999) < .seconds(1))
        #expect(policy.delay(forRetry: 3, retryAfter: nil, unit: 0.5) == .seconds(4))
        #expect(policy.delay(forRetry: 6, retryAfter: nil, unit: 0.999) <= .seconds(10))
        #expect(policy.delay(forRetry: 2, retryAfter: nil, unit: 0) == .zero)
        #expect(policy.delay(forRetry: 2, retryAfter: .seconds(7), unit: 0.1) == .seconds(7))
    }

    @Test func seededJitterIsDeterministicAndInRange() {
        let a = SeededJitter(seed: 42), b = SeededJitter(seed: 42)
        let first = (0..<100).map { _ in a.nextUnit() }
        #expect(first == (0..<100).map { _ in b.nextUnit() })
        #expect(first.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    func client(_ transport: ScriptedTransport, sleeper: RecordingSleeper, policy: RetryPolicy = RetryPolicy()) -> ProviderHTTPClient {
        ProviderHTTPClient(transport: transport, retryPolicy: policy, sleeper: sleeper, jitter: SeededJitter(seed: 7))
    }

    var request: HTTPRequest { HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:1/x")!) }

    @Test func rateLimitsAreRetriedWithBoundedBackoff() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(403, #"{"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded"}],"code":403,"message":"Rate Limit Exceeded"}}"#),
            ScriptedTransport.json(503, "{}"),
            .fail(.timedOut),
            ScriptedTransport.json(200, "{}"),
        ])
        let sleeper = RecordingSleeper()
        let response = try await self.client(transport, sleeper: sleeper).send(self.request, tokens: StaticAccessToken("t"), context: .target)
        #expect(response.status == 200)
        #expect(sleeper.waits.count == 3)
        for (retry, wait) in sleeper.waits.enumerated() {
            #expect(wait <= .seconds(1 << retry))
        }
        #expect(transport.sent.allSatisfy { $0.timeout == .seconds(30) && $0.headers["Authorization"] == "Bearer t" })
    }

    @Test func retryAfterIsHonouredAndBudgetExhaustionIsTemporary() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(429, "{}", headers: ["Retry-After": "7"]),
            ScriptedTransport.json(429, "{}", headers: ["Retry-After": "7"]),
            ScriptedTransport.json(429, "{}", headers: ["Retry-After": "7"]),
        ])
        let sleeper = RecordingSleeper()
        let policy = RetryPolicy(maxAttempts: 3)
        await #expect(throws: ProviderError.temporary(retryAfter: .seconds(7))) {
            _ = try await self.client(transport, sleeper: sleeper, policy: policy).send(self.request, tokens: nil, context: .target)
        }
        #expect(sleeper.waits == [.seconds(7), .seconds(7)])
        #expect(transport.sent.count == 3)
    }

    @Test func retryAfterBeyondTheTotalBudgetStopsAtOnce() async {
        let transport = ScriptedTransport([ScriptedTransport.json(503, "{}", headers: ["Retry-After": "3600"])])
        let sleeper = RecordingSleeper()
        await #expect(throws: ProviderError.temporary(retryAfter: .seconds(3600))) {
            _ = try await self.client(transport, sleeper: sleeper).send(self.request, tokens: nil, context: .target)
        }
        #expect(sleeper.waits.isEmpty)
    }

    @Test func unauthorizedRefreshesOnceThenGivesUp() async throws {
        let tokens = CountingTokens()
        let ok = ScriptedTransport([ScriptedTransport.json(401, "{}"), ScriptedTransport.json(200, "{}")])
        _ = try await self.client(ok, sleeper: RecordingSleeper()).send(self.request, tokens: tokens, context: .target)
        #expect(tokens.refreshCount == 1)
        #expect(ok.sent.map { $0.headers["Authorization"] } == ["Bearer token-0", "Bearer token-1"])
        let twice = ScriptedTransport([ScriptedTransport.json(401, "{}"), ScriptedTransport.json(401, "{}")])
        await #expect(throws: ProviderError.unauthorized) {
            _ = try await self.client(twice, sleeper: RecordingSleeper()).send(self.request, tokens: CountingTokens(), context: .target)
        }
        let dead = ScriptedTransport([ScriptedTransport.json(401, "{}")])
        await #expect(throws: ProviderError.reconnectRequired(reason: "invalid_grant")) {
            _ = try await self.client(dead, sleeper: RecordingSleeper()).send(self.request, tokens: CountingTokens(failRefresh: true), context: .target)
        }
    }

    @Test func otherClientErrorsAreNotRetried() async {
        let transport = ScriptedTransport([ScriptedTransport.json(400, #"{"error":{"errors":[{"reason":"invalid"}],"code":400,"message":"Invalid value"}}"#)])
        let sleeper = RecordingSleeper()
        await #expect(throws: ProviderError.rejected(status: 400, reason: "invalid", message: "Invalid value")) {
            _ = try await self.client(transport, sleeper: sleeper).send(self.request, tokens: nil, context: .target)
        }
        #expect(sleeper.waits.isEmpty)
    }
}
