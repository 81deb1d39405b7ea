import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Outlook mail as the sandbox serves it at Graph's paths, and its control API.
@Suite struct GraphMailTests {
    @Test func deltaPagesThenReturnsOnlyChanges() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "mia@contoso.com").access
            var arrived: [JSONValue] = []
            for index in 0..<3 { arrived.append(try await api.arriveInOutlook("mia@contoso.com", "Note \(index)")) }
            let first = try await api.json(.get, "/v1.0/me/mailFolders/Inbox/messages/delta", token: token,
                                           headers: ["Prefer": "odata.maxpagesize=2, IdType=\"ImmutableId\""])
            #expect(first.json["value"]?.array?.count == 2)
            let next = try #require(first.json["@odata.nextLink"]?.string)
            #expect(next.hasPrefix("http://") && next.contains("/v1.0/me/mailFolders/Inbox/messages/delta?$skiptoken="))
            let message = try #require(first.json["value"]?.array?.first)
            #expect(message["id"] == arrived[0]["immutableId"])
            #expect(message["internetMessageId"]?.string == "<note-0@fabrikam.com>")
            #expect(message["from"]?["emailAddress"]?["address"]?.string == "zoe@fabrikam.com")
            #expect(message["toRecipients"]?.array?.first?["emailAddress"]?["address"]?.string == "mia@contoso.com")
            #expect(message["isRead"]?.bool == false && message["isDraft"]?.bool == false)
            #expect(message["@odata.etag"]?.string?.hasPrefix("W/\"") == true && message["conversationId"]?.string != nil)
            let round = try await api.deltaRound(pathOf(next), token: token)
            #expect(round.items.count == 1)

            let late = try await api.arriveInOutlook("mia@contoso.com", "Note 3")
            let read = try #require(arrived[1]["immutableId"]?.string), gone = try #require(arrived[2]["immutableId"]?.string)
            #expect(try await api.json(.patch, "/_sandbox/microsoft/users/mia@contoso.com/messages/\(read)", ["isRead": true]).status == 200)
            #expect(try await api.json(.delete, "/_sandbox/microsoft/users/mia@contoso.com/messages/\(gone)").status == 204)
            let changes = try await api.deltaRound(round.deltaLink, token: token)
            let lateId = try #require(late["immutableId"]?.string)
            #expect(listedIDs(changes.items) == [read, lateId])
            #expect(changes.items.first { $0["id"]?.string == read }?["isRead"]?.bool == true)
            #expect(changes.items.first { $0["id"]?.string == read }?["subject"]?.string == "Note 1")
            #expect(removedIDs(changes.items) == [gone])
            #expect(changes.items.first { $0["@removed"] != nil }?["@removed"]?["reason"]?.string == "deleted")
            let quiet = try await api.deltaRound(changes.deltaLink, token: token)
            #expect(quiet.items.isEmpty)

            let selected = try await api.deltaRound("/v1.0/me/mailFolders/inbox/messages/delta?$select=subject&changeType=created", token: token)
            #expect(selected.items.count == 3 && selected.items.allSatisfy { $0["subject"] != nil && $0["from"] == nil })

            let old = mailText(from: "zoe@fabrikam.com", to: ["mia@contoso.com"], subject: "Old", id: "old@fabrikam.com")
            _ = try await api.json(.post, "/_sandbox/microsoft/users/mia@contoso.com/messages",
                                   ["mime": .string(old), "receivedDateTime": "2025-01-15T10:00:00Z"])
            let recent = try await api.deltaRound("/v1.0/me/mailFolders/inbox/messages/delta?$filter=receivedDateTime%20ge%202025-02-01T00:00:00Z", token: token)
            #expect(recent.items.count == 3 && !recent.items.contains { $0["subject"]?.string == "Old" })
        }
    }

    @Test func moveIsRemovedFromOneFolderAndListedInTheOtherWithIdsByIdType() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "max@contoso.com").access
            let arrived = try await api.arriveInOutlook("max@contoso.com", "Contract")
            let immutableId = try #require(arrived["immutableId"]?.string), restId = try #require(arrived["id"]?.string)
            let inboxImmutable = try await api.deltaRound("/v1.0/me/mailFolders/inbox/messages/delta", token: token)
            let inboxRest = try await api.deltaRound("/v1.0/me/mailFolders/inbox/messages/delta", token: token, headers: [:])
            #expect(listedIDs(inboxImmutable.items) == [immutableId] && listedIDs(inboxRest.items) == [restId])
            let archiveImmutable = try await api.deltaRound("/v1.0/me/mailFolders/ARCHIVE/messages/delta", token: token)
            let archiveRest = try await api.deltaRound("/v1.0/me/mailFolders/archive/messages/delta", token: token, headers: [:])
            #expect(archiveImmutable.items.isEmpty && archiveRest.items.isEmpty)

            let moved = try await api.json(.patch, "/_sandbox/microsoft/users/max@contoso.com/messages/\(restId)", ["folder": "archive"])
            let newRestId = try #require(moved.json["id"]?.string)
            #expect(newRestId != restId && moved.json["immutableId"]?.string == immutableId)

            // Delta links remember the IdType they were made with, whatever a later call asks.
            let leftImmutable = try await api.deltaRound(inboxImmutable.deltaLink, token: token, headers: [:]).items
            let leftRest = try await api.deltaRound(inboxRest.deltaLink, token: token).items
            let arrivedImmutable = try await api.deltaRound(archiveImmutable.deltaLink, token: token).items
            #expect(removedIDs(leftImmutable) == [immutableId] && listedIDs(leftImmutable).isEmpty)
            #expect(removedIDs(leftRest) == [restId])
            #expect(listedIDs(arrivedImmutable) == [immutableId])
            let archived = try await api.deltaRound(archiveRest.deltaLink, token: token, headers: [:]).items
            #expect(listedIDs(archived) == [newRestId])
            #expect(archived.first?["parentFolderId"] != nil && archived.first?["parentFolderId"] != inboxRest.items.first?["parentFolderId"])
            #expect(try await api.json(.get, "/v1.0/me/messages/\(restId)", token: token).status == 404)
            #expect(try await api.json(.get, "/v1.0/me/messages/\(immutableId)", token: token).status == 200)
        }
    }

    @Test func expiredDeltaLinkAnswers410ResyncRequired() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "liv@contoso.com").access
            _ = try await api.arriveInOutlook("liv@contoso.com", "Hello")
            let round = try await api.deltaRound("/v1.0/me/mailFolders/inbox/messages/delta", token: token)
            #expect(try await api.json(.get, round.deltaLink, token: token).status == 200)
            let expired = try await api.json(.post, "/_sandbox/users/liv@contoso.com/expire-cursors")
            #expect((expired.json["expired"]?.int ?? 0) >= 1)
            let gone = try await api.json(.get, round.deltaLink, token: token)
            #expect(gone.status == 410)
            #expect(gone.json["error"]?["code"]?.string == "resyncRequired")
            #expect(try await api.json(.get, "/v1.0/me/mailFolders/inbox/messages/delta", token: token).status == 200)
        }
    }

    @Test func messageAndItsMIME() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "ida@contoso.com").access
            let arrived = try await api.arriveInOutlook("ida@contoso.com", "Invoice")
            let id = try #require(arrived["id"]?.string)
            let value = try await api.json(.get, "/v1.0/me/messages/\(id)/$value", token: token)
            #expect(value.status == 200 && value.header("Content-Type") == "message/rfc822")
            #expect(value.text == mailText(from: "zoe@fabrikam.com", to: ["ida@contoso.com"], subject: "Invoice", id: "invoice@fabrikam.com"))
            let message = try await api.json(.get, "/v1.0/me/messages/\(id)", token: token)
            #expect(message.json["subject"]?.string == "Invoice" && message.json["bodyPreview"]?.string == "Hello about Invoice.")
            let missing = try await api.json(.get, "/v1.0/me/messages/AAMkNope/$value", token: token)
            #expect(missing.status == 404 && missing.json["error"]?["code"]?.string == "ErrorItemNotFound")
            #expect(try await api.json(.get, "/v1.0/me/messages/\(id)/$value").status == 401)
        }
    }

    @Test func sendMailDeliversInTheConversationWithoutBcc() async throws {
        try await withSandbox { api in
            let token = try await api.connect(.microsoft, email: "ann@contoso.com").access
            // Bob wrote to Ann first; Carl has a mailbox; Dan has none.
            let original = mailText(from: "bob@contoso.com", to: ["ann@contoso.com"], subject: "Offer", id: "offer@contoso.com")
            _ = try await api.json(.post, "/_sandbox/microsoft/users/bob@contoso.com/messages", ["mime": .string(original), "folder": "sentitems", "isRead": true])
            _ = try await api.json(.post, "/_sandbox/microsoft/users/ann@contoso.com/messages", ["mime": .string(original)])
            _ = try await api.arriveInOutlook("carl@contoso.com", "Unrelated")
            let reply = mailText(from: "ann@contoso.com", to: ["bob@contoso.com"], cc: ["dan@elsewhere.com"], bcc: ["carl@contoso.com"],
                                 subject: "Re: Offer", id: "reply@contoso.com", inReplyTo: "offer@contoso.com")
            let sent = try await api.send(.post, "/v1.0/me/sendMail", headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain"],
                                          body: Data(Data(reply.utf8).base64EncodedString().utf8))
            #expect(sent.status == 202 && sent.data.isEmpty)

            func messages(_ email: String) async throws -> [JSONValue] {
                try await api.json(.get, "/_sandbox/microsoft/users/\(email)/messages").json["value"]?.array ?? []
            }
            let bob = try await messages("bob@contoso.com")
            let received = try #require(bob.first { $0["folder"]?.string == "inbox" })
            #expect(received["subject"]?.string == "Re: Offer" && received["isRead"]?.bool == false)
            #expect(received["conversationId"] == bob.first { $0["folder"]?.string == "sentitems" }?["conversationId"])
            #expect(received["mime"]?.string?.contains("Bcc:") == false && received["mime"]?.string?.contains("Re: Offer") == true)
            let carl = try #require(try await messages("carl@contoso.com").first { $0["subject"]?.string == "Re: Offer" })
            #expect(carl["mime"]?.string?.contains("Bcc:") == false)
            let ann = try await messages("ann@contoso.com")
            let copy = try #require(ann.first { $0["folder"]?.string == "sentitems" })
            #expect(copy["isRead"]?.bool == true && copy["subject"]?.string == "Re: Offer")
            #expect(copy["conversationId"] == ann.first { $0["folder"]?.string == "inbox" }?["conversationId"])

            let json: JSONValue = ["message": ["subject": "Plain JSON", "body": ["contentType": "text", "content": "Hi Bob"],
                                               "toRecipients": [["emailAddress": ["address": "bob@contoso.com"]]]],
                                   "saveToSentItems": false]
            #expect(try await api.json(.post, "/v1.0/me/sendMail", token: token, json).status == 202)
            #expect(try await messages("bob@contoso.com").contains { $0["subject"]?.string == "Plain JSON" && $0["folder"]?.string == "inbox" })
            #expect(try await messages("ann@contoso.com").count == ann.count)
        }
    }

    /// Over a listening server (the router test client answers one request at a time).
    @Test func fifthConcurrentRequestOfAMailboxIsThrottled() async throws {
        let sandbox = ProviderSandbox(configuration: SandboxConfiguration(port: 0, clock: { testEpoch }))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { server in
            server.addTask { try await sandbox.run { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            let base = "http://127.0.0.1:\(try #require(await iterator.next()))"
            defer { server.cancelAll() }
            let token = try await LiveServerTests.connect(base: base, email: "kim@contoso.com")
            let arrived = try await live(base, "POST", "/_sandbox/microsoft/users/kim@contoso.com/messages",
                                         body: ["mime": .string(mailText(from: "a@b.com", to: ["kim@contoso.com"], subject: "Busy", id: "busy@b.com"))])
            let path = "/v1.0/me/messages/\(try #require(arrived.json["id"]?.string))/$value"
            #expect(try await live(base, "POST", "/_sandbox/microsoft/mail/hold", body: ["hold": true]).status == 204)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await live(base, "GET", path, token: token).status } }
                // Wait until the four hold their slots.
                var inFlight = 0
                for _ in 0..<500 where inFlight < 4 {
                    inFlight = try await live(base, "GET", "/_sandbox/microsoft/users/kim@contoso.com/mail/traffic").json["inFlight"]?.int ?? 0
                    if inFlight < 4 { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(inFlight == 4)
                let fifth = try await live(base, "GET", path, token: token)
                #expect(fifth.status == 429 && fifth.headers["retry-after"] == "1")
                #expect(fifth.json["error"]?["code"]?.string == "ApplicationThrottled")
                #expect(fifth.json["error"]?["message"]?.string?.contains("MailboxConcurrency") == true)
                _ = try await live(base, "POST", "/_sandbox/microsoft/mail/hold", body: ["hold": false])
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == [200, 200, 200, 200])
            }
            let traffic = try await live(base, "GET", "/_sandbox/microsoft/users/kim@contoso.com/mail/traffic").json
            #expect(traffic["maxInFlight"]?.int == 4 && traffic["throttled"]?.int == 1 && traffic["inFlight"]?.int == 0)
            #expect(try await live(base, "GET", path, token: token).status == 200)
        }
    }

    @Test func inboxSubscriptionNotifiesNewMessages() async throws {
        try await withReceiver { address, inbox in
            try await withSandbox { api in
                let token = try await api.connect(.microsoft, email: "uma@contoso.com").access
                let request: JSONValue = [
                    "changeType": "created", "notificationUrl": .string(address), "resource": "me/mailFolders('inbox')/messages",
                    "expirationDateTime": .string(RFC3339.format(testEpoch.addingTimeInterval(86_400))), "clientState": "mail-state",
                ]
                let created = try await api.json(.post, "/v1.0/subscriptions", token: token, headers: immutable, request)
                #expect(created.status == 201)
                let subscription = try #require(created.json["id"]?.string)
                #expect(await inbox.wait(for: 1).count == 1)
                let first = try await api.arriveInOutlook("uma@contoso.com", "First")
                _ = try await api.arriveInOutlook("uma@contoso.com", "Filed", folder: "archive")
                _ = try await api.json(.post, "/_sandbox/microsoft/users/uma@contoso.com/events", graphEvent("Not mail", day: 4))
                let second = try await api.arriveInOutlook("uma@contoso.com", "Second")
                let notes = await inbox.wait(for: 3).dropFirst().compactMap { JSONValue.parseObject($0.body)?["value"]?.array?.first }
                #expect(notes.count == 2)
                let userId = try #require(notes.first?["resource"]?.string?.split(separator: "/").dropFirst().first.map(String.init))
                #expect(notes.map { $0["resource"]?.string } == [first, second].map { "Users/\(userId)/Messages/\($0["immutableId"]?.string ?? "")" })
                #expect(notes.allSatisfy {
                    $0["subscriptionId"]?.string == subscription && $0["changeType"]?.string == "created" && $0["clientState"]?.string == "mail-state"
                        && $0["resourceData"]?["@odata.type"]?.string == "#Microsoft.Graph.Message"
                })
                var other = request.object ?? [:]
                other["resource"] = "/me/contacts"
                #expect(try await api.json(.post, "/v1.0/subscriptions", token: token, .object(other)).status == 400)
            }
        }
    }
}
