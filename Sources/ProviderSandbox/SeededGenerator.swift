/// SplitMix64: a small deterministic generator, so a given seed always yields the same ids,
/// etags, codes and tokens.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A string of `length` characters drawn from `alphabet`.
    mutating func string(_ length: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        return String((0..<length).map { _ in characters[Int(self.next() % UInt64(characters.count))] })
    }

    /// Base32hex, the alphabet Google allows in event ids.
    mutating func base32hex(_ length: Int) -> String {
        self.string(length, alphabet: "abcdefghijklmnopqrstuv0123456789")
    }

    /// Letters and digits, for tokens and Graph ids.
    mutating func alphanumeric(_ length: Int) -> String {
        self.string(length, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    }

    /// Decimal digits, for Google etags.
    mutating func digits(_ length: Int) -> String {
        self.string(length, alphabet: "0123456789")
    }
}
