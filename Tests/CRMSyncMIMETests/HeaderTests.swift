import Testing
@testable import CRMSyncMIME

@Suite struct HeaderTests {
    @Test func foldedHeadersUnfoldKeepingTheBlank() {
        let message = parse("Subject: a long\n  folded\n\tsubject\nX-Empty:\nX-Two: 1\nx-two: 2\n\nbody")
        #expect(message.subject == "a long  folded\tsubject")
        #expect(message.headers["X-EMPTY"] == "")
        #expect(message.headers.values("X-Two") == ["1", "2"])
        #expect(message.headers.fields.map(\.name) == ["Subject", "X-Empty", "X-Two", "x-two"])
    }

    @Test func bareLFAndMixedLineEnds() {
        let message = MIMEParser().parse(bytes("Subject: lf\nTo: a@b.c\r\n\nhello\r\n"))
        #expect(message.subject == "lf")
        #expect(message.to == [MailAddress(address: "a@b.c")])
        #expect(message.textBody?.content == "hello\n")
    }

    @Test func eightBitHeadersAsUTF8OrLatin1() {
        var raw = bytes("Subject: Grüße\r\nFrom: ")
        raw += [0x4A, 0xF6, 0x72, 0x67] + bytes(" <j@x.de>\r\n\r\nx")  // "Jörg" in Latin-1
        let message = MIMEParser().parse(raw)
        #expect(message.subject == "Grüße")
        #expect(message.from.first?.name == "Jörg")
        #expect(message.from.first?.address == "j@x.de")
    }

    @Test func missingSeparatorKeepsTheBody() {
        let message = parse("Subject: no blank line\nThis line is body text.\nMore text: not a header? it is body.\n")
        #expect(message.subject == "no blank line")
        #expect(message.textBody?.content == "This line is body text.\nMore text: not a header? it is body.\n")
        #expect(message.problems.contains(.missingHeaderSeparator(path: "1")))
    }

    @Test func onlyHeadersAndOnlyGarbage() {
        let headersOnly = parse("Subject: x\nFrom: a@b.c")
        #expect(headersOnly.subject == "x")
        #expect(headersOnly.textBody?.content == "")
        let garbage: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let message = MIMEParser().parse(garbage)
        #expect(message.headers.fields.isEmpty)
        #expect(message.attachments.isEmpty)
        #expect(message.textBody != nil)
        #expect(MIMEParser().parse([UInt8]()).textBody?.content == "")
    }

    @Test func mboxFromLineAndObsoleteBlankBeforeColon() {
        let message = parse("From sender@x.com Mon Jan  1 00:00:00 2024\nSubject : spaced\n\nbody")
        #expect(message.subject == "spaced")
        #expect(message.headers.fields.count == 1)
    }

    @Test func nulInHeadersAndBodyNeverReachesText() {
        let message = MIMEParser().parse(bytes("Subject: a") + [0] + bytes("b =?utf-8?q?c=00d?=\r\nFrom: =?utf-8?b?AA==?= <a@b.c>\r\n\r\nx") + [0] + bytes("y"))
        #expect(message.subject == "a\u{FFFD}b c\u{FFFD}d")
        #expect(message.from.first?.name == "\u{FFFD}")
        #expect(message.textBody?.content == "x\u{FFFD}y")
    }
}
