import CRMSyncDatabase
import CRMSyncMIME
import Foundation
import MailTransport
import Testing

@testable import CRMSyncMail

/// The engine's decisions that need no server: which folders, which key, which backoff.
@Suite("mail engine logic")
struct MailLogicTests {
    static func folder(_ name: String, _ attributes: Set<String> = [], specialUse: IMAPFolder.SpecialUse? = nil) -> IMAPFolder {
        IMAPFolder(name: name, delimiter: "/", attributes: attributes, specialUse: specialUse)
    }

    @Test("INBOX and the folder marked \\Sent; else a usual Sent name; \\Noselect folders never")
    func folderChoice() {
        let marked = FolderSelection.choose(
            from: [Self.folder("inbox"), Self.folder("Sent"), Self.folder("Gesendet", ["\\sent"], specialUse: .sent)], configured: nil)
        #expect(marked == [.init(name: "inbox", role: .inbox), .init(name: "Gesendet", role: .sent)])
        let named = FolderSelection.choose(from: [Self.folder("INBOX"), Self.folder("Sent Messages")], configured: nil)
        #expect(named == [.init(name: "INBOX", role: .inbox), .init(name: "Sent Messages", role: .sent)])
        let none = FolderSelection.choose(from: [Self.folder("INBOX"), Self.folder("Sent", ["\\noselect"])], configured: nil)
        #expect(none == [.init(name: "INBOX", role: .inbox)])
        let configured = FolderSelection.choose(
            from: [Self.folder("INBOX"), Self.folder("Archive"), Self.folder("Sent", specialUse: .sent)], configured: ["Archive", "Missing"])
        #expect(configured == [.init(name: "Archive", role: .other)])
    }

    @Test("the key is the Message-ID, else the SHA-256 of the bytes (the same copy twice is one key)")
    func messageKey() {
        let parser = MIMEParser()
        let withID = ParsedMail(raw: Array("Message-ID: <a@b>\r\nSubject: x\r\n\r\nhi\r\n".utf8), parser: parser)
        #expect(withID.key == "a@b")
        let raw = Array("Subject: no id\r\n\r\nbody\r\n".utf8)
        let first = ParsedMail(raw: raw, parser: parser)
        #expect(first.key.hasPrefix("sha256:") && first.key.count == 7 + 64)
        #expect(ParsedMail(raw: raw, parser: parser).key == first.key)
        #expect(ParsedMail(raw: raw + [0x20], parser: parser).key != first.key)
    }

    @Test("snippets come from the text, else the HTML without tags, whitespace collapsed")
    func snippets() {
        #expect(ParsedMail.snippet(text: "Hello\n\n  world", html: nil) == "Hello world")
        #expect(ParsedMail.snippet(text: nil, html: "<p>Hi <b>there</b></p>") == "Hi there")
        #expect(ParsedMail.snippet(text: String(repeating: "a ", count: 500), html: nil)?.count == ParsedMail.snippetLength)
        #expect(ParsedMail.address(in: "Bob <bob@example.test>") == "bob@example.test")
    }

    @Test("retries back off from 30 s, doubling, to an hour")
    func retryBackoff() {
        #expect(OutboxSender.retryDelay(attempt: 1) == 30)
        #expect(OutboxSender.retryDelay(attempt: 3) == 120)
        #expect(OutboxSender.retryDelay(attempt: 20) == 3600)
    }

    @Test("iCloud's hosts are preset and its QRESYNC is not trusted")
    func presets() {
        #expect(IMAPMailProvider.apple.preset?.imap == MailServerEndpoint(host: "imap.mail.me.com", port: 993, security: .implicitTLS))
        #expect(IMAPMailProvider.apple.preset?.smtp == MailServerEndpoint(host: "smtp.mail.me.com", port: 587, security: .startTLS))
        #expect(!IMAPMailProvider.apple.trustsQResync && IMAPMailProvider.imap.trustsQResync)
        #expect(IMAPMailProvider.imap.preset == nil)
    }
}
