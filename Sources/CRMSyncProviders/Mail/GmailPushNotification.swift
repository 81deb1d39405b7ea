import CRMSyncSupport
import Foundation

/// The Gmail notification inside a Pub/Sub push body
/// (`{"message":{"data": base64 JSON {emailAddress, historyId}, …}, "subscription"}`). The
/// pushed `historyId` is only a hint: sync from the stored cursor.
public struct GmailPushNotification: Sendable, Hashable {
    public var emailAddress: String
    public var historyId: String

    public init(emailAddress: String, historyId: String) {
        self.emailAddress = emailAddress
        self.historyId = historyId
    }

    /// Reads a Pub/Sub push body; `invalidResponse` when it is not one.
    public static func parse(_ body: Data) throws(ProviderError) -> GmailPushNotification {
        let envelope = try JSONCoding.decode(Envelope.self, from: body, what: "Pub/Sub push body")
        guard let data = Base64URL.decode(envelope.message.data) else {
            throw .invalidResponse("Pub/Sub message data is not base64")
        }
        let payload = try JSONCoding.decode(Payload.self, from: data, what: "Gmail notification")
        return GmailPushNotification(emailAddress: payload.emailAddress, historyId: payload.historyId.value)
    }

    private struct Envelope: Decodable {
        struct Message: Decodable { var data: String }
        var message: Message
    }

    private struct Payload: Decodable {
        var emailAddress: String
        var historyId: GmailNumberString
    }
}
