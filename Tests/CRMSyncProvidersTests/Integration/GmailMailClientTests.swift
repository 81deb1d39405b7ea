import Foundation
import Testing
@testable import CRMSyncProviders

private func mime(from: String, to: String, subject: String, id: String, extra: String = "") -> String {
    "From: \(from)\r\nTo: \(to)\r\n\(extra)Subject: \(subject)\r\nMessage-ID: <\(id)>\r\n\r\nBody of \(subject)\r\n"
}

extension LiveSandbox {
    fileprivate func gmailClient(email: String, logCapture: LogCapture? = nil) async throws -> (GmailMailClient, OAuthTokenProvider) {
        let tokens = OAuthTokenProvider(tokens: try await self.connect(.google, email: email), client: self.oauthClient(.google))
        var http = self.http()
        if let logCapture { http.logger = logCapture.logger }
        return (GmailMailClient(endpoints: self.endpoints, tokens: tokens, http: http), tokens)
    }

    /// Mail arrives in the sandbox mailbox; returns its id.
    fileprivate func arrive(_ email: String, _ raw: String, labels: [String] = ["INBOX", "UNREAD"]) async throws -> String {
        let answer = try await self.control("POST", "/_sandbox/google/users/\(email)/messages", ["mime": raw, "labelIds": labels])
        return try #require((answer as? [String: Any])?["id"] as? String)
    }
}

@Suite struct GmailMailClientTests {
    @Test func fullListingPagesAndRawMessagesDecode() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.gmailClient(email: "ana@example.com")
            let profile = try await client.profile()
            #expect(profile.emailAddress == "ana@example.com" && !profile.historyId.isEmpty)
            var ids: [String] = []
            for index in 0..<7 {
                ids.append(try await sandbox.arrive("ana@example.com", mime(from: "x@example.org", to: "ana@example.com", subject: "S\(index)?>", id: "s\(index)@x")))
            }
            _ = try await sandbox.arrive("ana@example.com", mime(from: "ana@example.com", to: "x@example.org", subject: "Out", id: "out@x"), labels: ["SENT"])
            var listed: [String] = []
            var pageToken: String?
            var pages = 0
            repeat {
                let page = try await client.listMessages(labelId: "INBOX", pageToken: pageToken, pageSize: 3)
                listed += page.messages.map(\.id)
                pageToken = page.nextPageToken
                pages += 1
            } while pageToken != nil && pages < 10
            #expect(pages == 3)
            #expect(Set(listed) == Set(ids) && listed.count == 7)

            let message = try #require(try await client.rawMessage(id: ids[2]))
            #expect(String(decoding: message.raw, as: UTF8.self).contains("Subject: S2?>"))
            #expect(message.labelIds == ["INBOX", "UNREAD"] && message.threadId == ids[2] && message.internalDate != nil)
            #expect(message.sizeEstimate == message.raw.count)

            try await sandbox.control("DELETE", "/_sandbox/google/users/ana@example.com/messages/\(ids[2])")
            #expect(try await client.rawMessage(id: ids[2]) == nil)
        }
    }

    @Test func historyPagesInOrderAndExpiredCursorIsTyped() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.gmailClient(email: "bo@example.com")
            let start = try await client.profile().historyId
            // More changes than one history page (500) holds.
            var ids: [String] = []
            for index in 0..<502 {
                ids.append(try await sandbox.arrive("bo@example.com", mime(from: "x@example.org", to: "bo@example.com", subject: "H\(index)", id: "h\(index)@x")))
            }
            try await sandbox.control("PATCH", "/_sandbox/google/users/bo@example.com/messages/\(ids[0])", ["removeLabelIds": ["UNREAD"], "addLabelIds": ["STARRED"]])
            try await sandbox.control("DELETE", "/_sandbox/google/users/bo@example.com/messages/\(ids[1])")
            var changes: [GmailChange] = []
            var pageToken: String?
            var cursor = start
            var pages = 0
            repeat {
                let page = try await client.history(since: start, pageToken: pageToken)
                changes += page.changes
                pageToken = page.nextPageToken
                cursor = page.historyId
                pages += 1
            } while pageToken != nil && pages < 10
            #expect(pages == 2)
            #expect(changes.count == 505)
            #expect(Array(changes.prefix(502)) == ids.map { .added(GmailMessageRef(id: $0, threadId: $0, labelIds: ["INBOX", "UNREAD"])) })
            #expect(Array(changes.suffix(3)) == [.labelsAdded(id: ids[0], labels: ["STARRED"]), .labelsRemoved(id: ids[0], labels: ["UNREAD"]), .deleted(id: ids[1])])
            #expect(cursor != start)
            #expect(try await client.history(since: cursor, pageToken: nil).changes.isEmpty)

            try await sandbox.control("POST", "/_sandbox/users/bo@example.com/expire-cursors")
            await #expect(throws: ProviderError.cursorExpired) { _ = try await client.history(since: start, pageToken: nil) }
            #expect(try await client.history(since: cursor, pageToken: nil).historyId == cursor)
        }
    }

    @Test func rateLimitIsRetriedAfterTheServersDelay() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.gmailClient(email: "cy@example.com")
            _ = try await sandbox.arrive("cy@example.com", mime(from: "x@example.org", to: "cy@example.com", subject: "R", id: "r@x"))
            try await sandbox.control("POST", "/_sandbox/faults", ["route": "GET /gmail/v1/users/me/messages", "status": 429, "retryAfter": 7, "times": 2])
            #expect(try await client.listMessages(labelId: nil, pageToken: nil).messages.count == 1)
            #expect(sandbox.sleeper.waits == [.seconds(7), .seconds(7)])
            let counted = try await sandbox.control("GET", "/_sandbox/requests?route=GET%20/gmail/v1/users/me/messages") as? [String: Any]
            #expect(counted?["count"] as? Int == 3)
        }
    }

    @Test func sentMailIsFoundByMessageIDAndNotResentOnFailure() async throws {
        try await LiveSandbox.run { sandbox in
            let capture = LogCapture()
            let (client, tokens) = try await sandbox.gmailClient(email: "dee@example.com", logCapture: capture)
            let (bob, _) = try await sandbox.gmailClient(email: "bob@example.com")
            _ = try await bob.profile()
            let raw = mime(from: "dee@example.com", to: "bob@example.com", subject: "Hello", id: "dee-1@crm.example")
            let sent = try await client.send(raw: Data(raw.utf8), threadId: nil)
            #expect(sent.labelIds == ["SENT"])
            #expect(try await client.messageIDs(rfc822MessageID: "<dee-1@crm.example>") == [sent.id])
            #expect(try await client.messageIDs(rfc822MessageID: "dee-1@crm.example") == [sent.id])
            #expect(try await bob.listMessages(labelId: "INBOX", pageToken: nil).messages.count == 1)

            try await sandbox.control("POST", "/_sandbox/faults", ["route": "POST /gmail/v1/users/me/messages/send", "status": 503, "times": 1])
            await #expect(throws: ProviderError.temporary(retryAfter: nil)) { _ = try await client.send(raw: Data(raw.utf8), threadId: nil) }
            #expect(sandbox.sleeper.waits.isEmpty)

            let token = await tokens.tokens.accessToken
            do {
                _ = try await client.send(raw: Data(), threadId: nil)
                Issue.record("an empty message was accepted")
            } catch let error as ProviderError {
                #expect(error.description.contains("400"))
                #expect(!error.description.contains(token) && !error.debugDescription.contains(token))
            }
            #expect(!capture.text.contains(token) && !capture.text.contains("Bearer"))
        }
    }

    @Test func watchAndPushNotificationParse() async throws {
        try await LiveSandbox.run { sandbox in
            let (client, _) = try await sandbox.gmailClient(email: "eve@example.com")
            let watch = try await client.watch(topicName: "projects/crm/topics/gmail", labelIds: ["INBOX"])
            #expect(watch.historyId == (try await client.profile().historyId))
            #expect(watch.expiration > Date().addingTimeInterval(6 * 86_400))
            try await client.stopWatch()

            let payload = Data(#"{"emailAddress":"eve@example.com","historyId":9876}"#.utf8).base64EncodedString()
            let body = Data(#"{"message":{"data":"\#(payload)","messageId":"1","publishTime":"2025-03-01T00:00:00Z"},"subscription":"projects/p/subscriptions/s"}"#.utf8)
            #expect(try GmailPushNotification.parse(body) == GmailPushNotification(emailAddress: "eve@example.com", historyId: "9876"))
            #expect(throws: ProviderError.self) { try GmailPushNotification.parse(Data("{}".utf8)) }
        }
    }
}
