import CRMSyncSupport
import Foundation

/// `users.watch` / `users.stop` and the Pub/Sub push they lead to: a change touching a
/// watched label publishes `{emailAddress, historyId}` to the watch's topic, and the sandbox
/// posts it, shaped as Pub/Sub's push delivery, to the endpoint registered for that topic
/// (control API; what an operator sets up in Pub/Sub).
extension SandboxState {
    func gmailWatch(_ email: String, body: [String: JSONValue]) -> Reply {
        guard let topic = body["topicName"]?.string, topic.hasPrefix("projects/"), topic.contains("/topics/") else {
            return GmailError.invalidArgument("Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC")
        }
        let labels = (body["labelIds"]?.array ?? []).compactMap(\.string)
        let exclude = body["labelFilterBehavior"]?.string?.lowercased() == "exclude"
            || body["labelFilterAction"]?.string?.lowercased() == "exclude"
        let expiration = self.now.addingTimeInterval(7 * 86_400)
        var mailbox = self.gmailMailbox(email)
        mailbox.watch = GmailWatchState(topicName: topic, labelIds: labels, exclude: exclude, expiration: expiration)
        self.gmailMailboxes[mailbox.email] = mailbox
        return .json(200, [
            "historyId": .string(String(mailbox.historyId)),
            "expiration": .string(String(Int64(expiration.timeIntervalSince1970 * 1000))),
        ])
    }

    func gmailStop(_ email: String) -> Reply {
        let key = self.gmailMailbox(email).email
        self.gmailMailboxes[key]?.watch = nil
        return .noContent
    }

    /// Control API: where Pub/Sub pushes a topic's messages (the URL kept verbatim, query too).
    func gmailSetPushEndpoint(_ body: [String: JSONValue]) -> Reply {
        guard let topic = body["topicName"]?.string, let endpoint = body["pushEndpoint"]?.string,
            URL(string: endpoint)?.scheme?.hasPrefix("http") == true
        else { return .json(400, ["error": "topicName and an http(s) pushEndpoint are required"]) }
        self.gmailTopics[topic] = endpoint
        return .json(200, ["topicName": .string(topic), "pushEndpoint": .string(endpoint)])
    }

    /// Queues the push for a history record when the mailbox's live watch covers it.
    func gmailPush(_ mailbox: GmailMailbox, _ record: GmailHistoryRecord) {
        guard let watch = mailbox.watch else { return }
        guard watch.expiration > self.now else {
            self.gmailMailboxes[mailbox.email]?.watch = nil
            return
        }
        let touched = Set(record.message.labelIds + record.labels)
        let covered = watch.labelIds.isEmpty || !touched.isDisjoint(with: watch.labelIds)
        guard covered != watch.exclude || watch.labelIds.isEmpty, let endpoint = self.gmailTopics[watch.topicName] else { return }
        let data: JSONValue = ["emailAddress": .string(mailbox.email), "historyId": .int(record.id)]
        let messageId = self.generator.digits(16)
        let published = RFC3339.format(self.now, fractionalDigits: 3)
        let topicName = watch.topicName.split(separator: "/").last.map(String.init) ?? "gmail"
        let body: JSONValue = [
            "message": [
                "data": .string(data.encoded().base64EncodedString()), "messageId": .string(messageId), "message_id": .string(messageId),
                "publishTime": .string(published), "publish_time": .string(published),
            ],
            "subscription": .string("projects/sandbox/subscriptions/\(topicName)-push"),
        ]
        self.send(WebhookMessage(url: endpoint, headers: [("Content-Type", "application/json")], body: body.encoded()))
    }
}
