import Testing
@testable import CRMSyncMIME

@Suite struct TransferEncodingTests {
    @Test func quotedPrintableSoftBreaksAndHex() {
        let encoded = bytes("caf=C3=A9 au=\r\n lait=\nsoft=  \r\nend")
        #expect(String(decoding: QuotedPrintable.decode(encoded), as: UTF8.self) == "café au laitsoftend")
        #expect(QuotedPrintable.decode(bytes("=c3=a9")) == [0xC3, 0xA9])
    }

    @Test func quotedPrintableKeepsMalformedEscapes() {
        #expect(String(decoding: QuotedPrintable.decode(bytes("a=ZZb =4 x=")), as: UTF8.self) == "a=ZZb =4 x")
        #expect(String(decoding: QuotedPrintable.decode(bytes("100% = total")), as: UTF8.self) == "100% = total")
    }

    @Test func quotedPrintableDropsTransportBlanksButNotEncodedOnes() {
        #expect(String(decoding: QuotedPrintable.decode(bytes("a  \r\nb\t\r\nc=20\r\n")), as: UTF8.self) == "a\r\nb\r\nc \r\n")
        // A blank before a soft break is content.
        #expect(String(decoding: QuotedPrintable.decode(bytes("a =\r\n\r\nb")), as: UTF8.self) == "a \r\nb")
    }

    @Test func quotedPrintableEncodeRoundTripsAndKeepsLinesShort() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("abc =\t.ü€😀\nFrom  x") + [" "]
        for _ in 0..<200 {
            let length = Int.random(in: 0...300, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let encoded = QuotedPrintable.encode(text)
            for line in encoded.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76)
                #expect(line.last != " " && line.last != "\t")
                #expect(!line.hasPrefix("From "))
            }
            #expect(!encoded.utf8.contains { $0 >= 0x80 })
            let decoded = String(decoding: QuotedPrintable.decode(bytes(encoded)), as: UTF8.self)
            #expect(decoded == text.replacingOccurrences(of: "\n", with: "\r\n"))
        }
    }

    @Test func base64ToleratesLineBreaksGarbageAndMissingPadding() {
        #expect(Base64.decode(bytes("aGVs\r\nbG8g\n d29y bGQ=")) == bytes("hello world"))
        #expect(Base64.decode(bytes("SGVsbG8")) == bytes("Hello"))
        #expect(Base64.decode(bytes("SGV*sb!G8=")) == bytes("Hello"))
        #expect(Base64.decode(bytes("SGk=SGk=")) == bytes("HiHi"))  // concatenated padded chunks
        #expect(Base64.decode(bytes("-_-_")) == Base64.decode(bytes("+/+/")))  // base64url
        #expect(Base64.decode(bytes("Q")) == [])
        #expect(Base64.decode(bytes("")) == [])
    }

    @Test func base64RoundTripAndCountAgree() {
        var generator = SplitMix64(seed: 42)
        for length in 0..<300 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(data, lineLength: 76)
            #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
            #expect(Base64.decode(bytes(encoded)) == data)
            #expect(Base64.decodedCount(bytes(encoded)) == data.count)
            // Mangled: padding dropped, blanks and junk sprinkled in.
            let mangled = encoded.replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "\r\n", with: " \n*")
            #expect(Base64.decode(bytes(mangled)) == data)
            #expect(Base64.decodedCount(bytes(mangled)) == data.count)
        }
    }
}
