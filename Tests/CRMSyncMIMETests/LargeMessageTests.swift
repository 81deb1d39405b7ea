import Foundation
import Testing
@testable import CRMSyncMIME

@Suite struct LargeMessageTests {
    /// A 20 MB message: a quoted-printable text body and a ~19 MB base64 attachment.
    static let attachmentLines = 254_386

    static func twentyMegabytes() -> [UInt8] {
        var raw = crlf("""
            From: big@example.com
            Subject: big one
            Content-Type: multipart/mixed; boundary="big"

            --big
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable


            """)
        let line = crlf("Gr=C3=BC=C3=9Fe, this is a long body line that repeats many times over.=\n and goes on\n")
        for _ in 0..<4_000 { raw += line }
        raw += crlf("--big\nContent-Type: video/mp4; name=clip.mp4\nContent-Transfer-Encoding: base64\n\n")
        // 254,386 lines of 57 random bytes each (repeated: generating 14.5 MB at random in a debug
        // build takes longer than parsing it).
        var generator = SplitMix64(seed: 9)
        let chunk = (0..<57).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encodedLine = Array(Base64.encode(chunk).utf8) + [0x0D, 0x0A]
        raw.reserveCapacity(raw.count + Self.attachmentLines * encodedLine.count + 16)
        for _ in 0..<Self.attachmentLines { raw += encodedLine }
        raw += crlf("--big--\n")
        return raw
    }

    @Test func twentyMegabyteMessage() throws {
        let raw = Self.twentyMegabytes()
        #expect(raw.count > 20_000_000)
        let clock = ContinuousClock()
        var message: MIMEMessage?
        let elapsed = clock.measure { message = MIMEParser(options: .init(maxBodyBytes: 100_000)).parse(raw) }
        let parsed = try #require(message)
        #expect(parsed.subject == "big one")
        #expect(parsed.attachments.map(\.filename) == ["clip.mp4"])
        #expect(parsed.attachments.first?.size == Self.attachmentLines * 57)
        #expect(parsed.textBody?.isTruncated == true)
        #expect(parsed.textBody?.content.hasPrefix("Grüße, this is a long body line") == true)
        #expect(parsed.textBody.map { $0.content.utf8.count <= 100_000 } == true)
        // Debug builds are several times slower than release; this bound only catches a
        // quadratic scan (release measures well under a second, see the report).
        #expect(elapsed < .seconds(30))
        let decoded = try #require(parsed.decodedContent(ofPart: "2"))
        #expect(decoded.count == Self.attachmentLines * 57)
        #expect(decoded.suffix(57) == parsed.decodedContent(ofPart: "2")?.prefix(57))
    }

    @Test func manyTinyLinesAndHugeHeader() {
        var raw = bytes("Subject: ")
        raw += [UInt8](repeating: 0x61, count: 2_000_000)
        raw += bytes("\r\nX-Folded: a")
        for _ in 0..<100_000 { raw += bytes("\r\n b") }
        raw += bytes("\r\n\r\n")
        for _ in 0..<200_000 { raw += bytes("--\r\n") }
        let message = MIMEParser().parse(raw)
        #expect(message.subject?.utf8.count == 2_000_000)
        #expect(message.headers["x-folded"]?.count == 200_001)
        #expect(message.textBody?.content.count == 600_000)
    }
}
