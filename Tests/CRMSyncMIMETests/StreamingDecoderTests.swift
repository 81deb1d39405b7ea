import CRMSyncMIME
import Testing

/// The chunk-by-chunk transfer decoder gives what the one-shot decoders give, wherever the
/// chunk boundaries fall (inside a base64 quantum, an `=XX` escape, a soft line break).
@Suite("Streaming transfer decoding")
struct StreamingDecoderTests {
    static func run(_ encoding: StreamingTransferDecoder.Encoding, _ input: [UInt8], chunk: Int) -> [UInt8] {
        var decoder = StreamingTransferDecoder(encoding)
        var out: [UInt8] = []
        var index = 0
        while index < input.count {
            out += decoder.decode(input[index..<min(input.count, index + chunk)])
            index += chunk
        }
        return out + decoder.finish()
    }

    @Test("base64 with line breaks and padding, every chunk size")
    func base64() {
        let data: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var encoded = Array(Base64.encode(data, lineLength: 76).utf8)
        encoded += Array("\r\n".utf8)
        for chunk in 1...80 { #expect(Self.run(.base64, encoded, chunk: chunk) == data, "chunk \(chunk)") }
        #expect(Self.run(.base64, Array("QUJD\r\nRA==".utf8), chunk: 3) == Array("ABCD".utf8))
    }

    @Test("quoted-printable with escapes, soft breaks and trailing blanks, every chunk size")
    func quotedPrintable() {
        let encoded = Array("caf=C3=A9 =3D =\r\nsuite  \r\nfin=\r\n\tbreak=3d\r\nlast line   ".utf8)
        let expected = QuotedPrintable.decode(encoded)
        for chunk in 1...encoded.count { #expect(Self.run(.quotedPrintable, encoded, chunk: chunk) == expected, "chunk \(chunk)") }
    }

    @Test("a line longer than the carry limit is cut safely")
    func longLine() {
        var encoded = Array(String(repeating: "ab=3Dc ", count: 20_000).utf8)
        encoded += Array("end".utf8)
        #expect(Self.run(.quotedPrintable, encoded, chunk: 4096) == QuotedPrintable.decode(encoded))
    }
}
