import Foundation
import Testing
@testable import CRMSyncMIME

@Suite struct MultipartTests {
    /// Thunderbird-shaped: mixed[alternative[plain, related[html, image]], pdf with RFC 2231
    /// name, forwarded message/rfc822].
    static let nested = """
        From: =?UTF-8?B?w4lsb2RpZQ==?= <elodie@example.fr>
        To: "Sales Team" <sales@example.com>
        Subject: =?UTF-8?Q?Devis_n=C2=B0_42?=
        Date: Mon, 4 Mar 2024 09:15:00 +0100
        Message-ID: <devis-42@example.fr>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        This is the preamble; ignore it.
        --outer
        Content-Type: multipart/alternative; boundary=alt

        --alt
        Content-Type: text/plain; charset=ISO-8859-1
        Content-Transfer-Encoding: quoted-printable

        Bonjour, voici le devis =E0 signer.
        Cordialement=2C =
        =C9lodie
        --alt
        Content-Type: multipart/related; boundary="rel"; type="text/html"

        --rel
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: base64

        PHA+Qm9uam91ciwgPGltZyBzcmM9ImNpZDpsb2dvQHgiPjwvcD4=
        --rel
        Content-Type: image/png
        Content-Transfer-Encoding: base64
        Content-ID: <logo@x>

        iVBORw0KGgo=
        --rel--
        --alt--
        --outer
        Content-Type: application/pdf; name="devis.pdf"
        Content-Disposition: attachment;
         filename*0*=utf-8''Devis%20n%C2%B0%2042%20;
         filename*1*=sign%C3%A9.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        JSVFT0YK
        --outer
        Content-Type: message/rfc822

        From: boss@example.com
        Subject: Original request
        Content-Type: multipart/mixed; boundary=inner

        --inner
        Content-Type: text/plain

        Please quote.
        --inner
        Content-Type: text/csv; name=lines.csv

        a,b
        --inner--
        --outer--
        Epilogue text that is not a part.
        """

    @Test func nestedTreeBodiesAndAttachments() throws {
        let message = parse(Self.nested)
        #expect(message.subject == "Devis n° 42")
        #expect(message.from == [MailAddress(name: "Élodie", address: "elodie@example.fr")])
        #expect(message.to == [MailAddress(name: "Sales Team", address: "sales@example.com")])
        #expect(message.messageID == "devis-42@example.fr")
        #expect(message.date == Date(timeIntervalSince1970: 1_709_540_100))
        #expect(message.textBody == MIMEBodyText(content: "Bonjour, voici le devis à signer.\nCordialement, Élodie",
                                                 isTruncated: false, partPaths: ["1.1"]))
        #expect(message.htmlBody?.content == #"<p>Bonjour, <img src="cid:logo@x"></p>"#)
        #expect(message.htmlBody?.partPaths == ["1.2.1"])
        #expect(message.attachments == [
            MIMEAttachment(filename: nil, contentType: "image/png", size: 8, contentID: "logo@x",
                           disposition: .inline, partPath: "1.2.2"),
            MIMEAttachment(filename: "Devis n° 42 signé.pdf", contentType: "application/pdf", size: 15,
                           contentID: nil, disposition: .attachment, partPath: "2"),
            MIMEAttachment(filename: "Original request.eml", contentType: "message/rfc822",
                           size: message.part(at: "3")!.rawContent.count, contentID: nil,
                           disposition: .attachment, partPath: "3"),
        ])
        #expect(message.problems.isEmpty)
        #expect(message.decodedContent(ofPart: "2") == bytes("%PDF-1.4\n%%EOF\n"))
        #expect(message.decodedContent(ofPart: "1.2.2") == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        let forwarded = try #require(message.attachedMessages.first)
        #expect(forwarded.subject == "Original request")
        #expect(forwarded.textBody?.content == "Please quote.")
        #expect(forwarded.attachments.map(\.partPath) == ["3.2"])
        #expect(forwarded.attachments.first?.filename == "lines.csv")
        #expect(message.decodedContent(ofPart: "3.2") == bytes("a,b"))
        #expect(message.part(at: "9") == nil)
    }

    @Test func singlePartMessageIsSectionOne() {
        let message = parse("Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\nabc")
        #expect(message.root.path == "1")
        #expect(message.textBody?.partPaths == ["1"])
        let pdf = parse("Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERg==")
        #expect(pdf.textBody == nil)
        #expect(pdf.attachments.map(\.partPath) == ["1"])
        #expect(pdf.attachments.first?.size == 4)
    }

    @Test func boundaryLinesWithBlanksPrefixesAndMissingClose() {
        let message = parse("""
            Content-Type: multipart/mixed; boundary="b"

            --b \t
            Content-Type: text/plain

            first
            --bb is not a delimiter
            --b-x neither
            --b
            Content-Type: text/plain; name=notes.txt

            second, never closed
            """)
        #expect(message.textBody?.content == "first\n--bb is not a delimiter\n--b-x neither")
        #expect(message.attachments.map(\.filename) == ["notes.txt"])
        #expect(message.decodedContent(ofPart: "2") == bytes("second, never closed"))
        #expect(message.problems == [.missingCloseDelimiter(path: "")])
    }

    @Test func multipartWithoutBoundaryOrDelimitersKeepsText() {
        let noBoundary = parse("Content-Type: multipart/mixed\n\nplain words")
        #expect(noBoundary.textBody?.content == "plain words")
        #expect(noBoundary.problems == [.missingBoundary(path: "1")])
        let noDelimiter = parse("Content-Type: multipart/alternative; boundary=zz\n\njust text, no parts")
        #expect(noDelimiter.textBody?.content == "just text, no parts")
        #expect(noDelimiter.problems == [.noParts(path: "1")])
    }

    @Test func textWithAttachmentDispositionOrNameIsNotBody() {
        let message = parse("""
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: text/plain

            the body
            --m
            Content-Type: text/plain
            Content-Disposition: attachment

            attached text
            --m
            Content-Type: text/html; name="page.html"

            <p>file</p>
            --m
            Content-Type: text/plain
            Content-Disposition: inline

            footer
            --m--
            """)
        #expect(message.textBody?.content == "the body\n\nfooter")
        #expect(message.textBody?.partPaths == ["1", "4"])
        #expect(message.htmlBody == nil)
        #expect(message.attachments.map(\.partPath) == ["2", "3"])
        #expect(message.attachments.map(\.filename) == [nil, "page.html"])
        #expect(message.attachments.allSatisfy { $0.disposition == .attachment })
    }

    @Test func digestPartsDefaultToMessages() throws {
        let message = parse("""
            Content-Type: multipart/digest; boundary=d

            --d

            Subject: first of digest

            one
            --d
            Content-Type: text/plain

            not a message
            --d--
            """)
        let first = try #require(message.part(at: "1")?.embeddedMessage)
        #expect(first.subject == "first of digest")
        #expect(first.textBody?.content == "one")
        #expect(message.part(at: "2")?.contentType.mimeType == "text/plain")
    }

    @Test func signedAndReportShapes() {
        let signed = parse("""
            Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=s

            --s
            Content-Type: text/plain; format=flowed

            This is a flowed 
            line.
            --s
            Content-Type: application/pgp-signature; name=signature.asc

            -----BEGIN PGP SIGNATURE-----
            --s--
            """)
        #expect(signed.textBody?.content == "This is a flowed line.")
        #expect(signed.attachments.map(\.filename) == ["signature.asc"])
        let report = parse("""
            Content-Type: multipart/report; report-type=delivery-status; boundary=r

            --r

            Delivery failed.
            --r
            Content-Type: message/delivery-status

            Status: 5.1.1
            --r
            Content-Type: message/rfc822

            Subject: lost mail
            Message-ID: <lost@x>

            hi
            --r--
            """)
        #expect(report.textBody?.content == "Delivery failed.")
        #expect(report.attachments.map(\.contentType) == ["message/delivery-status", "message/rfc822"])
        #expect(report.attachedMessages.first?.messageID == "lost@x")
    }

    @Test func base64EncodedAttachedMessageIsParsed() {
        let inner = Base64.encode(crlf("Subject: wrapped\n\ninner body\n"), lineLength: 76)
        let message = parse("""
            Content-Type: multipart/mixed; boundary=w

            --w
            Content-Type: message/rfc822
            Content-Disposition: inline
            Content-Transfer-Encoding: base64

            \(inner)
            --w--
            """)
        #expect(message.attachments.first?.disposition == .inline)
        #expect(message.attachedMessages.first?.subject == "wrapped")
        #expect(message.attachedMessages.first?.textBody?.content == "inner body\n")
    }

    @Test func depthCapKeepsTheRestAsOnePart() {
        var text = ""
        for level in 0..<60 { text += "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n" }
        text += "Content-Type: text/plain\n\ndeep text\n"
        let message = parse(text, options: .init(maxDepth: 10))
        #expect(message.problems.contains(.depthLimit(path: "1.1.1.1.1.1.1.1.1.1")))
        #expect(message.attachments.count == 1)
        #expect(message.attachments.first?.partPath == "1.1.1.1.1.1.1.1.1.1")
        let raw = message.decodedContent(ofPart: "1.1.1.1.1.1.1.1.1.1").map { String(decoding: $0, as: UTF8.self) }
        #expect(raw?.contains("deep text") == true)
        // Uncapped by the test's limit, the default still bounds recursion.
        let deeper = parse(String(repeating: "Content-Type: message/rfc822\n\n", count: 5_000) + "x")
        #expect(deeper.problems.contains { if case .depthLimit = $0 { true } else { false } })
    }

    @Test func partCapStopsSplitting() {
        var text = "Content-Type: multipart/mixed; boundary=p\n\n"
        for index in 0..<50 { text += "--p\nContent-Type: application/octet-stream\n\n\(index)\n" }
        text += "--p--\n"
        let message = parse(text, options: .init(maxParts: 11))
        #expect(message.attachments.count == 10)
        #expect(message.problems.contains(.partLimit(path: "")))
        let last = String(decoding: message.decodedContent(ofPart: "10") ?? [], as: UTF8.self)
        #expect(last.hasPrefix("9\r\n--p"))
        #expect(last.hasSuffix("49"))
    }

    @Test func bodyCapTruncatesWithAFlag() {
        let long = String(repeating: "ü", count: 1_000)  // 2,000 UTF-8 bytes
        let message = parse("Content-Type: text/plain; charset=utf-8\n\n" + long, options: .init(maxBodyBytes: 1_001))
        #expect(message.textBody?.isTruncated == true)
        #expect(message.textBody?.content == String(repeating: "ü", count: 500))
        let exact = parse("Content-Type: text/plain; charset=utf-8\n\n" + long, options: .init(maxBodyBytes: 2_000))
        #expect(exact.textBody?.isTruncated == false)
        #expect(exact.textBody?.content == long)
        // Joined parts count against one budget.
        let twoParts = parse("""
            Content-Type: multipart/mixed; boundary=t

            --t

            0123456789
            --t

            abcdefghij
            --t--
            """, options: .init(maxBodyBytes: 15))
        #expect(twoParts.textBody == MIMEBodyText(content: "0123456789\n\nabc", isTruncated: true, partPaths: ["1", "2"]))
    }

    @Test func rfc2231AndEncodedNamesFromRealSenders() {
        let message = parse("""
            Content-Type: multipart/mixed; boundary=n

            --n
            Content-Type: application/octet-stream; name="=?UTF-8?B?0J7RgtGH0LXRgi5kb2N4?="

            x
            --n
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename*=iso-8859-1'fr'r%E9sum%E9.txt; filename="resume.txt"

            x
            --n
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename*0="long "; filename*1="name.txt"

            x
            --n
            Content-Type: application/octet-stream; name=my report 2024.xlsx
            Content-Disposition: ATTACHMENT; filename="C:\\\\Users\\\\me\\\\evil\\".txt"

            x
            --n
            Content-Type: application/octet-stream; name="\u{00E4}rger.txt"

            x
            --n--
            """)
        #expect(message.attachments.map(\.filename) == ["Отчет.docx", "résumé.txt", "long name.txt", "evil\".txt", "ärger.txt"])
    }

    @Test func contentTypeParsing() {
        let type = MIMEContentType.parse("Text/HTML ; Charset=\"UTF-8\" (comment); format=flowed")
        #expect(type?.mimeType == "text/html")
        #expect(type?.charset == "UTF-8")
        #expect(type?.parameters["format"] == "flowed")
        #expect(MIMEContentType.parse("multipart/mixed; boundary=\"=?utf-8?q?x?=\"")?.parameters["boundary"] == "=?utf-8?q?x?=")
        #expect(MIMEContentType.parse("garbage") == nil)
        #expect(MIMEContentType.parse("text/") == nil)
        let missing = parse("Content-Type: nonsense\n\nstill text")
        #expect(missing.textBody?.content == "still text")
    }

    @Test func unknownTransferEncodingIsKept() {
        let message = parse("Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x")
        #expect(message.textBody?.content == "begin 644 x")
        #expect(message.problems == [.unknownTransferEncoding(path: "1", encoding: "x-uuencode")])
    }

    @Test func windows1252BodyAndUnlabelledEightBit() {
        var raw = crlf("Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n")
        raw += [0x93, 0x48, 0x69, 0x94, 0x20, 0x80, 0x35]
        #expect(MIMEParser().parse(raw).textBody?.content == "\u{201C}Hi\u{201D} €5")
        var unlabelled = crlf("Subject: x\n\n")
        unlabelled += [0x63, 0x61, 0x66, 0xE9]
        #expect(MIMEParser().parse(unlabelled).textBody?.content == "café")
    }

    @Test func alternativeChoosesPlainAndRichest() {
        let message = parse("""
            Content-Type: multipart/alternative; boundary=a

            --a
            Content-Type: text/plain

            plain
            --a
            Content-Type: text/enriched

            <bold>rich</bold>
            --a
            Content-Type: text/html

            <b>first html</b>
            --a
            Content-Type: text/html

            <b>best html</b>
            --a--
            """)
        #expect(message.textBody?.content == "plain")
        #expect(message.htmlBody?.content == "<b>best html</b>")
    }

    @Test func randomCorruptionNeverCrashesAndKeepsHeaders() {
        var generator = SplitMix64(seed: 2_024)
        let base = crlf(Self.nested)
        for _ in 0..<300 {
            var mutated = base
            for _ in 0..<Int.random(in: 1...40, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: mutated[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: mutated.remove(at: index)
                case 2: mutated.insert(contentsOf: bytes("\r\n--outer\r\n"), at: index)
                default: mutated.removeSubrange(index..<min(mutated.count, index + Int.random(in: 1...200, using: &generator)))
                }
            }
            let message = MIMEParser().parse(mutated)
            for attachment in message.attachments {
                #expect(message.part(at: attachment.partPath) != nil)
                #expect(attachment.size >= 0)
            }
            _ = message.textBody?.content.count
        }
        // Truncated at every length through the headers: still a message.
        for length in stride(from: 0, to: 600, by: 7) {
            let message = MIMEParser().parse(Array(base.prefix(length)))
            if length > 60 { #expect(message.from.first?.address == "elodie@example.fr") }
        }
    }

    @Test func javaMailBoundaryBareLFAndIso2022jpBody() {
        var raw = bytes("""
            Content-Type: multipart/alternative;\n\tboundary="----=_Part_123_456.1709632800000"

            ------=_Part_123_456.1709632800000
            Content-Type: text/plain; charset=ISO-2022-JP
            Content-Transfer-Encoding: 7bit


            """)
        raw += [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42]  // 日本
        raw += bytes("\n------=_Part_123_456.1709632800000\nContent-Type: text/html; charset=\"x-unknown-label\"\n\n<i>caf")
        raw += [0xE9]
        raw += bytes("</i>\n------=_Part_123_456.1709632800000--\n")
        let message = MIMEParser().parse(raw)
        #expect(message.textBody?.content == "日本")
        #expect(message.htmlBody?.content == "<i>café</i>")
        #expect(message.problems.isEmpty)
    }

    @Test func appleMailSplitBodyAroundAnInlineImage() {
        let message = parse("""
            Content-Type: multipart/mixed; boundary="Apple-Mail=_1"

            --Apple-Mail=_1
            Content-Transfer-Encoding: 7bit
            Content-Type: text/plain; charset=us-ascii

            Before the picture.

            --Apple-Mail=_1
            Content-Disposition: inline; filename=photo.jpg
            Content-Type: image/jpeg; name="photo.jpg"
            Content-Transfer-Encoding: base64

            /9j/4AAQ
            --Apple-Mail=_1
            Content-Type: text/plain; charset=us-ascii

            After it.
            --Apple-Mail=_1--
            """)
        #expect(message.textBody?.content == "Before the picture.\n\nAfter it.")
        #expect(message.attachments == [MIMEAttachment(filename: "photo.jpg", contentType: "image/jpeg", size: 6,
                                                       contentID: nil, disposition: .inline, partPath: "2")])
    }
}
