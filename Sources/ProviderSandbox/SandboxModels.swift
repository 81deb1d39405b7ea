import CRMSyncSupport
import Foundation

/// Which provider a client, grant or token belongs to.
enum Provider: String, Sendable, Codable {
    case google
    case microsoft
}

/// A registered OAuth client.
struct OAuthClient: Sendable {
    var provider: Provider
    var id: String
    var secret: String
    /// Allowed redirect URIs; empty allows any (the sandbox client takes loopback ports).
    var redirectURIs: [String]
}

/// An issued authorization code, single use.
struct AuthorizationCode: Sendable {
    var provider: Provider
    var clientId: String
    var redirectURI: String
    var codeChallenge: String?
    var codeChallengeMethod: String?
    var scope: String
    var email: String
    var offline: Bool
    var forceConsent: Bool
    var expiresAt: Date
    var used: Bool
}

/// A user's consent to a client: refresh and access tokens hang off it.
struct Grant: Sendable {
    var provider: Provider
    var clientId: String
    var email: String
    var scope: String
    var revoked: Bool
}

/// An access token and what it is good for.
struct AccessToken: Sendable {
    var grantId: String
    var provider: Provider
    var email: String
    var expiresAt: Date
}

/// A refresh token; Microsoft's stop working once rotated.
struct RefreshToken: Sendable {
    var grantId: String
    var valid: Bool
}

/// A stored event: the provider's JSON plus whether it was deleted.
struct EventRecord: Sendable {
    var json: [String: JSONValue]
    var deleted: Bool
}

/// One calendar's events in insertion order, with a change log so that incremental listings
/// cost what changed, not what exists (as the providers' own do).
struct EventStore: Sendable {
    private(set) var events: [String: EventRecord] = [:]
    private(set) var order: [String] = []
    /// Graph `transactionId` → event id.
    var transactions: [String: String] = [:]
    /// Ids in the order they were written, one entry per write; a cursor remembers its length.
    private(set) var changes: [String] = []
    /// Index of each id in `order`.
    private(set) var position: [String: Int] = [:]
    /// Recurring masters: their listing depends on the clock (the expansion horizon) and on
    /// their exceptions, so every incremental listing looks at them again.
    private(set) var series: Set<String> = []

    /// Writes a record (the only way to change a store).
    mutating func put(_ id: String, _ record: EventRecord) {
        if self.events[id] == nil {
            self.position[id] = self.order.count
            self.order.append(id)
        }
        self.events[id] = record
        self.changes.append(id)
        if record.json["type"]?.string == "seriesMaster" || record.json["recurrence"]?.array != nil {
            self.series.insert(id)
        } else {
            self.series.remove(id)
        }
    }

    /// Ids whose listing may differ from what a cursor taken at `sequence` saw: those written
    /// since, and every recurring master; in listing order.
    func touched(since sequence: Int) -> [String] {
        var ids = self.series
        if sequence < self.changes.count { ids.formUnion(self.changes[max(0, sequence)...]) }
        return ids.sorted { (self.position[$0] ?? .max) < (self.position[$1] ?? .max) }
    }
}

/// What a listing shows of one item: id, version (etag) and JSON.
struct ItemView: Sendable {
    var id: String
    var version: String
    var cancelled: Bool
    var json: [String: JSONValue]
    /// The stored record it comes from, when not `id` (an instance of a series).
    var record: String? = nil
}

/// A stored sync position (Google `syncToken`, Graph `$deltatoken`): the items seen then.
struct SyncCursor: Sendable {
    var email: String
    var storeKey: String
    var snapshot: [String: String]
    /// `EventStore.changes.count` when the snapshot was taken.
    var sequence = 0
    /// Record id → the item ids it showed, for records that showed other ids than their own.
    var shown: [String: [String]] = [:]
    var singleEvents: Bool
    var showDeleted: Bool
    var windowStart: Date?
    var windowEnd: Date?
    var timeZone: String?
}

/// A listing in progress (Google `pageToken`, Graph `$skiptoken`).
struct PageCursor: Sendable {
    var email: String
    var storeKey: String
    var items: [JSONValue]
    var offset: Int
    var emptyNext: Bool
    var final: SyncCursor
}

/// A Google push channel.
struct GoogleChannel: Sendable {
    var id: String
    var resourceId: String
    var resourceURI: String
    var storeKey: String
    var address: String
    var token: String?
    var expiration: Date
    var messageNumber: Int
}

/// A Graph subscription.
struct GraphSubscription: Sendable {
    var id: String
    var email: String
    var resource: String
    var changeTypes: [String]
    var notificationURL: String
    var lifecycleURL: String?
    var clientState: String?
    var expiration: Date
    var json: [String: JSONValue]
    /// Created with `Prefer: IdType="ImmutableId"` (message notifications carry immutable ids).
    var immutableIds = false
}

/// A POST the sandbox owes a webhook receiver.
struct WebhookMessage: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: Data?
}

/// Behaviour switches that make the sandbox harder on clients.
struct Quirks: Sendable {
    /// Every other list page (starting with the first) comes back empty with a next link.
    var emptyPages = false
}
