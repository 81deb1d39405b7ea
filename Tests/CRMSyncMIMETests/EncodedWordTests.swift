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
