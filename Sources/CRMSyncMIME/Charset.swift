import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes text in a named charset. Bad bytes become U+FFFD and an unknown charset falls back to
/// UTF-8 (then Windows-1252): decoding never fails, so no message is lost over its text.
public enum Charset {
    /// Decodes `bytes` labelled `charset` (an IANA name as found in mail; nil = unlabelled).
    public static func decode<C: Collection<UInt8>>(_ bytes: C, charset: String?) -> String {
        self.string(self.utf8(bytes, charset: charset))
    }

    /// Bytes of unknown or unreliable labelling (raw 8-bit headers, `us-ascii` parts that are not):
    /// UTF-8 when they are valid UTF-8, else Windows-1252, which maps every byte.
    public static func decodeGuessing<C: Collection<UInt8>>(_ bytes: C) -> String {
        self.string(self.guessUTF8(bytes))
    }

    /// UTF-8 bytes to a String: invalid sequences become U+FFFD, and so does NUL, which Postgres
    /// text cannot hold (NUL never occurs inside a UTF-8 sequence, so replacing it is safe).
    static func string(_ utf8: [UInt8]) -> String {
        guard utf8.contains(0) else { return String(decoding: utf8, as: UTF8.self) }
        var cleaned = [UInt8]()
        cleaned.reserveCapacity(utf8.count + 8)
        for byte in utf8 {
            if byte == 0 {
                cleaned += [0xEF, 0xBF, 0xBD]
            } else {
                cleaned.append(byte)
            }
        }
        return String(decoding: cleaned, as: UTF8.self)
    }

    /// Transcodes to UTF-8 bytes (possibly invalid only where the input was declared UTF-8; the
    /// String initializer repairs those with U+FFFD).
    static func utf8<C: Collection<UInt8>>(_ bytes: C, charset: String?) -> [UInt8] {
        switch self.family(of: charset) {
        case .utf8: return Array(bytes)
        case .guess: return self.guessUTF8(bytes)
        case .windows1252: return self.windows1252ToUTF8(bytes)
        case .other(let name):
            let array = Array(bytes)
            if let converted = array.withUnsafeBufferPointer({ self.iconvToUTF8($0, from: name) }) {
                return converted
            }
            if let encoding = self.foundationEncoding(name),
               let string = String(bytes: array, encoding: encoding) {
                return Array(string.utf8)
            }
            return self.guessUTF8(array)
        }
    }

    static func guessUTF8<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] {
        if bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil {
            return Array(bytes)
        }
        return self.windows1252ToUTF8(bytes)
    }

    enum Family: Equatable {
        case utf8, guess, windows1252
        case other(String)
    }

    /// Normalizes a mail charset label to what decodes it. ISO-8859-1 is read as Windows-1252
    /// (its superset, and what senders mean), GB2312/GBK as GB18030, Shift_JIS as CP932.
    static func family(of label: String?) -> Family {
        guard var name = label?.trimmingCharacters(in: .whitespaces).lowercased(), !name.isEmpty else {
            return .guess
        }
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
            name = String(name.dropFirst().dropLast())
        }
        // RFC 2231 language suffix in encoded words: =?utf-8*en?Q?…?=
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return .utf8
        case "", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "default", "unknown",
             "unknown-8bit", "x-unknown", "8bit", "7bit", "charset", "x-user-defined":
            return .guess
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100",
             "cp819", "ibm819", "windows-1252", "cp1252", "x-cp1252", "win-1252", "iso_8859-1:1987":
            return .windows1252
        case "gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "gb_2312-80", "csgb2312", "ms936":
            return .other("GB18030")
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932", "ms932":
            return .other("CP932")
        case "ks_c_5601-1987", "ks_c_5601", "euc-kr", "korean", "cp949", "ksc5601":
            return .other("CP949")
        case "big5", "x-big5", "cn-big5", "big5-hkscs": return .other("BIG5-HKSCS")
        case "iso-2022-jp", "csiso2022jp": return .other("ISO-2022-JP-2")
        case "tis-620", "windows-874", "iso-8859-11": return .other("CP874")
        case "utf-16", "unicode": return .other("UTF-16")
        case "utf-7", "unicode-1-1-utf-7": return .other("UTF-7")
        default: return .other(name.uppercased())
        }
    }

    static func foundationEncoding(_ name: String) -> String.Encoding? {
        switch name.lowercased() {
        case "iso-8859-2", "iso8859-2", "latin2": return .isoLatin2
        case "windows-1250", "cp1250": return .windowsCP1250
        case "windows-1251", "cp1251": return .windowsCP1251
        case "windows-1253", "cp1253": return .windowsCP1253
        case "windows-1254", "cp1254": return .windowsCP1254
        case "utf-16be": return .utf16BigEndian
        case "utf-16le": return .utf16LittleEndian
        case "euc-jp": return .japaneseEUC
        default: return nil
        }
    }

    /// Windows-1252's 0x80–0x9F; the five holes map to the C1 controls, as WHATWG decoders do.
    private static let cp1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func windows1252ToUTF8<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + bytes.count / 4)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
                continue
            }
            let scalar = byte < 0xA0 ? UInt32(self.cp1252High[Int(byte - 0x80)]) : UInt32(byte)
            if scalar < 0x800 {
                out.append(UInt8(0xC0 | (scalar >> 6)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (scalar >> 12)))
                out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
        return out
    }

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// glibc iconv to UTF-8; an invalid byte becomes U+FFFD and decoding goes on after it.
    /// Nil when iconv does not know the charset.
    static func iconvToUTF8(_ input: UnsafeBufferPointer<UInt8>, from name: String) -> [UInt8]? {
        let descriptor = iconv_open("UTF-8", name)
        guard let descriptor, Int(bitPattern: descriptor) != -1 else { return nil }
        defer { iconv_close(descriptor) }
        guard let base = input.baseAddress, input.count > 0 else { return [] }
        var out = [UInt8]()
        out.reserveCapacity(input.count * 2 + 16)
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base)
            .assumingMemoryBound(to: CChar.self)
        var inLeft = input.count
        while inLeft > 0 {
            var failure: Int32 = 0
            let produced = chunk.withUnsafeMutableBufferPointer { buffer -> Int in
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(buffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = buffer.count
                let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 { failure = errno }
                return buffer.count - outLeft
            }
            out.append(contentsOf: chunk[0..<produced])
            switch failure {
            case 0, E2BIG:
                continue
            case EINVAL:
                // A sequence cut off by the end of the input.
                out.append(contentsOf: self.replacement)
                inLeft = 0
            default:
                // EILSEQ (or anything else): replace one byte and go on.
                out.append(contentsOf: self.replacement)
                inPointer = inPointer.map { $0 + 1 }
                inLeft -= 1
            }
        }
        return out
    }
}
