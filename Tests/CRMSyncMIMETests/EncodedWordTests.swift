import Testing
@testable import CRMSyncMIME

@Suite struct EncodedWordTests {
    @Test func bAndQForms() {
        #expect(EncodedWord.decode("=?UTF-8?B?w6lsw6h2ZQ==?=") == "élève")
        #expect(EncodedWord.decode("=?iso-8859-1?q?caf=E9_cr=e8me?=") == "café crème")
        #expect(EncodedWord.decode("Re: =?utf-8?Q?R=C3=A9sum=C3=A9?= attached") == "Re: Résumé attached")
    }

    @Test func whitespaceBetweenAdjacentWordsIsDropped() {
        #expect(EncodedWord.decode("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab")
        #expect(EncodedWord.decode("=?utf-8?q?a?=\r\n \t=?utf-8?q?b?=") == "ab")
        #expect(EncodedWord.decode("=?utf-8?q?a_?= =?utf-8?q?b?=") == "a b")
        // Between a word and plain text the space stays.
        #expect(EncodedWord.decode("=?utf-8?q?a?= b =?utf-8?q?c?=") == "a b c")
        #expect(EncodedWord.decode("x =?utf-8?q?a?=") == "x a")
    }

    @Test func charactersSplitAcrossWordsAreJoinedAsBytes() {
        // "€" (E2 82 AC) split over two B words, as some senders do.
        #expect(EncodedWord.decode("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=") == "€")
        // …and over a Q word followed by a B word in the same charset.
        #expect(EncodedWord.decode("=?utf-8?Q?=E2=82?= =?UTF-8?b?rA==?=x") == "€x")
    }

    @Test func differentCharsetsDecodeSeparately() {
        #expect(EncodedWord.decode("=?iso-8859-1?q?=E9?= =?koi8-r?b?8NLJ18XU?=") == "éПривет")
        #expect(EncodedWord.decode("=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=") == "日本")
        #expect(EncodedWord.decode("=?gb2312?B?1tDOxA==?=") == "中文")
        #expect(EncodedWord.decode("=?windows-1252?Q?=93quoted=94?=") == "\u{201C}quoted\u{201D}")
        #expect(EncodedWord.decode("=?utf-8*en?Q?hi?=") == "hi")
    }

    @Test func malformedWordsStayLiteral() {
        #expect(EncodedWord.decode("=?utf-8?Q?unterminated") == "=?utf-8?Q?unterminated")
        #expect(EncodedWord.decode("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=")
        #expect(EncodedWord.decode("a =?utf-8?q?has space?= b") == "a =?utf-8?q?has space?= b")
        #expect(EncodedWord.decode("=??q?x?=") == "=??q?x?=")
        #expect(EncodedWord.decode("price =? 3") == "price =? 3")
        // A terminated word after an unterminated one still decodes.
        #expect(EncodedWord.decode("=?utf-8?q?oops =?utf-8?q?ok?=") == "=?utf-8?q?oops ok")
    }

    @Test func longRunOfUnterminatedWordsIsLinear() {
        let text = String(repeating: "=?a?q?x", count: 200_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(EncodedWord.decode(text) == text) }
        #expect(elapsed < .seconds(20))
    }

    @Test func encodeRoundTripsAndStaysShort() {
        let samples = ["Grüße aus Köln", "日本語のメール件名がとても長い場合はどうなるでしょうか、折り返しの確認です", "😀 emoji 👍🏽 family 👨‍👩‍👧",
                       String(repeating: "é", count: 200), "=?not a word?=", ""]
        for sample in samples {
            let encoded = EncodedWord.encode(sample, firstLineUsed: 9)
            for word in encoded.components(separatedBy: "\r\n ") {
                #expect(word.count <= 75)
            }
            #expect(EncodedWord.decode(encoded.replacingOccurrences(of: "\r\n", with: "")) == sample)
        }
    }
}

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

@Suite struct AddressTests {
    @Test func namesQuotedCommentedAndEncoded() {
        let list = MailAddress.parseList(
            #""Doe, John" <john@example.com>, jane@example.com (Jane Roe), =?utf-8?q?J=C3=B6rg?= <jorg@x.de>, "#
                + #""=?ISO-8859-1?Q?Andr=E9?= Pirard" <pirard@vm1.ulg.ac.be>, <bare@x.org>, "\"Q\" \\ x" <q@x>"#)
        #expect(list == [
            MailAddress(name: "Doe, John", address: "john@example.com"),
            MailAddress(name: "Jane Roe", address: "jane@example.com"),
            MailAddress(name: "Jörg", address: "jorg@x.de"),
            MailAddress(name: "André Pirard", address: "pirard@vm1.ulg.ac.be"),
            MailAddress(address: "bare@x.org"),
            MailAddress(name: #""Q" \ x"#, address: "q@x"),
        ])
    }

    @Test func groupsAndEmptyGroups() {
        let list = MailAddress.parseList("Team: a@x.com, B <b@x.com>;, undisclosed-recipients:;, c@y.com")
        #expect(list == [
            MailAddress(address: "a@x.com", group: "Team"),
            MailAddress(name: "B", address: "b@x.com", group: "Team"),
            MailAddress(address: "c@y.com"),
        ])
    }

    @Test func outlookSemicolonsRoutesAndComments() {
        #expect(MailAddress.parseList("a@x.com; b@y.com").map(\.address) == ["a@x.com", "b@y.com"])
        #expect(MailAddress.parseList("<@relay.net,@r2.net:user@final.org>").map(\.address) == ["user@final.org"])
        #expect(MailAddress.parseList("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>")
            == [MailAddress(name: "Pete", address: "pete@silly.test")])
        #expect(MailAddress.parseList("  ,, ,").isEmpty)
        #expect(MailAddress.parseList("\"unterminated <x@y>").count <= 1)
        #expect(MailAddress.parseList("John <john@x.com").map(\.address) == ["john@x.com"])
    }

    @Test func messageIDs() {
        #expect(MessageID.parse(" <abc@host> (comment)") == "abc@host")
        #expect(MessageID.parse("abc@host") == "abc@host")
        #expect(MessageID.parse("") == nil)
        #expect(MessageID.parseList("<a@x>\r\n <b@y> <c\r\n @z>") == ["a@x", "b@y", "c@z"])
        #expect(MessageID.parseList("a@x b@y") == ["a@x", "b@y"])
        #expect(MessageID.parseList("<a@x> (x <y@z>)") == ["a@x"])
    }
}
