import Foundation

/// IMAP mailbox names on the wire (RFC 3501 §5.1.3): printable ASCII as is, `&` as `&-`,
/// anything else as `&` + base64 (with `,` for `/`) of UTF-16BE + `-`.
enum ModifiedUTF7 {
    static func encode(_ name: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var data = Data()
            for unit in pending { data.append(UInt8(unit >> 8)); data.append(UInt8(unit & 0xFF)) }
            let base64 = data.base64EncodedString().replacingOccurrences(of: "/", with: ",")
                .trimmingCharacters(in: CharacterSet(charactersIn: "="))
            out += "&" + base64 + "-"
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return out
    }

    /// Decodes; a malformed shift sequence is kept as it is (a name is never refused).
    static func decode(_ wire: String) -> String {
        guard wire.contains("&") else { return wire }
        var out = ""
        var rest = Substring(wire)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let afterAmp = rest.index(after: amp)
            guard let dash = rest[afterAmp...].firstIndex(of: "-") else {
                out += rest[amp...]
                return out
            }
            let encoded = rest[afterAmp..<dash]
            if encoded.isEmpty {
                out += "&"
            } else if let text = Self.decodeBase64(String(encoded)) {
                out += text
            } else {
                out += rest[amp...dash]
            }
            rest = rest[rest.index(after: dash)...]
        }
        return out + rest
    }

    private static func decodeBase64(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: ",", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), data.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        var index = data.startIndex
        while index < data.endIndex {
            units.append(UInt16(data[index]) << 8 | UInt16(data[index + 1]))
            index += 2
        }
        return String(utf16CodeUnits: units, count: units.count)
    }
}
