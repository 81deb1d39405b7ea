import CRMSyncSupport
import Foundation

/// All sandbox state, in memory: OAuth clients, grants and tokens, calendars, cursors,
/// channels, subscriptions, faults and counters. Everything random comes from a seeded
/// generator and every timestamp from the injectable clock plus a control-API offset.
actor SandboxState {
    let configuration: SandboxConfiguration
    let outbox: AsyncStream<WebhookMessage>.Continuation

    var generator: SeededGenerator
    var clockOffset: TimeInterval = 0
    var accessTokenLifetime: Int
    var quirks = Quirks()

    var clients: [String: OAuthClient] = [:]
    var codes: [String: AuthorizationCode] = [:]
    var grants: [String: Grant] = [:]
    var accessTokens: [String: AccessToken] = [:]
    var refreshTokens: [String: RefreshToken] = [:]
    /// `provider|email` of users who refuse consent.
    var deniedUsers: Set<String> = []

    /// Google calendars by `email|calendarId`; Graph mailboxes by `email`.
    var googleStores: [String: EventStore] = [:]
    var graphStores: [String: EventStore] = [:]
    /// Google calendar store key → the calendar's IANA time zone (default UTC).
    var googleCalendarZones: [String: String] = [:]
    var syncCursors: [String: SyncCursor] = [:]
    var pageCursors: [String: PageCursor] = [:]
    var channels: [String: GoogleChannel] = [:]
    var subscriptions: [String: GraphSubscription] = [:]
    /// Gmail mailboxes by email; Pub/Sub topic → push endpoint; Gmail listing page tokens.
    var gmailMailboxes: [String: GmailMailbox] = [:]
    var gmailTopics: [String: String] = [:]
    var gmailPages: [String: GmailPageCursor] = [:]
    /// Outlook mailboxes by email; mail delta links and pages by token; mail-route traffic.
    var graphMailboxes: [String: GraphMailbox] = [:]
    var graphMailCursors: [String: MailDeltaCursor] = [:]
    var graphMailPages: [String: MailDeltaPage] = [:]
    var graphMailTraffic: [String: MailboxTraffic] = [:]
    var graphMailLatencyMs = 0
    /// While set, admitted mail requests wait here (control API `mail/hold`).
    var graphMailHold: [CheckedContinuation<Void, Never>]?

    var faults: [FaultRule] = []
    var requestCounts: [String: Int] = [:]

    init(configuration: SandboxConfiguration, outbox: AsyncStream<WebhookMessage>.Continuation) {
        self.configuration = configuration
        self.outbox = outbox
        self.generator = SeededGenerator(seed: configuration.seed)
        self.accessTokenLifetime = configuration.accessTokenLifetime
        self.clients = Self.defaultClients()
    }

    /// The sandbox's current time.
    var now: Date { self.configuration.clock().addingTimeInterval(self.clockOffset) }

    /// Forgets everything and starts again from the configured seed.
    func reset() {
        self.generator = SeededGenerator(seed: self.configuration.seed)
        self.clockOffset = 0
        self.accessTokenLifetime = self.configuration.accessTokenLifetime
        self.quirks = Quirks()
        self.clients = [:]
        self.codes = [:]
        self.grants = [:]
        self.accessTokens = [:]
        self.refreshTokens = [:]
        self.deniedUsers = []
        self.googleStores = [:]
        self.graphStores = [:]
        self.googleCalendarZones = [:]
        self.syncCursors = [:]
        self.pageCursors = [:]
        self.channels = [:]
        self.subscriptions = [:]
        self.gmailMailboxes = [:]
        self.gmailTopics = [:]
        self.gmailPages = [:]
        self.graphMailboxes = [:]
        self.graphMailCursors = [:]
        self.graphMailPages = [:]
        self.graphMailTraffic = [:]
        self.graphMailLatencyMs = 0
        self.setGraphMailHold(false)
        self.faults = []
        self.requestCounts = [:]
        self.clients = Self.defaultClients()
    }

    /// `sandbox-client` / `sandbox-secret` for each provider.
    private static func defaultClients() -> [String: OAuthClient] {
        var clients: [String: OAuthClient] = [:]
        for provider in [Provider.google, .microsoft] {
            clients["\(provider.rawValue)|sandbox-client"] = OAuthClient(
                provider: provider, id: "sandbox-client", secret: "sandbox-secret", redirectURIs: [])
        }
        return clients
    }

    /// A fresh token-like string.
    func token(_ prefix: String, _ length: Int = 32) -> String {
        prefix + self.generator.alphanumeric(length)
    }

    /// A Graph request id (GUID-shaped, from the generator).
    func guid() -> String {
        let hex = self.generator.string(32, alphabet: "0123456789abcdef")
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }

    /// Queues a webhook POST; the dispatcher sends it after the current request.
    func send(_ message: WebhookMessage) {
        self.outbox.yield(message)
    }

    func advanceClock(by seconds: TimeInterval) {
        self.clockOffset += seconds
    }

    func setQuirks(_ json: [String: JSONValue]) {
        if let value = json["emptyPages"]?.bool { self.quirks.emptyPages = value }
    }
}
