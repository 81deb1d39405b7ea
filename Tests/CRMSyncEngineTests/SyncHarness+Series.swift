import CRMSyncProviders
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation

/// Recurring series on the calendar side (Google): created as the person does, and the
/// calendar as a client lists it (series expanded into their instances, edited instances
/// as edited, cancelled ones left out).
extension SyncHarness {
    /// A weekly series of `count` instances shaped like `shape`; returns the series' id.
    @discardableResult
    func createSeries(_ shape: EventShape, count: Int) async throws -> String {
        var body = self.body(shape).withoutNulls
        body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=\(count)"]
        let answer = try await self.sandbox.control("POST", self.eventsPath, body)
        guard let id = answer["id"] as? String else { throw TestSetupError("the sandbox returned no series id") }
        return id
    }

    /// The calendar's live events by id as `events.list?singleEvents=true` shows them, every page.
    func listedEvents() async throws -> [String: EventShape] {
        let tokens = try await self.sandbox.authorize(self.provider, email: self.email)
        let transport = URLSessionTransport(defaultTimeout: .seconds(10))
        var result: [String: EventShape] = [:]
        var pageToken: String?
        repeat {
            var components = URLComponents(
                url: self.sandbox.base.appendingPathComponent("calendar/v3/calendars/primary/events"), resolvingAgainstBaseURL: false)
            components?.queryItems = [URLQueryItem(name: "singleEvents", value: "true"), URLQueryItem(name: "maxResults", value: "2500")]
                + (pageToken.map { [URLQueryItem(name: "pageToken", value: $0)] } ?? [])
            guard let url = components?.url else { throw TestSetupError("bad listing URL") }
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: url, headers: ["Authorization": "Bearer \(tokens.accessToken)"]))
            guard response.isSuccess, let page = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
                throw TestSetupError("the sandbox listing answered \(response.status)")
            }
            for item in page["items"] as? [[String: Any]] ?? [] {
                if let id = item["id"] as? String, let shape = self.shape(of: item) { result[id] = shape }
            }
            pageToken = page["nextPageToken"] as? String
        } while pageToken != nil
        return result
    }
}
