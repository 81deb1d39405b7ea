import Foundation

/// A Google push channel (`api#channel`) as `events.watch` returns it.
public struct GoogleChannel: Sendable, Hashable, Codable {
    /// The channel id crmsync chose.
    public var id: String
    /// Google's id of the watched resource; needed to stop the channel.
    public var resourceId: String
    /// The watched resource's URI.
    public var resourceURI: String?
    /// The token Google echoes in `X-Goog-Channel-Token`.
    public var token: String?
    /// When the channel stops delivering.
    public var expiration: Date?

    /// Creates a channel value.
    public init(id: String, resourceId: String, resourceURI: String? = nil, token: String? = nil, expiration: Date? = nil) {
        self.id = id
        self.resourceId = resourceId
        self.resourceURI = resourceURI
        self.token = token
        self.expiration = expiration
    }
}

/// The wire form: `expiration` is milliseconds since the epoch, as a string or a number.
struct GoogleChannelResource: Codable {
    var kind: String?
    var id: String
    var resourceId: String?
    var resourceUri: String?
    var token: String?
    var expiration: MillisecondsSinceEpoch?
    var type: String?
    var address: String?
}

/// Milliseconds since the epoch, read from a JSON string or number, written as a string.
struct MillisecondsSinceEpoch: Codable, Hashable {
    var value: Int64

    init(_ date: Date) {
        self.value = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self.value = number
        } else if let double = try? container.decode(Double.self) {
            self.value = Int64(double)
        } else if let parsed = Int64(try container.decode(String.self)) {
            self.value = parsed
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expiration is not milliseconds")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(self.value))
    }

    var date: Date { Date(timeIntervalSince1970: Double(self.value) / 1000) }
}
