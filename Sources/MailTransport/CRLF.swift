/// Mail on the wire uses CRLF line ends only; servers increasingly refuse bare LF.
enum CRLF {
    /// Every LF not preceded by CR becomes CRLF; everything else is kept byte for byte.
    static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        var bareLF = 0
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { bareLF += 1 }
            previous = byte
        }
        guard bareLF > 0 else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bareLF)
        previous = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }
}
