import Foundation
import Logging
import MailTransport
import Testing

/// IMAPClient against the real loopback Dovecot (scripts/mail-servers.sh).
@Suite struct IMAPClientTests {
    let servers: MailTestServers

    init() throws {
        self.servers = try MailTestServers()
    }

    @Test func logsInOverImplicitTLSAndSTARTTLS() async throws {
        for endpoint in [self.servers.imaps, self.servers.imapStartTLS] {
            let client = try await self.servers.connect(endpoint: endpoint)
            let capabilities = await client.capabilities
            #expect(capabilities.contains("IMAP4REV1"))
            #expect(capabilities.contains("CONDSTORE"))
            #expect(capabilities.contains("QRESYNC"))
            let folders = try await client.listFolders()
            let inbox = try #require(folders.first { $0.name == "INBOX" })
            #expect(inbox.specialUse == .inbox)
            #expect(inbox.isSelectable)
            await client.logout()
        }
    }

    @Test func wrongPasswordIsAuthenticationFailed() async throws {
        let wrong = "not-the-password-\(UUID().uuidString)"
        for endpoint in [self.servers.imaps, self.servers.imapStartTLS] {
            do {
                _ = try await IMAPClient.connect(
                    to: endpoint, credential: .password(username: MailTestServers.alice, password: wrong),
                    timeout: .seconds(20), logger: self.servers.logger)
                Issue.record("a wrong password logged in")
            } catch {
                guard case .authenticationFailed = error else { Issue.record("got \(error)"); continue }
                #expect(!error.description.contains(wrong))
                #expect(!"\(error)".contains(wrong))
            }
        }
    }

    @Test func xoauth2TokenLogsIn() async throws {
        for endpoint in [self.servers.imaps, self.servers.imapStartTLS] {
            let client = try await IMAPClient.connect(
                to: endpoint, credential: .xoauth2(username: MailTestServers.alice, accessToken: "test-access-token-alice"),
                timeout: .seconds(20), logger: self.servers.logger)
            #expect(try await client.examine("INBOX", qresync: nil).uidValidity > 0)
            await client.logout()
            let bad = "expired-\(UUID().uuidString)"
            do {
                _ = try await IMAPClient.connect(
                    to: endpoint, credential: .xoauth2(username: MailTestServers.alice, accessToken: bad),
                    timeout: .seconds(20), logger: self.servers.logger)
                Issue.record("a refused token logged in")
            } catch {
                guard case .authenticationFailed = error else { Issue.record("got \(error)"); continue }
                #expect(!error.description.contains(bad))
            }
        }
    }

    @Test func closedPortIsUnreachable() async throws {
        let endpoint = MailServerEndpoint(
            host: "127.0.0.1", port: try closedPort(), security: .implicitTLS, caCertificateFile: self.servers.caFile)
        await #expect(throws: MailTransportError.self) { _ = try await self.servers.connect(endpoint: endpoint) }
        do {
            _ = try await self.servers.connect(endpoint: endpoint)
        } catch {
            guard case .unreachable = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func untrustedCertificateIsRefused() async throws {
        for var endpoint in [self.servers.imaps, self.servers.imapStartTLS] {
            endpoint.caCertificateFile = nil  // system CAs only: the self-signed certificate fails
            do {
                _ = try await self.servers.connect(endpoint: endpoint)
                Issue.record("a self-signed certificate was trusted")
            } catch {
                guard case .certificate = error else { Issue.record("got \(error)"); continue }
            }
        }
    }

    @Test func examineReportsCondstoreState() async throws {
        let folder = try self.servers.freshFolder()
        for _ in 0..<3 { try self.servers.save(MailTestServers.message().bytes, folder: folder) }
        let client = try await self.servers.connect()
        let status = try await client.examine(folder, qresync: nil)
        #expect(status.uidValidity > 0)
        #expect(status.exists == 3)
        #expect(status.uidNext == 4)
        #expect((status.highestModSeq ?? 0) > 0)
        #expect(try await client.searchAllUIDs() == [1, 2, 3])
        await client.logout()
    }

    @Test func fetchIsByteExactAndLeavesMailUnread() async throws {
        let folder = try self.servers.freshFolder()
        let messages = (0..<4).map {
            MailTestServers.message(subject: "Message \($0)", body: "Line one.\r\n* 1 EXPUNGE\r\nA1 OK not a reply\r\n{12}\r\nBody \($0).")
        }
        for message in messages { try self.servers.save(message.bytes, folder: folder) }
        let client = try await self.servers.connect()
        _ = try await client.examine(folder, qresync: nil)
        let before = await client.roundTrips
        let fetched = try await client.fetchMessages(uids: [4, 1, 2, 3, 99])
        #expect(await client.roundTrips == before + 1)
        #expect(fetched.map(\.uid) == [1, 2, 3, 4])
        for (message, original) in zip(fetched, messages) {
            #expect(message.raw == original.bytes)
            #expect(message.size == original.bytes.count)
            #expect(message.internalDate != nil)
            #expect((message.modSeq ?? 0) > 0)
            #expect(!message.flags.contains("\\Seen"))
        }
        let flags = try await client.fetchFlags(uids: 1...UInt32.max, changedSince: nil)
        #expect(flags.map(\.uid) == [1, 2, 3, 4])
        #expect(flags.allSatisfy { !$0.flags.contains("\\Seen") })
        await client.logout()
    }

    @Test func qresyncReportsChangedAndVanished() async throws {
        let folder = try self.servers.freshFolder()
        for _ in 0..<4 { try self.servers.save(MailTestServers.message().bytes, folder: folder) }
        let client = try await self.servers.connect()
        _ = try await client.enable(["CONDSTORE", "QRESYNC"])
        let first = try await client.examine(folder, qresync: nil)
        let cursor = try #require(first.highestModSeq)
        try self.servers.doveadm(["flags", "add", "-u", MailTestServers.alice, "\\Flagged", "mailbox", folder, "uid", "1"])
        try self.servers.doveadm(["expunge", "-u", MailTestServers.alice, "mailbox", folder, "uid", "3"])
        let second = try await client.examine(folder, qresync: (first.uidValidity, cursor))
        #expect(second.usedQRESYNC)
        #expect(second.vanished == [3])
        #expect(second.changed.map(\.uid) == [1])
        #expect(second.changed.first?.flags.contains("\\Flagged") == true)
        #expect((second.highestModSeq ?? 0) > cursor)
        // Nothing changed since: one round trip, nothing reported.
        let before = await client.roundTrips
        let third = try await client.examine(folder, qresync: (second.uidValidity, try #require(second.highestModSeq)))
        #expect(await client.roundTrips == before + 1)
        #expect(third.vanished.isEmpty && third.changed.isEmpty)
        #expect(third.highestModSeq == second.highestModSeq)
        // CHANGEDSINCE sees the same flag change.
        let changed = try await client.fetchFlags(uids: 1...UInt32.max, changedSince: cursor)
        #expect(changed.map(\.uid) == [1])
        // A UID range that ends below the last message does not leak others (n:* quirk).
        #expect(try await client.fetchFlags(uids: 5...UInt32.max, changedSince: nil).isEmpty)
        await client.logout()
    }

    @Test func searchByMessageID() async throws {
        let folder = try self.servers.freshFolder()
        let wanted = MailTestServers.message()
        try self.servers.save(MailTestServers.message().bytes, folder: folder)
        try self.servers.save(wanted.bytes, folder: folder)
        let client = try await self.servers.connect()
        _ = try await client.examine(folder, qresync: nil)
        #expect(try await client.searchUIDs(messageID: wanted.id) == [2])
        #expect(try await client.searchUIDs(messageID: "<\(wanted.id)>") == [2])
        #expect(try await client.searchUIDs(messageID: "nobody-\(UUID())@x").isEmpty)
        await client.logout()
    }

    @Test func appendReturnsTheUID() async throws {
        let folder = try self.servers.freshFolder(prefix: "Entwürfe & Co")
        let client = try await self.servers.connect()
        let folders = try await client.listFolders()
        #expect(folders.contains { $0.name == folder })
        let message = MailTestServers.message()
        let date = Date(timeIntervalSince1970: 1_709_632_800)
        let uid = try await client.append(folder, message: message.bytes, flags: ["\\Seen", "$Crm"], date: date)
        #expect(uid == 1)
        let status = try await client.examine(folder, qresync: nil)
        #expect(status.exists == 1)
        let fetched = try await client.fetchMessages(uids: [1])
        #expect(fetched.first?.raw == message.bytes)
        #expect(fetched.first?.internalDate == date)
        #expect(Set(fetched.first?.flags ?? []) == ["\\Seen", "$Crm"])
        await #expect(throws: MailTransportError.self) { _ = try await client.examine("No such folder \(UUID())", qresync: nil) }
        await client.logout()
    }

    @Test func twentyMegabyteMessageArrivesIntact() async throws {
        let folder = try self.servers.freshFolder()
        var message = MailTestServers.message(subject: "Large").bytes
        message.removeLast(2)
        let line = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab\r\n".utf8)
        while message.count < 20 * 1024 * 1024 { message.append(contentsOf: line) }
        try self.servers.save(message, folder: folder)
        let client = try await self.servers.connect()
        _ = try await client.examine(folder, qresync: nil)
        let fetched = try await client.fetchMessages(uids: [1])
        #expect(fetched.count == 1)
        #expect(fetched.first?.raw.count == message.count)
        #expect(fetched.first?.raw == message)
        await client.logout()
    }

    /// A thousand messages come in one UID FETCH: one round trip, whatever the count (speed is
    /// measured by `crmsync-bench --mail`, not here).
    @Test func aThousandMessagesInOneRoundTrip() async throws {
        let folder = try self.servers.freshFolder()
        let client = try await self.servers.connect()
        for index in 0..<1000 {
            _ = try await client.append(folder, message: MailTestServers.message(body: "Message \(index)").bytes, flags: [], date: nil)
        }
        let status = try await client.examine(folder, qresync: nil)
        #expect(status.exists == 1000)
        let uids = try await client.searchAllUIDs()
        let before = await client.roundTrips
        let fetched = try await client.fetchMessages(uids: uids)
        #expect(fetched.count == 1000)
        #expect(Set(fetched.map(\.uid)) == Set(uids))
        #expect(await client.roundTrips == before + 1)
        await client.logout()
    }

    @Test func noPasswordInAnyErrorDescription() async throws {
        let secret = "pw-\(UUID().uuidString)"
        var errors: [MailTransportError] = []
        for endpoint in [self.servers.imaps, self.servers.imapStartTLS] {
            do {
                _ = try await IMAPClient.connect(
                    to: endpoint, credential: .password(username: MailTestServers.alice, password: secret), timeout: .seconds(20),
                    logger: self.servers.logger)
            } catch { errors.append(error) }
        }
        do {
            try await self.servers.smtp(password: secret).send(
                from: MailTestServers.alice, recipients: [MailTestServers.bob], message: MailTestServers.message().bytes)
        } catch { errors.append(error) }
        do {
            try await self.servers.smtp(self.servers.smtps, password: secret).verify()
        } catch { errors.append(error) }
        #expect(errors.count == 4)
        for error in errors {
            #expect(!error.description.contains(secret), "\(error)")
            #expect(!String(reflecting: error).contains(secret))
        }
    }
}

/// A loopback port nobody listens on: bound, then released.
func closedPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard bound else { throw MailTestServers.CommandFailed(description: "could not bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
