import CRMSyncDatabase
import CRMSyncMail
import CRMSyncSandboxSupport
import CRMSyncTestSupport
import Foundation
import Testing

/// Attachment downloads streamed from the provider: a 20 MiB attachment delivered into the
/// test Dovecot and imported by the sync, read back through `crmsync serve` (its own process)
/// with its SHA-256 checked and that process's memory measured around the download;
/// a quoted-printable attachment; Outlook attachments from the sandbox, two of the same name;
/// a Gmail attachment.
@Suite("Mail message API: attachments streamed from IMAP, Graph and Gmail")
struct MessageAttachmentTests {
    static let bigSize = AttachmentFixtures.bigSize

    @Test("a 20 MiB IMAP attachment streams intact with the server's memory well below its size")
    func bigIMAPAttachment() async throws {
        let dovecot = try TestDovecot.fromEnvironment()
        try await ServerHarness.with("msg_big_attachment", configure: { $0.mailTrust = MailTrust(caCertificateFile: dovecot.caFile) }) { harness in
            let (user, password) = try await dovecot.makeUser("big")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("crmsync-big-\(UUID().uuidString).eml")
            defer { try? FileManager.default.removeItem(at: file) }
            let (expected, text) = try AttachmentFixtures.writeBigMessage(to: file)
            try dovecot.save(file: file, user: user)
            let tenant = harness.database.tenant(maxConnections: 2)
            let account = try await MailAccountConnector(database: tenant).connect(
                MailConnectRequest(
                    provider: .imap, email: user, imap: dovecot.imaps, imapUsername: user, smtp: dovecot.smtp, smtpUsername: user,
                    password: password),
                as: Demo.aliceAtAcme)
            let report = try await MailSyncEngine(database: tenant, trust: MailTrust(caCertificateFile: dovecot.caFile))
                .sync(account: account, as: Demo.aliceAtAcme)
            #expect(report.status == .success, "\(report.errors)")
            let id = try #require(try await harness.scalar(
                "select id::text from public.email_messages where email_account_id = \(account) and has_attachments"))
            let detail = try AccountAPITests.json(try await harness.api("GET", "/v1/mail/messages/\(id)", as: Demo.alice, in: Demo.acme))
            let attachments = try #require(detail["attachments"] as? [[String: Any]])
            let big = try #require(attachments.first { $0["filename"] as? String == "big.bin" })
            let notes = try #require(attachments.first { $0["filename"] as? String == "notes.txt" })
            #expect(big["size_bytes"] as? Int == Self.bigSize)

            let headers = [
                "Authorization": "Bearer \(try await harness.token(for: Demo.alice))", "X-Organization-Id": Demo.acme.uuidString,
            ]
            // The download is served by `crmsync serve` in a process of its own, whose memory is
            // that of this one download alone.
            let serve = try await ServeProcess.start(harness, mailCAFile: dovecot.caFile)
            defer { serve.stop() }
            let url = serve.url.appending(path: String(try #require(big["content_url"] as? String).dropFirst()))
            // A first small download sets up what every later one shares (pools, TLS, libcurl).
            let warmUp = try await StreamedDownload.get(
                serve.url.appending(path: String(try #require(notes["content_url"] as? String).dropFirst())), headers: headers,
                watching: serve.pid)
            #expect(warmUp.status == 200 && warmUp.bytes == text.count)
            let residentBefore = ProcessMemory.kib("VmRSS", pid: serve.pid)
            let peakReset = ProcessMemory.resetPeak(pid: serve.pid)
            let download = try await StreamedDownload.get(url, headers: headers, watching: serve.pid)
            let peak = max(peakReset ? ProcessMemory.kib("VmHWM", pid: serve.pid) : 0, download.peakResidentKiB)
            let residentAfter = ProcessMemory.kib("VmRSS", pid: serve.pid)
            let growth = peak - residentBefore
            print(
                "attachment memory (crmsync serve, pid \(serve.pid)): VmRSS before \(residentBefore) KiB, peak \(peak) KiB "
                    + "(VmHWM reset: \(peakReset)), after \(residentAfter) KiB; growth \(growth) KiB for a \(Self.bigSize / 1024) KiB attachment")
            #expect(download.status == 200)
            #expect(download.bytes == Self.bigSize)
            #expect(download.sha256 == expected)
            #expect(download.headers["content-length"] == String(Self.bigSize))
            #expect(download.headers["content-type"] == "application/octet-stream")
            #expect(download.headers["content-disposition"] == "attachment; filename=\"big.bin\"")
            #expect(download.headers["x-content-type-options"] == "nosniff")
            #expect(residentBefore > 0 && growth < 8 * 1024, "the download grew the process by \(growth) KiB")

            let small = try await harness.api("GET", try #require(notes["content_url"] as? String), as: Demo.alice, in: Demo.acme)
            #expect(small.status == 200)
            #expect(small.body == Data(text), "quoted-printable decoded exactly")
            #expect(small.header("Content-Type") == "text/plain")
            // Dovecot's copy is untouched: PEEK never marks it read.
            #expect(try dovecot.doveadm(["-f", "tab", "fetch", "-u", user, "flags", "mailbox", "INBOX", "all"], input: nil).contains("\\Seen") == false)
        }
    }

    @Test("Outlook attachments stream from Graph's /$value, same-named ones matched by position")
    func graphAttachments() async throws {
        try await ServerHarness.with("msg_graph_attachment") { harness in
            let sandbox = Sandbox(base: harness.sandbox)
            let owner = try await harness.database.addMember()
            let email = "files-\(owner.userID.uuidString.prefix(8).lowercased())@acme.example"
            let tokens = try await sandbox.authorize(.outlook, email: email, features: [.mailRead, .mailSend])
            let tenant = harness.database.tenant(maxConnections: 2)
            let account = try await EmailStore(database: tenant).connect(
                EmailAccountSettings(provider: "outlook", email: email),
                secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
                as: owner)
            let first = "id,amount\r\n1,100\r\n", second = "id,amount\r\n2,200\r\n3,300\r\n"
            let picture: [UInt8] = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let mime = """
                From: Carol <carol@initech.example>\r
                To: \(email)\r
                Subject: Reports\r
                Message-ID: <reports-\(UUID().uuidString)@initech.example>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="x"\r
                \r
                --x\r
                Content-Type: text/plain\r
                \r
                See attached.\r
                --x\r
                Content-Type: text/csv; name="report.csv"\r
                Content-Disposition: attachment; filename="report.csv"\r
                \r
                \(first)\r
                --x\r
                Content-Type: text/csv; name="report.csv"\r
                Content-Disposition: attachment; filename="report.csv"\r
                Content-Transfer-Encoding: base64\r
                \r
                \(Data(second.utf8).base64EncodedString())\r
                --x\r
                Content-Type: image/png; name="pic <1>.png"\r
                Content-Disposition: attachment; filename="../pic <1>.png"\r
                Content-Transfer-Encoding: base64\r
                \r
                \(Data(picture).base64EncodedString(options: .lineLength76Characters))\r
                --x--\r

                """
            try await sandbox.control("POST", "microsoft/users/\(email)/messages", ["mime": mime])
            let report = try await MailSyncEngine(database: tenant, api: MailAPIAccess(database: tenant, endpoints: sandbox.endpoints))
                .sync(account: account, as: owner)
            #expect(report.status == .success, "\(report.errors)")
            let id = try #require(try await harness.scalar("select id::text from public.email_messages where email_account_id = \(account)"))
            let detail = try AccountAPITests.json(try await harness.api("GET", "/v1/mail/messages/\(id)", as: owner.userID, in: Demo.acme))
            let attachments = try #require(detail["attachments"] as? [[String: Any]])
            #expect(attachments.map { $0["filename"] as? String } == ["report.csv", "report.csv", "pic <1>.png"])
            var bodies: [[UInt8]] = []
            for attachment in attachments {
                let response = try await harness.api("GET", try #require(attachment["content_url"] as? String), as: owner.userID, in: Demo.acme)
                #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
                bodies.append(Array(response.body))
                if attachment["filename"] as? String == "pic <1>.png" {
                    #expect(response.header("Content-Type") == "image/png")
                    #expect(response.header("Content-Disposition") == "attachment; filename=\"pic _1_.png\"; filename*=UTF-8''pic%20%3C1%3E.png")
                }
            }
            #expect(bodies.map { Data($0) } == [Data(first.utf8), Data(second.utf8), Data(picture)])
            // The content came from Graph's attachment endpoints, not from a stored copy.
            #expect(try await sandbox.requestCount(route: "GET /v1.0/me/messages/*/attachments/*/$value") >= 3)
        }
    }

    @Test("Gmail attachments stream from attachments.get, the base64url JSON decoded as it arrives")
    func gmailAttachment() async throws {
        try await ServerHarness.with("msg_gmail_attachment") { harness in
            let sandbox = Sandbox(base: harness.sandbox)
            let owner = try await harness.database.addMember()
            let email = "files-\(owner.userID.uuidString.prefix(8).lowercased())@acme.example"
            let tokens = try await sandbox.authorize(.google, email: email, features: [.mailRead, .mailSend])
            let tenant = harness.database.tenant(maxConnections: 2)
            let account = try await EmailStore(database: tenant).connect(
                EmailAccountSettings(provider: "gmail", email: email),
                secrets: EmailAccountSecrets(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt),
                as: owner)
            // Large enough that the JSON arrives in many pieces, cut anywhere in the base64url.
            var state: UInt32 = 7
            let content: [UInt8] = (0..<700_001).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
            let mime = """
                From: Carol <carol@initech.example>\r
                To: \(email)\r
                Subject: Data dump\r
                Message-ID: <dump-\(UUID().uuidString)@initech.example>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="y"\r
                \r
                --y\r
                Content-Type: multipart/alternative; boundary="z"\r
                \r
                --z\r
                Content-Type: text/plain\r
                \r
                Dump attached.\r
                --z\r
                Content-Type: text/html\r
                \r
                <p>Dump attached.</p>\r
                --z--\r
                --y\r
                Content-Type: application/octet-stream; name="dump.bin"\r
                Content-Disposition: attachment; filename="dump.bin"\r
                Content-Transfer-Encoding: base64\r
                \r
                \(Data(content).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]))\r
                --y--\r

                """
            try await sandbox.control("POST", "google/users/\(email)/messages", ["mime": mime])
            let report = try await MailSyncEngine(database: tenant, api: MailAPIAccess(database: tenant, endpoints: sandbox.endpoints))
                .sync(account: account, as: owner)
            #expect(report.status == .success, "\(report.errors)")
            let id = try #require(try await harness.scalar(
                "select id::text from public.email_messages where email_account_id = \(account) and has_attachments"))
            let detail = try AccountAPITests.json(try await harness.api("GET", "/v1/mail/messages/\(id)", as: owner.userID, in: Demo.acme))
            let attachment = try #require((detail["attachments"] as? [[String: Any]])?.first)
            #expect(attachment["filename"] as? String == "dump.bin")
            let response = try await harness.api("GET", try #require(attachment["content_url"] as? String), as: owner.userID, in: Demo.acme)
            #expect(response.status == 200, "\(String(decoding: response.body.prefix(300), as: UTF8.self))")
            #expect(response.body == Data(content))
            #expect(response.header("Content-Length") == "700001")
            #expect(try await sandbox.requestCount(route: "GET /gmail/v1/users/*/messages/*/attachments/*") == 1)
        }
    }
}
