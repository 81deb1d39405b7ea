import CRMSyncSupport
import Foundation

extension SandboxState {
    /// events.watch: opens a channel and queues its `sync` message.
    func googleWatch(_ key: String, calendarId: String, body: [String: JSONValue], baseURL: String) -> Reply {
        guard let id = body["id"]?.string, !id.isEmpty, id.count <= 64 else {
            return GoogleError.required("Required: channel id (at most 64 characters).")
        }
        guard ["web_hook", "webhook"].contains(body["type"]?.string ?? "") else {
            return GoogleError.invalid("Invalid value for: type. Expected web_hook.")
        }
        guard let address = body["address"]?.string, URL(string: address)?.scheme?.hasPrefix("http") == true else {
            return GoogleError.invalid("Invalid value for: address.")
        }
        if self.channels[id] != nil {
            return GoogleError.reply(400, reason: "channelIdNotUnique", message: "Channel id \(id) not unique")
        }
        let longest = self.now.addingTimeInterval(7 * 86_400)
        let requested = body["expiration"]?.int.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) }
        let expiration = min(requested ?? longest, longest)
        let resourceId = self.generator.string(27, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let escaped = FormEncoding.escape(calendarId)
        let channel = GoogleChannel(
            id: id, resourceId: resourceId, resourceURI: "\(baseURL)/calendar/v3/calendars/\(escaped)/events?alt=json",
            storeKey: key, address: address, token: body["token"]?.string, expiration: expiration, messageNumber: 1)
        self.channels[id] = channel
        self.send(self.googleMessage(channel, state: "sync"))
        var reply: [String: JSONValue] = [
            "kind": "api#channel", "id": .string(id), "resourceId": .string(resourceId),
            "resourceUri": .string(channel.resourceURI), "expiration": .string(String(Int64(expiration.timeIntervalSince1970 * 1000))),
        ]
        if let token = channel.token { reply["token"] = .string(token) }
        return .json(200, .object(reply))
    }

    /// channels.stop
    func googleStop(body: [String: JSONValue]) -> Reply {
        guard let id = body["id"]?.string, let channel = self.channels[id], channel.resourceId == body["resourceId"]?.string else {
            return GoogleError.reply(404, reason: "notFound", message: "Channel '\(body["id"]?.string ?? "")' not found for project 'sandbox'")
        }
        self.channels[id] = nil
        return .noContent
    }

    /// After any change to a calendar: an `exists` message to each live channel on it.
    func googleChanged(_ key: String) {
        for (id, channel) in self.channels.sorted(by: { $0.key < $1.key }) where channel.storeKey == key {
            guard channel.expiration > self.now else {
                self.channels[id] = nil
                continue
            }
            var next = channel
            next.messageNumber += 1 + Int(self.generator.next() % 3)
            self.channels[id] = next
            self.send(self.googleMessage(next, state: "exists"))
        }
    }

    private func googleMessage(_ channel: GoogleChannel, state: String) -> WebhookMessage {
        var headers: [(String, String)] = [
            ("X-Goog-Channel-ID", channel.id),
            ("X-Goog-Channel-Expiration", self.httpDate(channel.expiration)),
            ("X-Goog-Resource-ID", channel.resourceId),
            ("X-Goog-Resource-URI", channel.resourceURI),
            ("X-Goog-Resource-State", state),
            ("X-Goog-Message-Number", String(channel.messageNumber)),
        ]
        if let token = channel.token { headers.append(("X-Goog-Channel-Token", token)) }
        return WebhookMessage(url: channel.address, headers: headers, body: nil)
    }

    /// RFC 7231 date, as in `X-Goog-Channel-Expiration`.
    nonisolated func httpDate(_ date: Date) -> String {
        let calendar = RFC3339.calendar(RFC3339.utc)
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(days[(parts.weekday ?? 1) - 1]), \(RFC3339.pad(parts.day ?? 1, 2)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(RFC3339.pad(parts.hour ?? 0, 2)):\(RFC3339.pad(parts.minute ?? 0, 2)):\(RFC3339.pad(parts.second ?? 0, 2)) GMT"
    }
}
