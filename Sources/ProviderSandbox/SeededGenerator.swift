import CRMSyncSupport

/// The sandbox's id, etag, code and token shapes, drawn from the shared seeded generator.
extension SeededGenerator {
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
