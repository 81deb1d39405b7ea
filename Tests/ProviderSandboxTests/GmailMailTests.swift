import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

private let gmail = "/gmail/v1/users/me"

/// A small RFC 822 message.
private func mime(from: String, to: String, subject: String, id: String, extra: String = "", body: String = "Hello there") -> String {
    "From: \(from)\r\nTo: \(to)\r\n\(extra)Subject: \(subject)\r\nMessage-ID: <\(id)>\r\nDate: Sat, 1 Mar 2025 10:00:00 +0000\r\n\r\n\(body)\r\n"
}

private func base64url(_ text: String) -> String { Base64URL.encode(Data(text.utf8)) }

extension SandboxClient {
    /// Mail arrives in `email`'s mailbox through the control API; returns its id.
    fileprivate func arrive(_ email: String, _ raw: String, labels: [String]? = nil, at ms: Int? = nil) async throws -> String {
        var body: [String: JSONValue] = ["mime": .string(raw)]
        if let labels { body["labelIds"] = .array(labels.map(JSONValue.string)) }
        if let ms { body["internalDate"] = .int(ms) }
        let result = try await self.json(.post, "/_sandbox/google/users/\(email)/messages", .object(body))
        #expect(result.status == 200)
        return try #require(result.json["id"]?.string)
    }

    fileprivate func stored(_ email: String) async throws -> [JSONValue] {
        try await self.json(.get, "/_sandbox/google/users/\(email)/messages").json["messages"]?.array ?? []
    }
}

@Suite struct GmailMailTests {
    @Test func listingIsNewestFirstPagedAndRawIsBase64URL() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "ann@example.com").access
            var ids: [String] = []
            for index in 0..<5 {
                let raw = mime(from: "x@example.org", to: "ann@example.com", subject: "N\(index)", id: "n\(index)@example.org",
                               body: "Body ??>> \(index)")
                ids.append(try await api.arrive("ann@example.com", raw, at: 1_740_000_000_000 + index * 1000))
            }
            #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
            var listed: [String] = []
            var pageToken: String?
            var pages = 0
            repeat {
                let query = "maxResults=2" + (pageToken.map { "&pageToken=\($0)" } ?? "")
                let page = try await api.json(.get, "\(gmail)/messages?\(query)", token: token)
                #expect(page.status == 200)
                #expect(page.json["resultSizeEstimate"]?.int == 5)
                listed += (page.json["messages"]?.array ?? []).compactMap { $0["id"]?.string }
                pageToken = page.json["nextPageToken"]?.string
                pages += 1
            } while pageToken != nil && pages < 10
            #expect(pages == 3)
            #expect(listed == ids.reversed())

            let raw = try await api.json(.get, "\(gmail)/messages/\(ids[0])?format=raw", token: token)
            let text = try #require(raw.json["raw"]?.string)
            #expect(!text.contains("+") && !text.contains("/") && !text.contains("="))
            #expect(Base64URL.decode(text).map { String(decoding: $0, as: UTF8.self) }?.contains("Body ??>> 0") == true)
            #expect(raw.json["internalDate"]?.string == "1740000000000")
            #expect(raw.json["labelIds"] == ["INBOX", "UNREAD"])
            let minimal = try await api.json(.get, "\(gmail)/messages/\(ids[0])?format=minimal", token: token)
            #expect(minimal.json["raw"] == nil && minimal.json["threadId"]?.string == ids[0])
            let missing = try await api.json(.get, "\(gmail)/messages/0000000000000000?format=raw", token: token)
            #expect(missing.status == 404)
            #expect(missing.json["error"]?["errors"]?.array?.first?["reason"]?.string == "notFound")
            #expect(try await api.json(.get, "\(gmail)/messages", token: nil).status == 401)

            _ = try await api.json(.patch, "/_sandbox/google/users/ann@example.com/messages/\(ids[1])", ["addLabelIds": ["TRASH", "Clients"]])
            let visible = try await api.json(.get, "\(gmail)/messages", token: token).json["messages"]?.array?.compactMap { $0["id"]?.string }
            #expect(visible?.contains(ids[1]) == false && visible?.count == 4)
            let all = try await api.json(.get, "\(gmail)/messages?includeSpamTrash=true", token: token).json["messages"]?.array
            #expect(all?.count == 5)
            let trash = try await api.json(.get, "\(gmail)/messages?q=in:trash", token: token).json["messages"]?.array
            #expect(trash?.compactMap { $0["id"]?.string } == [ids[1]])
            let labels = try await api.json(.get, "\(gmail)/labels", token: token).json["labels"]?.array ?? []
            #expect(labels.contains(["id": "Clients", "name": "Clients", "type": "user"]))
            #expect(labels.contains(["id": "INBOX", "name": "INBOX", "type": "system"]))

            _ = try await api.json(.post, "/_sandbox/faults", ["route": "GET /gmail/v1/users/*/messages", "status": 429, "retryAfter": 3, "times": 1])
            let limited = try await api.json(.get, "\(gmail)/messages", token: token)
            #expect(limited.status == 429 && limited.header("Retry-After") == "3")
            #expect(limited.json["error"]?["errors"]?.array?.first?["reason"]?.string == "rateLimitExceeded")
            let counted = try await api.json(.get, "/_sandbox/requests?route=GET%20/gmail/v1/users/me/messages")
            #expect(counted.json["count"]?.int == 8)
        }
    }

    @Test func historyRecordsChangesAndExpiredIdIs404() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.google, email: "bo@example.com").access
            let start = try #require(try await api.json(.get, "\(gmail)/profile", token: token).json["historyId"]?.string)
            let id = try await api.arrive("bo@example.com", mime(from: "x@example.org", to: "bo@example.com", subject: "Hi", id: "h1@x"))
            let path = "/_sandbox/google/users/bo@example.com/messages/\(id)"
            _ = try await api.json(.patch, path, ["addLabelIds": ["STARRED"], "removeLabelIds": ["UNREAD"]])
            #expect(try await api.json(.delete, path).status == 204)
            #expect(try await api.json(.get, "\(gmail)/messages/\(id)", token: token).status == 404)

            let history = try await api.json(.get, "\(gmail)/history?startHistoryId=\(start)", token: token)
            #expect(history.status == 200)
            let records = history.json["history"]?.array ?? []
            #expect(records.map { Set(($0.object ?? [:]).keys).subtracting(["id", "messages"]) } ==
                    [["messagesAdded"], ["labelsAdded"], ["labelsRemoved"], ["messagesDeleted"]])
            let recordIds = records.compactMap { $0["id"]?.string.flatMap { Int($0) } }
            #expect(recordIds == recordIds.sorted() && Set(recordIds).count == 4 && recordIds.allSatisfy { $0 > Int(start)! })
            #expect(records[0]["messagesAdded"]?.array?.first?["message"]?["labelIds"] == ["INBOX", "UNREAD"])
            #expect(records[1]["labelsAdded"]?.array?.first?["labelIds"] == ["STARRED"])
            #expect(records[2]["labelsRemoved"]?.array?.first?["labelIds"] == ["UNREAD"])
            #expect(records[3]["messagesDeleted"]?.array?.first?["message"]?["id"]?.string == id)
            let current = try #require(history.json["historyId"]?.string)
            #expect(current == records.last?["id"]?.string)

            let deletedOnly = try await api.json(.get, "\(gmail)/history?startHistoryId=\(start)&historyTypes=messageDeleted&historyTypes=labelAdded", token: token)
            #expect(deletedOnly.json["history"]?.array?.count == 2)
            let firstPage = try await api.json(.get, "\(gmail)/history?startHistoryId=\(start)&maxResults=3", token: token)
            #expect(firstPage.json["history"]?.array?.count == 3)
            let next = try #require(firstPage.json["nextPageToken"]?.string)
            let secondPage = try await api.json(.get, "\(gmail)/history?startHistoryId=\(start)&maxResults=3&pageToken=\(next)", token: token)
            #expect(secondPage.json["history"]?.array?.count == 1 && secondPage.json["nextPageToken"] == nil)

            let empty = try await api.json(.get, "\(gmail)/history?startHistoryId=\(current)", token: token)
            #expect(empty.status == 200 && empty.json["history"] == nil && empty.json["historyId"]?.string == current)
            #expect(try await api.json(.get, "\(gmail)/history?startHistoryId=\(Int(current)! + 50)", token: token).status == 404)

            #expect(try await api.json(.post, "/_sandbox/users/bo@example.com/expire-cursors").status == 200)
            let expired = try await api.json(.get, "\(gmail)/history?startHistoryId=\(start)", token: token)
            #expect(expired.status == 404)
            #expect(expired.json["error"]?["errors"]?.array?.first?["reason"]?.string == "notFound")
            #expect(try await api.json(.get, "\(gmail)/history?startHistoryId=\(current)", token: token).status == 200)
        }
    }

    @Test func sendDeliversThreadedCopiesWithoutBcc() async throws {
        try await withSandbox { api in
            let ann = try await api.connect(.google, email: "ann@example.com").access
            let bob = try await api.connect(.google, email: "bob@example.com").access
            let cy = try await api.connect(.google, email: "cy@example.com").access
            for token in [bob, cy] { _ = try await api.json(.get, "\(gmail)/profile", token: token) }

            let first = mime(from: "ann@example.com", to: "Bob <bob@example.com>", subject: "Plan", id: "m1@example.com",
                             extra: "Bcc: cy@example.com\r\n")
            let sent = try await api.json(.post, "\(gmail)/messages/send", token: ann, ["raw": .string(base64url(first))])
            #expect(sent.status == 200)
            #expect(sent.json["labelIds"] == ["SENT"])
            let sentId = try #require(sent.json["id"]?.string)
            let sentThread = try #require(sent.json["threadId"]?.string)

            let bobs = try await api.stored("bob@example.com")
            #expect(bobs.count == 1 && bobs.first?["labelIds"] == ["INBOX", "UNREAD"])
            let bobRaw = try #require(bobs.first?["raw"]?.string.flatMap(Base64URL.decode)).map { String(decoding: $0, as: UTF8.self) }
            #expect(bobRaw?.contains("Subject: Plan") == true && bobRaw?.lowercased().contains("bcc:") == false)
            let cys = try await api.stored("cy@example.com")
            #expect(cys.count == 1 && cys.first?["raw"]?.string.flatMap(Base64URL.decode).map { String(decoding: $0, as: UTF8.self).contains("Bcc:") } == false)
            #expect(try await api.stored("ann@example.com").first?["rfc822MessageId"]?.string == "m1@example.com")

            let reply = mime(from: "bob@example.com", to: "ann@example.com", subject: "Re: Plan", id: "m2@example.com",
                             extra: "In-Reply-To: <m1@example.com>\r\nReferences: <m1@example.com>\r\n")
            let replied = try await api.send(.post, "/upload/gmail/v1/users/me/messages/send?uploadType=media",
                                             headers: ["Authorization": "Bearer \(bob)", "Content-Type": "message/rfc822"], body: Data(reply.utf8))
            #expect(replied.status == 200)
            #expect(replied.json["threadId"] == bobs.first?["threadId"])
            let annInbox = try await api.stored("ann@example.com")
            #expect(annInbox.count == 2)
            #expect(annInbox.last?["threadId"]?.string == sentThread && annInbox.last?["labelIds"] == ["INBOX", "UNREAD"])

            for query in ["rfc822msgid:m1@example.com", "rfc822msgid:%3Cm1@example.com%3E"] {
                let found = try await api.json(.get, "\(gmail)/messages?q=\(query)", token: ann)
                #expect(found.json["messages"]?.array?.compactMap { $0["id"]?.string } == [sentId])
            }
            let inSent = try await api.json(.get, "\(gmail)/messages?q=in:sent", token: ann).json["messages"]?.array
            #expect(inSent?.compactMap { $0["id"]?.string } == [sentId])
            #expect(try await api.json(.post, "\(gmail)/messages/send", token: ann, ["threadId": "x"]).status == 400)
        }
    }

    @Test func watchPushesPubSubMessagesToTheTopicEndpoint() async throws {
        try await withReceiver { address, inbox in
            try await withSandbox { api in
                let token = try await api.connect(.google, email: "dee@example.com").access
                let topic = "projects/crm/topics/gmail"
                #expect(try await api.json(.post, "/_sandbox/google/pubsub", ["topicName": .string(topic), "pushEndpoint": .string(address + "?token=secret")]).status == 200)
                let watch = try await api.json(.post, "\(gmail)/watch", token: token, ["topicName": .string(topic), "labelIds": ["INBOX"]])
                #expect(watch.status == 200)
                #expect(watch.json["expiration"]?.string == String(Int64(testEpoch.timeIntervalSince1970 * 1000) + 7 * 86_400_000))
                #expect(watch.json["historyId"] != nil)
                _ = try await api.arrive("dee@example.com", mime(from: "x@example.org", to: "dee@example.com", subject: "A", id: "a@x"))
                _ = try await api.arrive("dee@example.com", mime(from: "dee@example.com", to: "x@example.org", subject: "B", id: "b@x"), labels: ["SENT"])
                _ = try await api.arrive("dee@example.com", mime(from: "x@example.org", to: "dee@example.com", subject: "C", id: "c@x"))
                let current = try #require(try await api.json(.get, "\(gmail)/profile", token: token).json["historyId"]?.string)

                let received = await inbox.wait(for: 2)
                #expect(received.count == 2)
                #expect(received.allSatisfy { $0.query["token"] == "secret" && $0.headers["content-type"] == "application/json" })
                let push = try #require(received.last.flatMap { JSONValue.parseObject($0.body) })
                #expect(push["subscription"]?.string?.hasPrefix("projects/sandbox/subscriptions/") == true)
                #expect(push["message"]?["messageId"]?.string != nil && push["message"]?["publishTime"]?.string != nil)
                let data = try #require(push["message"]?["data"]?.string.flatMap { Data(base64Encoded: $0) }.flatMap(JSONValue.parseObject))
                #expect(data["emailAddress"]?.string == "dee@example.com")
                #expect(data["historyId"]?.int == Int(current))

                #expect(try await api.json(.post, "\(gmail)/stop", token: token).status == 204)
                #expect(try await api.json(.post, "\(gmail)/watch", token: token, ["topicName": "not-a-topic"]).status == 400)
            }
        }
    }
}
