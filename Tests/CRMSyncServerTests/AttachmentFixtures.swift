import Foundation

/// The big IMAP message of the attachment tests, written straight to a file (20 MiB never sits
/// in memory whole) and hashed as it is written.
enum AttachmentFixtures {
    static let bigSize = 20 * 1024 * 1024

    /// Writes a message with a 20 MiB pseudo-random attachment (base64, 76-character lines) and a
    /// quoted-printable text attachment to `file`; returns the big one's SHA-256 and the text.
    static func writeBigMessage(to file: URL) throws -> (sha256: String, text: [UInt8]) {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let text = Array(String(repeating: "Prix: 12€ = douze euros; naïve café, ligne très longue sans fin ", count: 40).utf8)
        try handle.write(contentsOf: Data("""
            From: Carol <carol@initech.example>\r
            To: big@example.test\r
            Subject: The big file\r
            Message-ID: <big-\(UUID().uuidString)@initech.example>\r
            Date: Tue, 01 Dec 2026 10:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Two files attached.\r
            --b1\r
            Content-Type: application/octet-stream; name="big.bin"\r
            Content-Disposition: attachment; filename="big.bin"\r
            Content-Transfer-Encoding: base64\r
            \r

            """.utf8))
        let hasher = try SHA256Sum()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let piece = 57 * 1024  // a whole number of 76-character lines
        var written = 0
        while written < Self.bigSize {
            let count = min(piece, Self.bigSize - written)
            var bytes = [UInt8](repeating: 0, count: count)
            for index in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
            }
            try hasher.write(bytes)
            let encoded = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            try handle.write(contentsOf: Data((encoded + "\r\n").utf8))
            written += count
        }
        try handle.write(contentsOf: Data("""
            --b1\r
            Content-Type: text/plain; charset=utf-8; name="notes.txt"\r
            Content-Disposition: attachment; filename="notes.txt"\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            \(Self.quotedPrintable(text))\r
            --b1--\r

            """.utf8))
        return (try hasher.finish(), text)
    }

    /// Quoted-printable with soft breaks every 70 characters; blanks before a break escaped.
    static func quotedPrintable(_ bytes: [UInt8]) -> String {
        var out = ""
        var line = 0
        for byte in bytes {
            let piece = (byte >= 33 && byte <= 126 && byte != 61) || byte == 32 ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
            if line + piece.count > 70 {
                // A blank ending an encoded line is transport padding: it must be escaped.
                if out.hasSuffix(" ") { out = String(out.dropLast()) + "=20" }
                out += "=\r\n"
                line = 0
            }
            out += piece
            line += piece.count
        }
        return out.hasSuffix(" ") ? String(out.dropLast()) + "=20" : out
    }
}
