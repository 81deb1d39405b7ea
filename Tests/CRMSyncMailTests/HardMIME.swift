import Foundation

/// Messages that break naive importers: encoded words in several charsets, raw 8-bit headers,
/// nested multiparts with attachments, a part with a broken transfer encoding, no end boundary.
enum HardMIME {
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    /// RFC 2047 words (UTF-8 Q and ISO-8859-1 B), an attachment with an RFC 2231 name.
    static let encodedWords = crlf(
        """
        From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.test>
        To: x@example.test
        Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_=E2=80=94_?=
         =?ISO-8859-1?B?52EgdmE/?=
        Message-ID: <hard-1@test>
        Date: Tue, 01 Dec 2026 09:00:00 +0100
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        preamble is ignored
        --outer
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Gr=FC=DFe, voil=E0 le fichier.
        --inner
        Content-Type: text/html; charset=utf-8

        <p>Grüße</p>
        --inner--
        --outer
        Content-Type: application/pdf
        Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        JSVFT0YK
        --outer--
        """)

    /// Raw UTF-8 in the headers (RFC 6532), Shift_JIS body, an inline image in multipart/related.
    static let eightBit: [UInt8] = {
        var bytes = crlf(
            """
            From: 山田 <yamada@example.test>
            To: x@example.test
            Subject: 日本語の件名
            Message-ID: <hard-2@test>
            MIME-Version: 1.0
            Content-Type: multipart/related; boundary=rel

            --rel
            Content-Type: text/plain; charset=shift_jis
            Content-Transfer-Encoding: 8bit


            """)
        bytes += [0x82, 0xB1, 0x82, 0xF1, 0x82, 0xC9, 0x82, 0xBF, 0x82, 0xCD]  // こんにちは
        bytes += crlf(
            """

            --rel
            Content-Type: image/png
            Content-ID: <logo@test>
            Content-Disposition: inline
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --rel--

            """)
        return bytes
    }()

    /// Malformed: a bad base64 part, an unknown charset, a missing end boundary.
    static let malformed = crlf(
        """
        From: broken@example.test
        Subject: malformed parts
        Message-ID: <hard-3@test>
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain; charset=x-unknown-charset

        text with an unknown charset
        --b
        Content-Type: application/octet-stream; name=data.bin
        Content-Transfer-Encoding: base64

        !!!not base64***
        --b
        Content-Type: text/plain
        Content-Transfer-Encoding: quoted-printable

        broken =ZZ escape and no end boundary
        """)

    /// A forwarded message (message/rfc822) and a KOI8-R subject.
    static let forwarded = crlf(
        """
        From: fwd@example.test
        To: x@example.test
        Subject: =?KOI8-R?B?8NLJ18XU?=
        Message-ID: <hard-4@test>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary=f

        --f
        Content-Type: text/plain

        See below.
        --f
        Content-Type: message/rfc822

        From: inner@example.test
        Subject: inner
        Message-ID: <inner@test>

        inner body
        --f--
        """)

    static let all = [encodedWords, eightBit, malformed, forwarded]
    /// The PDF, the inline PNG, data.bin and the forwarded message.
    static let attachmentCount = 4

    /// A message of about `megabytes` MB of text, one line of 76 characters after another.
    static func big(megabytes: Int, id: String) -> [UInt8] {
        var bytes = crlf("From: big@example.test\nSubject: big\nMessage-ID: <\(id)>\nContent-Type: text/plain\n\n")
        let line = Array(String(repeating: "0123456789abcdefghij", count: 4).prefix(76).utf8) + [13, 10]
        bytes.reserveCapacity(megabytes * 1_000_000 + 1000)
        while bytes.count < megabytes * 1_000_000 + 100 { bytes += line }
        return bytes
    }
}
