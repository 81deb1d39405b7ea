import CRMSyncSupport
import Foundation

/// An injected failure for requests matching `route`, e.g. `GET /calendar/v3/calendars/*/events`
/// (`*` is one path segment, a trailing `**` any rest, method `*` any method).
struct FaultRule: Sendable {
    var id: String
    var route: String
    var status: Int?
    var retryAfter: Int?
    /// Let this many matching calls through before failing.
    var afterCalls: Int
    /// Fail at most this many times (nil: forever).
    var times: Int?
    var probability: Double
    var latencyMs: Int
    var seen: Int = 0
    var fired: Int = 0

    init?(id: String, json: [String: JSONValue]) {
        guard let route = json["route"]?.string else { return nil }
        self.id = id
        self.route = route
        self.status = json["status"]?.int
        self.retryAfter = json["retryAfter"]?.int
        self.afterCalls = json["afterCalls"]?.int ?? 0
        self.times = json["times"]?.int
        switch json["probability"] {
        case .double(let value)?: self.probability = value
        case .int(let value)?: self.probability = Double(value)
        default: self.probability = 1
        }
        self.latencyMs = json["latencyMs"]?.int ?? 0
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(self.id), "route": .string(self.route), "afterCalls": .int(self.afterCalls),
            "probability": .double(self.probability), "latencyMs": .int(self.latencyMs),
            "seen": .int(self.seen), "fired": .int(self.fired),
        ]
        if let status { object["status"] = .int(status) }
        if let retryAfter { object["retryAfter"] = .int(retryAfter) }
        if let times { object["times"] = .int(times) }
        return .object(object)
    }

    /// Whether `pattern` (`METHOD /path/*`) matches a request.
    static func matches(_ pattern: String, method: String, path: String) -> Bool {
        let parts = pattern.split(separator: " ", maxSplits: 1)
        let (patternMethod, patternPath) = parts.count == 2 ? (String(parts[0]), String(parts[1])) : ("*", String(pattern))
        guard patternMethod == "*" || patternMethod.uppercased() == method.uppercased() else { return false }
        let want = patternPath.split(separator: "/")
        let have = path.split(separator: "/")
        for (index, segment) in want.enumerated() {
            if segment == "**" { return true }
            guard index < have.count else { return false }
            if segment != "*" && segment != have[index] { return false }
        }
        return want.count == have.count
    }
}
