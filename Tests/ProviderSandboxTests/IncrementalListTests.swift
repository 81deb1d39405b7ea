import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

/// Incremental listings come from the stores' change logs (they cost what changed, not what
/// exists); they must still report exactly what a full listing would show differently.
@Suite struct IncrementalListTests {
    static let control = "/_sandbox/google/users/ann@example.com/calendars/primary/events"

    /// A timed event `hours` after the test epoch (2025-03-01T00:00Z), one hour long.
    static func event(_ summary: String, hours: Int, id: String? = nil, weekly count: Int? = nil) -> JSONValue {
        let start = testEpoch.addingTimeInterval(Double(hours) * 3_600)
        var body: [String: JSONValue] = [
            "summary": .string(summary),
            "start": ["dateTime": .string(RFC3339.format(start)), "timeZone": "Europe/Berlin"],
            "end": ["dateTime": .string(RFC3339.format(start.addingTimeInterval(3_600))), "timeZone": "Europe/Berlin"],
        ]
        if let id { body["id"] = .string(id) }
        if let count { body["recurrence"] = [.string("RRULE:FREQ=WEEKLY;COUNT=\(count)")] }
        return .object(body)
    }

    /// Every page of a listing: the items and the final sync token.
    static func list(_ api: SandboxClient, _ token: String, _ query: String) async throws -> (items: [JSONValue], syncToken: String) {
        var items: [JSONValue] = []
        var page: String?
        while true {
            let suffix = page.map { "&pageToken=\($0)" } ?? ""
            let answer = try await api.json(.get, eventsPath + "?" + query + suffix, token: token)
            try #require(answer.status == 200, "\(answer.text)")
            items += answer.json["items"]?.array ?? []
            if let next = answer.json["nextPageToken"]?.string { page = next; continue }
            return (items, try #require(answer.json["nextSyncToken"]?.string))
        }
    }

    /// Live items by id.
    static func live(_ items: [JSONValue]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for item in items where item["status"]?.string != "cancelled" {
            if let id = item["id"]?.string { result[id] = item }
        }
        return result
    }

    @Test("random edits: a full listing plus every incremental listing since equals a fresh full listing")
    func deltasReplayToTheFullListing() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            // a window, so that moves take events in and out of it; instances expanded
            let query = "singleEvents=true&showDeleted=true&maxResults=7&timeMin=2025-03-05T00:00:00Z&timeMax=2025-04-20T00:00:00Z"
            var random = SeededGenerator(seed: 42)
            var serial = 0
            for index in 0..<12 {
                _ = try await api.json(.post, Self.control, Self.event("Start \(index)", hours: 24 * (3 + 4 * index), id: "start\(index)000"))
            }
            _ = try await api.json(.post, Self.control, Self.event("Series", hours: 24 * 6 + 9, id: "series0001", weekly: 6))
            var (items, syncToken) = try await Self.list(api, token, query)
            var replayed = Self.live(items)
            for round in 0..<25 {
                let current = try await api.json(.get, Self.control).json["items"]?.array ?? []
                let stored = current.compactMap { $0["id"]?.string }
                let shown = Array(replayed.keys).sorted()
                for _ in 0..<6 {
                    serial += 1
                    let hours = Int.random(in: 0...(24 * 60), using: &random)
                    switch Int.random(in: 0..<8, using: &random) {
                    case 0:
                        _ = try await api.json(.post, Self.control, Self.event("New \(serial)", hours: hours, id: "fresh\(serial)000"))
                    case 1:
                        _ = try await api.json(
                            .post, Self.control, Self.event("Series \(serial)", hours: hours, id: "series\(serial)000", weekly: 1 + serial % 5))
                    case 2, 3:
                        // rename or move anything shown (an instance becomes an exception)
                        guard let id = shown.randomElement(using: &random) else { continue }
                        let moved = Self.event("Moved \(serial)", hours: hours).object ?? [:]
                        let body: JSONValue = Bool.random(using: &random) ? ["summary": .string("Renamed \(serial)")] : .object(moved)
                        _ = try await api.json(.patch, Self.control + "/" + id, body)
                    case 4:
                        guard let id = shown.randomElement(using: &random) else { continue }
                        _ = try await api.json(.delete, Self.control + "/" + id)
                    case 5:
                        // change a stored record itself: a master's rule or a plain event
                        guard let id = stored.randomElement(using: &random) else { continue }
                        _ = try await api.json(.patch, Self.control + "/" + id, ["summary": .string("Stored \(serial)")])
                    case 6:
                        guard let id = stored.filter({ $0.hasPrefix("series") && !$0.contains("_") }).randomElement(using: &random) else { continue }
                        _ = try await api.json(.patch, Self.control + "/" + id, ["recurrence": [.string("RRULE:FREQ=WEEKLY;COUNT=\(2 + serial % 4)")]])
                    default:
                        guard let id = stored.randomElement(using: &random) else { continue }
                        _ = try await api.json(.delete, Self.control + "/" + id)
                    }
                }
                let delta = try await Self.list(api, token, "singleEvents=true&showDeleted=true&maxResults=7&syncToken=\(syncToken)")
                for item in delta.items {
                    guard let id = item["id"]?.string else { continue }
                    if item["status"]?.string == "cancelled" { replayed[id] = nil } else { replayed[id] = item }
                }
                syncToken = delta.syncToken
                (items, _) = try await Self.list(api, token, query)
                let expected = Self.live(items)
                #expect(replayed == expected, "round \(round): \(Set(replayed.keys).symmetricDifference(expected.keys).sorted())")
                let ids = delta.items.compactMap { $0["id"]?.string }
                #expect(Set(ids).count == ids.count, "round \(round): an item reported twice")
            }
            let quiet = try await Self.list(api, token, "singleEvents=true&showDeleted=true&syncToken=\(syncToken)")
            #expect(quiet.items.isEmpty)
        }
    }

    @Test("a series without end: instances the passing time brings into the horizon are reported")
    func seriesHorizonMovesWithTheClock() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            var series = Self.event("Weekly", hours: 10, id: "standup001").object ?? [:]
            series["recurrence"] = ["RRULE:FREQ=WEEKLY"]
            #expect(try await api.json(.post, Self.control, .object(series)).status == 200)
            _ = try await api.json(.post, Self.control, Self.event("Other", hours: 30, id: "other00001"))
            let first = try await Self.list(api, token, "singleEvents=true")
            _ = try await api.json(.post, "/_sandbox/clock/advance", ["seconds": .int(28 * 86_400)])
            let later = try await api.connect(.google, email: "ann@example.com").access  // the first token expired meanwhile
            let delta = try await Self.list(api, later, "singleEvents=true&syncToken=\(first.syncToken)")
            let now = try await Self.list(api, later, "singleEvents=true")
            #expect(now.items.count == first.items.count + 4, "full listings: \(first.items.count) then \(now.items.count)")
            #expect(delta.items.count == 4)
            #expect(delta.items.allSatisfy { $0["recurringEventId"]?.string == "standup001" })
            let quiet = try await Self.list(api, later, "singleEvents=true&syncToken=\(delta.syncToken)")
            #expect(quiet.items.isEmpty)
        }
    }
}
