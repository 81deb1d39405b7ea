import Testing
@testable import CRMSyncMIME

@Suite struct CharsetTests {
    @Test func latin1IsReadAsWindows1252() {
        #expect(Charset.decode([0x43, 0x61, 0x66, 0xE9], charset: "ISO-8859-1") == "Café")
        // 0x80 is a C1 control in ISO-8859-1 but senders mean the euro sign.
        #expect(Charset.decode([0x80, 0x20, 0x93, 0x71, 0x94], charset: "iso-8859-1") == "€ \u{201C}q\u{201D}")
        #expect(Charset.decode([0x9F], charset: "windows-1252") == "Ÿ")
        #expect(Charset.decode([0x81], charset: "cp1252") == "\u{81}")
    }

    @Test func koi8rThroughIconv() {
        // "Привет" in KOI8-R
        #expect(Charset.decode([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: "KOI8-R") == "Привет")
    }

    @Test func iso2022jpIsStateful() {
        // ESC $ B "日本" ESC ( B "go"
        let bytes: [UInt8] = [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42, 0x67, 0x6F]
        #expect(Charset.decode(bytes, charset: "ISO-2022-JP") == "日本go")
    }

    @Test func gb2312IsReadAsGB18030() {
        // "中文" in GB2312; GBK-only "镕" (0xE946) too.
        #expect(Charset.decode([0xD6, 0xD0, 0xCE, 0xC4], charset: "gb2312") == "中文")
        #expect(Charset.decode([0xE9, 0x46], charset: "GB2312") == "镕")
        #expect(Charset.decode([0xD6, 0xD0], charset: "GBK") == "中")
    }

    @Test func shiftJISAndBig5() {
        #expect(Charset.decode([0x82, 0xA0], charset: "Shift_JIS") == "あ")
        #expect(Charset.decode([0xA4, 0xA4], charset: "big5") == "中")
    }

    @Test func badBytesBecomeReplacementAndDecodingGoesOn() {
        // 0xFF is never valid in KOI8-R? It is (Ъ); use UTF-8 and Shift_JIS holes instead.
        #expect(Charset.decode([0x61, 0xFF, 0x62], charset: "utf-8") == "a\u{FFFD}b")
        #expect(Charset.decode([0x61, 0xE2, 0x82], charset: "UTF-8") == "a\u{FFFD}")
        // 0x82 0x20 is an invalid Shift_JIS pair: one replacement, then the rest.
        let decoded = Charset.decode([0x61, 0x82, 0x20, 0x82, 0xA0], charset: "shift_jis")
        #expect(decoded.hasPrefix("a\u{FFFD}"))
        #expect(decoded.hasSuffix("あ"))
        // A GB18030 lead byte cut off at the end.
        #expect(Charset.decode([0x41, 0xD6], charset: "gb2312") == "A\u{FFFD}")
    }

    @Test func unknownAndMislabelledCharsetsFallBack() {
        #expect(Charset.decode(bytes("héllo"), charset: "x-no-such-charset") == "héllo")
        #expect(Charset.decode([0x68, 0xE9], charset: "x-no-such-charset") == "hé")
        // us-ascii that is really UTF-8, or really Latin-1
        #expect(Charset.decode(bytes("naïve"), charset: "us-ascii") == "naïve")
        #expect(Charset.decode([0x6E, 0x61, 0xEF, 0x76, 0x65], charset: "us-ascii") == "naïve")
        #expect(Charset.decode([0x41], charset: "\"UTF-8\"") == "A")
        #expect(Charset.decode(bytes("x"), charset: nil) == "x")
    }

    @Test func utf16AndUTF7() {
        #expect(Charset.decode([0xFF, 0xFE, 0x41, 0x00, 0xE9, 0x00], charset: "utf-16") == "Aé")
        #expect(Charset.decode(bytes("Hi +AOk-"), charset: "utf-7") == "Hi é")
    }

    @Test func labelsNormalize() {
        #expect(Charset.family(of: "UTF8") == .utf8)
        #expect(Charset.family(of: " Latin1 ") == .windows1252)
        #expect(Charset.family(of: "utf-8*en") == .utf8)
        #expect(Charset.family(of: "ks_c_5601-1987") == .other("CP949"))
        #expect(Charset.family(of: "") == .guess)
    }
}
