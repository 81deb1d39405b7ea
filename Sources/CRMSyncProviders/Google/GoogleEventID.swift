import Foundation

/// Google event ids chosen by crmsync: the 16 bytes of the appointment's UUID in base32hex
/// (`0-9a-v`), 26 characters, so the same appointment always maps to the same id and a
/// retried insert cannot create a second event.
public enum GoogleEventID {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuv")

    /// The event id for an appointment.
    public static func derive(from appointmentId: UUID) -> String {
        let bytes = withUnsafeBytes(of: appointmentId.uuid) { Array($0) }
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(self.alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(self.alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return output
    }

    /// True when `id` is a valid client-supplied Google event id (base32hex, 5–1024 chars).
    public static func isValid(_ id: String) -> Bool {
        (5...1024).contains(id.count) && id.allSatisfy { self.alphabet.contains($0) }
    }
}
