import Foundation
import Testing
@testable import CRMSyncProviders

/// An RFC 5322 message with CRLF line ends.
private func message(from: String = "zoe@fabrikam.com", to: String, bcc: String? = nil, subject: String) -> String {
    var lines = ["From: \(from)", "To: \(to)"]
    if let bcc { lines.append("Bcc: \(bcc)") }
    let id = subject.lowercased().replacingOccurrences(of: " ", with: "-")
    lines += ["Subject: \(subject)", "Message-ID: <\(id)@fabrikam.com>", "MIME-Version: 1.0", "Content-Type: text/plain", "", "About \(subject).", ""]
    return lines.joined(separator: "\r\n")
}

extension LiveSandbox {
    func mailClient(email: String, pageSize: Int = 100) async throws -> GraphMailClient {
        let tokens = OAuthTokenProvider(tokens: try await self.connect(.outlook, email: email), client: self.oauthClient(.outlook))
        return GraphMailClient(endpoints: self.endpoints, tokens: tokens, http: self.http(), pageSize: pageSize)
    }

    /// Mail arrives in Outlook; returns its immutable id.
    func arriveInOutlook(_ email: String, _ subject: String, folder: String = "inbox") async throws -> String {
        let answer = try await self.control("POST", "/_sandbox/microsoft/users/\(email)/messages",
                                            ["mime": message(to: email, subject: subject), "folder": folder]) as? [String: Any]
        return try #require(answer?["immutableId"] as? String)
    }

    func messages(_ email: String) async throws -> [[String: Any]] {
        (try await self.control("GET", "/_sandbox/microsoft/users/\(email)/messages") as? [String: Any])?["value"] as? [[String: Any]] ?? []
    }

    func traffic(_ email: String) async throws -> [String: Int] {
        let answer = try await self.control("GET", "/_sandbox/microsoft/users/\(email)/mail/traffic") as? [String: Any]
        return answer?.compactMapValues { ($0 as? NSNumber)?.intValue } ?? [:]
    }
}

/// Reads a folder's delta from `position` to its deltaLink.
private func round(_ client: GraphMailClient, _ folder: String, _ position: MailDeltaPosition) async throws -> (page: GraphMailDeltaPage, pages: Int) {
    var all = GraphMailDeltaPage(messages: [], removedIDs: [], nextLink: nil, deltaLink: nil)
    var position = position
    for pages in 1...50 {
        let page = try await client.deltaPage(folder: folder, position)
        all.messages += page.messages
        all.removedIDs += page.removedIDs
        if let next = page.nextLink {
            position = .continuation(nextLink: next)
        } else {
            all.deltaLink = page.deltaLink
            return (all, pages)
        }
    }
    throw ProviderError.invalidResponse("too many pages")
}

@Suite struct GraphMailClientTests {
    @Test func fullRoundPagesThenChangesKeepImmutableIds() async throws {
        try await LiveSandbox.run { sandbox in
            let client = try await sandbox.mailClient(email: "ana@contoso.com", pageSize: 2)
            var ids: [String] = []
            for index in 0..<5 { ids.append(try await sandbox.arriveInOutlook("ana@contoso.com", "Mail \(index)")) }
            let full = try await round(client, "inbox", .full)
            #expect(full.pages == 3)
            #expect(full.page.messages.map(\.id) == ids)
            let first = try #require(full.page.messages.first)
            #expect(first.internetMessageId == "<mail-0@fabrikam.com>" && first.isRead == false && first.isDraft == false)
            #expect(first.conversationId != nil && first.parentFolderId != nil && first.receivedDateTime != nil && first.categories == [])
            let archive = try await round(client, "archive", .full)
            #expect(archive.page.messages.isEmpty)

            try await sandbox.control("PATCH", "/_sandbox/microsoft/users/ana@contoso.com/messages/\(ids[1])", ["folder": "archive"])
            try await sandbox.control("DELETE", "/_sandbox/microsoft/users/ana@contoso.com/messages/\(ids[2])")
            try await sandbox.control("PATCH", "/_sandbox/microsoft/users/ana@contoso.com/messages/\(ids[3])", ["isRead": true, "categories": ["Blue"]])
            let late = try await sandbox.arriveInOutlook("ana@contoso.com", "Mail 5")
            let changes = try await round(client, "inbox", .changes(deltaLink: try #require(full.page.deltaLink)))
            #expect(Set(changes.page.removedIDs) == [ids[1], ids[2]])
            #expect(changes.page.messages.map(\.id) == [ids[3], late])
            #expect(changes.page.messages.first?.isRead == true && changes.page.messages.first?.categories == ["Blue"])
            // The moved message keeps its id in the other folder: every request asked for immutable ids.
            let moved = try await round(client, "archive", .changes(deltaLink: try #require(archive.page.deltaLink)))
            #expect(moved.page.messages.map(\.id) == [ids[1]])
            let traffic = try await sandbox.traffic("ana@contoso.com")
            #expect(traffic["requests"] == 7 && traffic["immutableIdRequests"] == 7)
        }
    }

    @Test func expiredOrForeignDeltaLinkIsCursorExpired() async throws {
        try await LiveSandbox.run { sandbox in
            let client = try await sandbox.mailClient(email: "bo@contoso.com")
            _ = try await sandbox.arriveInOutlook("bo@contoso.com", "Hello")
            let full = try await round(client, "inbox", .full)
            let link = try #require(full.page.deltaLink)
            try await sandbox.control("POST", "/_sandbox/users/bo@contoso.com/expire-cursors")
            await #expect(throws: ProviderError.cursorExpired) { _ = try await client.deltaPage(folder: "inbox", .changes(deltaLink: link)) }
            await #expect(throws: ProviderError.cursorExpired) {
                _ = try await client.deltaPage(folder: "inbox", .changes(deltaLink: "https://elsewhere.example/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=x"))
            }
            #expect(try await round(client, "inbox", .full).page.messages.count == 1)
        }
    }

    @Test func mimesStayWithinTheMailboxLimitAcrossCallers() async throws {
        try await LiveSandbox.run { sandbox in
            let client = try await sandbox.mailClient(email: "cy@contoso.com")
            var ids: [String] = []
            for index in 0..<20 { ids.append(try await sandbox.arriveInOutlook("cy@contoso.com", "Bulk \(index)")) }
            try await sandbox.control("POST", "/_sandbox/microsoft/mail/latency", ["ms": 40])
            let copy = client
            async let first = client.mimes(messageIDs: ids + ["AAkALgUnknown"])
            async let second = copy.mimes(messageIDs: Array(ids.prefix(8)))
            let (results, others) = await (first, second)
            try await sandbox.control("POST", "/_sandbox/microsoft/mail/latency", ["ms": 0])
            #expect(results.count == 21 && others.count == 8)
            for (index, id) in ids.enumerated() {
                let data = try results[id]?.get()
                #expect(data.map { String(decoding: $0, as: UTF8.self) } == message(to: "cy@contoso.com", subject: "Bulk \(index)"))
            }
            #expect(try results["AAkALgUnknown"]?.get() == .some(nil))
            let traffic = try await sandbox.traffic("cy@contoso.com")
            #expect(traffic["throttled"] == 0 && traffic["requests"] == 29)
            #expect((traffic["maxInFlight"] ?? 99) <= 4)
            #expect(sandbox.sleeper.waits.isEmpty)
        }
    }

    @Test func throttledRequestWaitsRetryAfterAndSendIsNotRetried() async throws {
        try await LiveSandbox.run { sandbox in
            let client = try await sandbox.mailClient(email: "di@contoso.com")
            let id = try await sandbox.arriveInOutlook("di@contoso.com", "Retry")
            try await sandbox.control("POST", "/_sandbox/faults", ["route": "GET /v1.0/me/messages/*/$value", "status": 429, "retryAfter": 7, "times": 1])
            let data = try #require(try await client.mime(messageID: id))
            #expect(String(decoding: data, as: UTF8.self).contains("Subject: Retry"))
            #expect(sandbox.sleeper.waits == [.seconds(7)])

            _ = try await sandbox.arriveInOutlook("ed@contoso.com", "Mailbox exists")
            try await sandbox.control("POST", "/_sandbox/faults", ["route": "POST /v1.0/me/sendMail", "status": 503, "times": 1])
            let raw = Data(message(from: "di@contoso.com", to: "ed@contoso.com", subject: "Once").utf8)
            await #expect(throws: ProviderError.temporary(retryAfter: nil)) { try await client.sendMIME(raw) }
            #expect(sandbox.sleeper.waits == [.seconds(7)])
            #expect(try await sandbox.messages("ed@contoso.com").count == 1)
        }
    }

    @Test func sendMIMEDeliversAndKeepsACopy() async throws {
        try await LiveSandbox.run { sandbox in
            let client = try await sandbox.mailClient(email: "fa@contoso.com")
            _ = try await sandbox.arriveInOutlook("gil@contoso.com", "Mailbox exists")
            let raw = Data(message(from: "fa@contoso.com", to: "gil@contoso.com", bcc: "hal@contoso.com", subject: "Proposal").utf8)
            try await client.sendMIME(raw)
            let delivered = try #require(try await sandbox.messages("gil@contoso.com").first { $0["subject"] as? String == "Proposal" })
            #expect(delivered["folder"] as? String == "inbox" && delivered["isRead"] as? Bool == false)
            #expect((delivered["mime"] as? String)?.contains("Bcc:") == false)
            let sent = try await sandbox.messages("fa@contoso.com")
            #expect(sent.count == 1 && sent.first?["folder"] as? String == "sentitems" && sent.first?["isRead"] as? Bool == true)
        }
    }

    @Test func inboxSubscriptionIsValidatedAndNotified() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        try await LiveSandbox.run { sandbox in
            let client = try await sandbox.mailClient(email: "ivy@contoso.com")
            let subscription = try await client.subscribeToInbox(notificationURL: receiver.url, clientState: "mail-secret",
                                                                 expiration: Date().addingTimeInterval(3600))
            #expect(subscription.resource == "me/mailFolders('inbox')/messages" && subscription.clientState == "mail-secret")
            let before = receiver.requests.count
            _ = try await sandbox.arriveInOutlook("ivy@contoso.com", "Ping")
            for _ in 0..<100 where receiver.requests.count <= before { try await Task.sleep(for: .milliseconds(50)) }
            #expect(receiver.requests.count == before + 1)
        }
    }
}
