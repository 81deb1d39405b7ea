import Foundation
import Testing
@testable import CRMSyncMIME

@Suite struct BuilderTests {
    let date = Date(timeIntervalSince1970: 1_709_632_800)

    func draft(subject: String = "Hello", text: String = "Hi there.\n", html: String? = nil,
               attachments: [MailDraft.Attachment] = []) -> MailDraft {
        MailDraft(messageID: "fixed-1@crm.example", date: self.date,
                  from: MailAddress(name: "Ann Seller", address: "ann@crm.example"),
                  to: [MailAddress(name: "Bob, Buyer", address: "bob@client.example")],
                  cc: [MailAddress(address: "carol@client.example")],
                  bcc: [MailAddress(address: "hidden@crm.example")],
                  subject: subject, text: text, html: html, attachments: attachments)
    }

    /// CRLF only, header lines within 78 columns, no 8-bit byte anywhere, body lines within 998.
    func checkWireShape(_ raw: [UInt8]) {
        for (index, byte) in raw.enumerated() where byte == 0x0A {
            #expect(index > 0 && raw[index - 1] == 0x0D, "bare LF at \(index)")
        }
        for (index, byte) in raw.enumerated() where byte == 0x0D {
            #expect(index + 1 < raw.count && raw[index + 1] == 0x0A, "bare CR at \(index)")
        }
        #expect(!raw.contains { $0 >= 0x80 })
        let text = String(decoding: raw, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let headerEnd = lines.firstIndex(of: "") ?? lines.count
        for line in lines[..<headerEnd] { #expect(line.count <= 78, "long header line: \(line)") }
        for line in lines { #expect(line.utf8.count <= 998) }
    }

    @Test func plainMessageShape() {
        let raw = MIMEBuilder.build(self.draft())
        self.checkWireShape(raw)
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.hasPrefix("Date: Tue, 05 Mar 2024 10:00:00 +0000\r\nFrom: Ann Seller <ann@crm.example>\r\n"))
        #expect(text.contains("\r\nTo: \"Bob, Buyer\" <bob@client.example>\r\n"))
        #expect(text.contains("\r\nMessage-ID: <fixed-1@crm.example>\r\n"))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHi there.\r\n"))
        #expect(!text.contains("hidden@crm.example"))
        #expect(text.hasSuffix("\r\n"))
    }

    @Test func sameDraftSameBytes() {
        let draft = self.draft(html: "<p>x</p>", attachments: [.init(filename: "a.bin", data: [1, 2, 3])])
        #expect(MIMEBuilder.build(draft) == MIMEBuilder.build(draft))
    }

    @Test func generatedMessageIDUsesSenderDomainAndIsFixedAtDraftTime() {
        let draft = MailDraft(from: MailAddress(address: "me@sales.example.org"), to: [], subject: "s", text: "t")
        #expect(draft.messageID.hasSuffix("@sales.example.org"))
        #expect(draft.messageID.count > 30)
        let raw = String(decoding: MIMEBuilder.build(draft), as: UTF8.self)
        #expect(raw.contains("Message-ID: <\(draft.messageID)>"))
        let other = MailDraft(from: MailAddress(address: "nodomain"), to: [], subject: "s", text: "t")
        #expect(other.messageID.hasSuffix("@crmsync.invalid"))
        #expect(other.messageID != MailDraft(from: MailAddress(address: "nodomain"), to: [], subject: "s", text: "t").messageID)
    }

    @Test func nonASCIISubjectIsEncodedAndFolded() {
        let subject = "Angebot für die Müller GmbH – Lieferung nächste Woche, bitte bestätigen 🙏 " + String(repeating: "ß", count: 40)
        let raw = MIMEBuilder.build(self.draft(subject: subject))
        self.checkWireShape(raw)
        #expect(MIMEParser().parse(raw).subject == subject)
    }

    @Test func longASCIISubjectFoldsAtBlanksAndUnfoldsExactly() {
        let subject = "Re: " + (0..<30).map { "word\($0)" }.joined(separator: " ") + "  two  spaces"
        let raw = MIMEBuilder.build(self.draft(subject: subject))
        self.checkWireShape(raw)
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.contains("\r\n word"))
        #expect(MIMEParser().parse(raw).subject == subject)
        // Text that looks like an encoded word is encoded so it reads back as written.
        let tricky = "=?utf-8?q?not_really?="
        #expect(MIMEParser().parse(MIMEBuilder.build(self.draft(subject: tricky))).subject == tricky)
    }

    @Test func headerInjectionIsNeutralized() {
        var draft = self.draft(subject: "Hi\r\nBcc: victim@x.example")
        draft.to = [MailAddress(name: "Eve\r\nX-Evil: 1", address: "eve@x.example")]
        let message = MIMEParser().parse(MIMEBuilder.build(draft))
        #expect(message.headers["bcc"] == nil)
        #expect(message.headers["x-evil"] == nil)
        #expect(message.subject == "Hi  Bcc: victim@x.example")
    }

    @Test func htmlAndAttachmentsShapeAndRoundTrip() throws {
        let pdf = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let attachments: [MailDraft.Attachment] = [
            .init(filename: "Angebot Müller – März.pdf", contentType: "application/pdf", data: pdf),
            .init(filename: "logo.png", contentType: "image/png", data: [0x89, 0x50], contentID: "logo@crm"),
            .init(filename: String(repeating: "очень длинное имя ", count: 6) + ".txt", contentType: "text/plain",
                  data: bytes("attached text, not body\n")),
        ]
        let draft = self.draft(text: "Grüße,\nAnn\n", html: "<p>Grüße, <img src=\"cid:logo@crm\"></p>\n",
                               attachments: attachments)
        let raw = MIMEBuilder.build(draft)
        self.checkWireShape(raw)
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.contains("filename*0*=utf-8''"))
        #expect(text.contains("Content-Type: multipart/mixed;"))
        #expect(text.contains("Content-Type: multipart/related;"))
        #expect(text.contains("Content-Type: multipart/alternative;"))
        let base64Lines = text.components(separatedBy: "\r\n").filter { $0.count == 76 && !$0.contains(" ") }
        #expect(base64Lines.count >= 80)

        let message = MIMEParser().parse(raw)
        #expect(message.problems.isEmpty)
        #expect(message.textBody?.content == draft.text)
        #expect(message.htmlBody?.content == draft.html)
        let byName = Dictionary(uniqueKeysWithValues: message.attachments.map { ($0.filename ?? "", $0) })
        for attachment in attachments {
            let parsed = try #require(byName[attachment.filename])
            #expect(parsed.size == attachment.data.count)
            #expect(parsed.contentType == attachment.contentType)
            #expect(parsed.contentID == attachment.contentID)
            #expect(parsed.disposition == (attachment.contentID == nil ? .attachment : .inline))
            #expect(message.decodedContent(ofPart: parsed.partPath) == attachment.data)
        }
    }

    @Test func replyThreadingFromParent() {
        let parent = parse("Message-ID: <p3@x>\nReferences: <p1@x> <p2@x>\nIn-Reply-To: <p2@x>\nSubject: Q\n\nq")
        let threading = MailDraft.replyThreading(to: parent)
        #expect(threading.inReplyTo == "p3@x")
        #expect(threading.references == ["p1@x", "p2@x", "p3@x"])
        let first = parse("Message-ID: <only@x>\n\nq")
        #expect(MailDraft.replyThreading(to: first).references == ["only@x"])
        let noReferences = parse("Message-ID: <c@x>\nIn-Reply-To: <b@x>\n\nq")
        #expect(MailDraft.replyThreading(to: noReferences).references == ["b@x", "c@x"])

        var draft = self.draft()
        draft.inReplyTo = threading.inReplyTo
        draft.references = (0..<12).map { "a-rather-long-message-id-\($0)@mail.example.com" } + threading.references
        let raw = MIMEBuilder.build(draft)
        self.checkWireShape(raw)
        let reply = MIMEParser().parse(raw)
        #expect(reply.inReplyTo == ["p3@x"])
        #expect(reply.references == draft.references)
    }

    @Test func bodiesThatNeedQuotedPrintable() {
        let texts = ["From the desk of Ann\n", "trailing blank \nline", String(repeating: "x", count: 500),
                     "dots\n.\n..\nend", "tab\tend\t", "naïve", "=?utf-8?q?x?= and = signs", "no newline at end"]
        for text in texts {
            let raw = MIMEBuilder.build(self.draft(text: text))
            self.checkWireShape(raw)
            #expect(MIMEParser().parse(raw).textBody?.content == text, "\(text)")
        }
    }

    @Test func seededRandomRoundTrip() {
        var generator = SplitMix64(seed: 0xC0FFEE)
        let pieces = ["a", "Z", "0", " ", "  ", ".", ",", "\"", "\\", "(", ")", "<", ">", "@", ":", ";", "=", "?", "=?",
                      "?=", "_", "-", "é", "ß", "€", "日本", "Привет", "🙂", "👨‍👩‍👧", "\t", "From ", "--", "'", "%"]
        func randomText(_ maxPieces: Int, newlines: Bool) -> String {
            var text = ""
            for _ in 0..<Int.random(in: 0...maxPieces, using: &generator) {
                if newlines, Int.random(in: 0..<12, using: &generator) == 0 {
                    text += "\n"
                } else {
                    text += pieces.randomElement(using: &generator)!
                }
            }
            return text
        }
        func randomPhrase() -> String {
            // Names and subjects read back trimmed and without tabs; generate them that way.
            let text = randomText(12, newlines: false).replacingOccurrences(of: "\t", with: " ")
            return String(text.trimmingWSP)
        }
        func randomAddress(_ index: Int) -> MailAddress {
            let name = randomPhrase()
            return MailAddress(name: name.isEmpty ? nil : name, address: "user\(index).\(Int.random(in: 0...999, using: &generator))@example.com")
        }
        for round in 0..<150 {
            let attachments: [MailDraft.Attachment] = (0..<Int.random(in: 0...3, using: &generator)).map { index in
                let length = Int.random(in: 0...3_000, using: &generator)
                // Path separators are stripped from received names (tested apart).
                let name = randomPhrase().replacingOccurrences(of: "\\", with: "x").replacingOccurrences(of: "/", with: "x")
                return MailDraft.Attachment(
                    filename: name.isEmpty ? "file\(index)" : name,
                    contentType: ["application/pdf", "image/jpeg", "text/plain", "application/octet-stream"]
                        .randomElement(using: &generator)!,
                    data: (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) },
                    contentID: Bool.random(using: &generator) ? "cid\(round).\(index)@example.com" : nil)
            }
            let draft = MailDraft(
                messageID: "round\(round).\(generator.next())@example.com",
                date: Date(timeIntervalSince1970: TimeInterval(Int.random(in: 0...4_000_000_000, using: &generator))),
                from: randomAddress(0),
                to: (1..<Int.random(in: 2...5, using: &generator)).map(randomAddress),
                cc: (10..<Int.random(in: 10...12, using: &generator)).map(randomAddress),
                replyTo: Bool.random(using: &generator) ? [randomAddress(20)] : [],
                subject: randomPhrase(),
                inReplyTo: Bool.random(using: &generator) ? "parent\(round)@example.com" : nil,
                references: (0..<Int.random(in: 0...8, using: &generator)).map { "ref\($0).\(round)@example.com" },
                text: randomText(300, newlines: true),
                html: Bool.random(using: &generator) ? "<p>" + randomText(200, newlines: true) + "</p>" : nil,
                attachments: attachments)
            let raw = MIMEBuilder.build(draft)
            self.checkWireShape(raw)
            let message = MIMEParser().parse(raw)
            #expect(message.problems.isEmpty)
            #expect(message.messageID == draft.messageID)
            #expect(message.date == draft.date)
            #expect(message.from == [draft.from])
            #expect(message.to == draft.to)
            #expect(message.cc == draft.cc)
            #expect(message.bcc.isEmpty)
            #expect(message.replyTo == draft.replyTo)
            #expect(message.subject == draft.subject, "round \(round)")
            #expect(message.inReplyTo == (draft.inReplyTo.map { [$0] } ?? []))
            #expect(message.references == draft.references)
            #expect(message.textBody?.content == draft.text, "round \(round)")
            #expect(message.htmlBody?.content == draft.html)
            #expect(message.attachments.count == attachments.count)
            for attachment in message.attachments {
                let original = attachments.first { $0.filename == attachment.filename && $0.contentID == attachment.contentID }
                #expect(original != nil, "round \(round): \(attachment.filename ?? "nil")")
                #expect(message.decodedContent(ofPart: attachment.partPath) == original?.data)
                #expect(attachment.size == original?.data.count)
            }
        }
    }
}
