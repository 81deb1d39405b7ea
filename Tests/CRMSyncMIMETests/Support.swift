import Foundation
@testable import CRMSyncMIME

/// Test fixtures are written with "\n"; mail on the wire has CRLF.
func crlf(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

func parse(_ text: String, options: MIMEParser.Options = .init()) -> MIMEMessage {
    MIMEParser(options: options).parse(crlf(text))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// SplitMix64: a seeded generator so randomized tests replay exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
