import CRMSyncSupport
import Foundation

extension SandboxState {
    /// Counts a provider request and decides whether an injected fault answers it instead:
    /// returns the latency to add and, if a fault fires, its reply.
    func admit(method: String, path: String) -> (latencyMs: Int, reply: Reply?) {
        self.requestCounts["\(method) \(path)", default: 0] += 1
        var latency = 0
        for index in self.faults.indices where FaultRule.matches(self.faults[index].route, method: method, path: path) {
            self.faults[index].seen += 1
            let rule = self.faults[index]
            latency = max(latency, rule.latencyMs)
            guard let status = rule.status, rule.seen > rule.afterCalls, rule.fired < (rule.times ?? .max) else { continue }
            if rule.probability < 1 && Double(self.generator.next() % 1_000_000) / 1_000_000 >= rule.probability { continue }
            self.faults[index].fired += 1
            var reply = self.faultReply(status: status, path: path)
            if let retryAfter = rule.retryAfter { reply = reply.adding("Retry-After", String(retryAfter)) }
            return (latency, reply)
        }
        return (latency, nil)
    }

    /// An error in the shape of the provider that owns `path`.
    private func faultReply(status: Int, path: String) -> Reply {
        let google: [Int: (String, String)] = [
            429: ("rateLimitExceeded", "Rate Limit Exceeded"), 403: ("rateLimitExceeded", "Rate Limit Exceeded"),
            500: ("backendError", "Backend Error"), 503: ("backendError", "Backend Error"),
        ]
        let graph: [Int: (String, String)] = [
            429: ("TooManyRequests", "Application is over its MailboxConcurrency limit."),
            500: ("InternalServerError", "An internal server error occurred."),
            503: ("ServiceUnavailable", "The service is temporarily unavailable."),
            504: ("GatewayTimeout", "The gateway timed out."),
        ]
        if path.hasPrefix("/calendar/") || path.hasPrefix("/oauth2/v3") || path.hasPrefix("/gmail/") || path.hasPrefix("/upload/gmail/") {
            let (reason, message) = google[status] ?? ("backendError", "Error \(status)")
            return GoogleError.reply(status, reason: reason, message: message, domain: status == 403 ? "usageLimits" : "global")
        }
        if path.hasPrefix("/v1.0/") {
            let (code, message) = graph[status] ?? ("UnknownError", "Error \(status)")
            return self.graphError(status, code, message)
        }
        if path.contains("/oauth2/v2.0/") {
            return self.microsoftError(status, "temporarily_unavailable", 50_196, "The server is temporarily unavailable.")
        }
        return OAuthError.google(status, "temporarily_unavailable", "The server is temporarily unavailable.")
    }

    func addFault(_ json: [String: JSONValue]) -> Reply {
        guard let rule = FaultRule(id: "fault-\(self.faults.count + 1)-\(self.generator.alphanumeric(6))", json: json) else {
            return .json(400, ["error": "route is required, e.g. \"GET /calendar/v3/calendars/*/events\""])
        }
        self.faults.append(rule)
        return .json(201, rule.json)
    }

    func listFaults() -> Reply { .json(200, ["faults": .array(self.faults.map(\.json))]) }

    func clearFaults(id: String?) -> Reply {
        self.faults.removeAll { id == nil || $0.id == id }
        return .noContent
    }

    /// Requests per `METHOD path`, optionally only those matching a route pattern.
    func requestCount(route: String?) -> Reply {
        let matching = self.requestCounts.filter { entry in
            guard let route else { return true }
            let parts = entry.key.split(separator: " ", maxSplits: 1).map(String.init)
            return FaultRule.matches(route, method: parts[0], path: parts.count > 1 ? parts[1] : "/")
        }
        let total = matching.values.reduce(0, +)
        return .json(200, ["count": .int(total), "routes": .object(matching.mapValues { .int($0) })])
    }

    func clearRequestCounts() { self.requestCounts = [:] }
}
