import Foundation
import PostgresClient

/// Push channels (Google) and subscriptions (Graph) of calendar accounts, through the SQL
/// functions of sql/260_calendar_push_channels.sql. Secrets never pass through here: only the
/// sha256 of a channel token / clientState.
public struct PushChannelStore: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// A channel as a webhook finds it (no identity needed to find it; its owner is returned).
    public struct Lookup: Sendable, Hashable {
        public var channelID: UUID
        public var owner: Identity
        public var accountID: UUID
        /// sha256 of the channel's secret.
        public var tokenHash: [UInt8]
        public var status: String
        public var expiresAt: Date
        public var resourceID: String?

        /// A channel that may still deliver (a replaced one overlaps its successor for a while).
        public func isLive(at now: Date) -> Bool {
            ["active", "replaced", "stopping"].contains(self.status) && self.expiresAt > now
        }
    }

    /// What accepting a notification did.
    public enum Acceptance: String, Sendable {
        /// The account became due and a worker was woken.
        case requested
        /// A request was already pending: this notification rides along.
        case coalesced
        /// Counted only (a `sync` handshake message).
        case counted
    }

    /// A channel of an account, as its owner's worker sees it.
    public struct Channel: Sendable, Hashable {
        public var id: UUID
        public var accountID: UUID
        public var provider: String
        public var calendarID: String
        public var externalID: String
        public var resourceID: String?
        public var status: String
        public var expiresAt: Date
    }

    /// Work for the renewal service.
    public struct Renewal: Sendable, Hashable {
        public enum Reason: String, Sendable {
            /// Expires within the margin: renew (Graph) or replace (Google).
            case expiring
            /// The account now syncs another calendar: replace.
            case calendarChanged = "calendar_changed"
            /// Failed earlier: replace.
            case failed
            /// The account is disconnected or no longer synced: stop.
            case orphaned
            /// The account syncs without a live channel: start one.
            case missing
        }

        public var reason: Reason
        /// Nil for `missing`.
        public var channelID: UUID?
        public var owner: Identity
        public var accountID: UUID
        public var provider: String
        public var calendarID: String
        public var externalID: String?
        public var resourceID: String?
        public var expiresAt: Date?
    }

    /// Outcomes `record` accepts.
    public enum Outcome: String, Sendable {
        case renewed, replaced, stopping, stopped, failed, expired
    }

    /// What a disconnect removed.
    public struct Disconnection: Sendable, Hashable {
        public var channelsStopped: Int
        public var mappingsRemoved: Int
        public var conflictsRemoved: Int
    }

    // MARK: webhooks

    /// The channel with this provider (`google` / `outlook`) and external id, found without an
    /// identity; nil when unknown.
    public func lookup(provider: String, externalID: String) async throws -> Lookup? {
        try await self.database.session(nil, role: .worker) { connection in
            let rows = try await connection.query(
                """
                select channel_id, organization_id, user_id, calendar_account_id, token_hash, status, expires_at, resource_id
                  from public.calendar_push_channel_lookup(\(provider), \(externalID))
                """)
            guard let row = rows.first else { return nil }
            return Lookup(
                channelID: try row.decode(UUID.self, at: 0),
                owner: Identity(userID: try row.decode(UUID.self, at: 2), organizationID: try row.decode(UUID.self, at: 1)),
                accountID: try row.decode(UUID.self, at: 3), tokenHash: [UInt8](try row.decode(Data.self, at: 4)),
                status: try row.decode(String.self, at: 5), expiresAt: try row.decode(Date.self, at: 6),
                resourceID: try row.decode(String?.self, at: 7))
        }
    }

    /// At most this many ids per `lookup(provider:externalIDs:)` (the SQL function's cap).
    public static let maxLookupIDs = 100

    /// `lookup(provider:externalID:)` for many ids in one statement (a Graph notification's
    /// subscriptions): the channels found, by external id. At most `maxLookupIDs` ids.
    public func lookup(provider: String, externalIDs: [String]) async throws -> [String: Lookup] {
        guard !externalIDs.isEmpty else { return [:] }
        return try await self.database.session(nil, role: .worker) { connection in
            let rows = try await connection.query(
                """
                select external_id, channel_id, organization_id, user_id, calendar_account_id, token_hash, status, expires_at,
                       resource_id
                  from public.calendar_push_channel_lookup(\(provider), \(externalIDs)::text[])
                """)
            var found: [String: Lookup] = [:]
            for row in rows.rows {
                found[try row.decode(String.self, at: 0)] = Lookup(
                    channelID: try row.decode(UUID.self, at: 1),
                    owner: Identity(userID: try row.decode(UUID.self, at: 3), organizationID: try row.decode(UUID.self, at: 2)),
                    accountID: try row.decode(UUID.self, at: 4), tokenHash: [UInt8](try row.decode(Data.self, at: 5)),
                    status: try row.decode(String.self, at: 6), expiresAt: try row.decode(Date.self, at: 7),
                    resourceID: try row.decode(String?.self, at: 8))
            }
            return found
        }
    }

    /// Counts a verified notification on the channel; with `markDue` the account becomes due
    /// (coalesced with a pending request). Runs in the owner's worker session.
    public func accept(channel: UUID, markDue: Bool, as owner: Identity) async throws -> Acceptance {
        try await self.database.session(owner, role: .worker) { connection in
            let value = try await connection.query(
                "select public.accept_calendar_push_notification(\(channel), \(markDue))"
            ).first?.decode(String.self, at: 0)
            guard let value, let acceptance = Acceptance(rawValue: value) else {
                throw DatabaseError.unexpected("unexpected acceptance \(value ?? "null")")
            }
            return acceptance
        }
    }

    // MARK: the owner's channels

    /// Records a channel just opened at the provider; `replacing` is marked replaced.
    @discardableResult
    public func register(
        account: UUID, externalID: String, resourceID: String?, tokenHash: [UInt8], expiresAt: Date, replacing: UUID? = nil,
        as owner: Identity
    ) async throws -> UUID {
        let hex = tokenHash.map { String(format: "%02x", $0) }.joined()
        return try await self.database.session(owner, role: .worker) { connection in
            let id = try await connection.query(
                """
                select public.register_calendar_push_channel(\(account), \(externalID), \(resourceID), decode(\(hex), 'hex'),
                                                             \(expiresAt), \(replacing))
                """
            ).first?.decode(UUID.self, at: 0)
            guard let id else { throw DatabaseError.unexpected("register_calendar_push_channel returned no id") }
            return id
        }
    }

    /// Records what happened to a channel (`error` must hold no secret).
    public func record(channel: UUID, _ outcome: Outcome, expiresAt: Date? = nil, error: String? = nil, as owner: Identity)
        async throws
    {
        _ = try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                "select public.record_calendar_push_channel(\(channel), \(outcome.rawValue), \(expiresAt), \(error))")
        }
    }

    /// The account's channels that may still deliver (to stop them at the provider).
    public func liveChannels(account: UUID, as owner: Identity) async throws -> [Channel] {
        try await self.database.session(owner, role: .worker) { connection in
            try await connection.query(
                """
                select id, calendar_account_id, provider, calendar_id, external_id, resource_id, status, expires_at
                  from public.calendar_push_channels
                 where calendar_account_id = \(account) and status in ('active', 'replaced', 'stopping', 'failed')
                 order by created_at
                """
            ).rows.map { row in
                Channel(
                    id: try row.decode(UUID.self, at: 0), accountID: try row.decode(UUID.self, at: 1),
                    provider: try row.decode(String.self, at: 2), calendarID: try row.decode(String.self, at: 3),
                    externalID: try row.decode(String.self, at: 4), resourceID: try row.decode(String?.self, at: 5),
                    status: try row.decode(String.self, at: 6), expiresAt: try row.decode(Date.self, at: 7))
            }
        }
    }

    // MARK: renewal (all organizations)

    /// Channels to renew, replace or stop, and accounts missing one, as of `now`.
    public func renewals(now: Date, margin: Duration, limit: Int = 200) async throws -> [Renewal] {
        let seconds = Double(margin.components.seconds) + Double(margin.components.attoseconds) / 1e18
        return try await self.database.session(nil, role: .worker) { connection in
            try await connection.query(
                """
                select reason, channel_id, organization_id, user_id, calendar_account_id, provider, calendar_id,
                       external_id, resource_id, expires_at
                  from public.calendar_push_renewals(\(now), make_interval(secs => \(seconds)), \(limit))
                """
            ).rows.map { row in
                let reason = try row.decode(String.self, at: 0)
                guard let kind = Renewal.Reason(rawValue: reason) else {
                    throw DatabaseError.unexpected("unknown renewal reason \(reason)")
                }
                return Renewal(
                    reason: kind, channelID: try row.decode(UUID?.self, at: 1),
                    owner: Identity(userID: try row.decode(UUID.self, at: 3), organizationID: try row.decode(UUID.self, at: 2)),
                    accountID: try row.decode(UUID.self, at: 4), provider: try row.decode(String.self, at: 5),
                    calendarID: try row.decode(String.self, at: 6), externalID: try row.decode(String?.self, at: 7),
                    resourceID: try row.decode(String?.self, at: 8), expiresAt: try row.decode(Date?.self, at: 9))
            }
        }
    }

    // MARK: disconnect

    /// Disconnects the caller's account (a person's session): tokens wiped, channels marked
    /// stopped, mappings removed only when asked. Stop channels and revoke first.
    public func disconnect(account: UUID, removeMappings: Bool, as identity: Identity) async throws -> Disconnection {
        try await self.database.session(identity, role: .authenticated) { connection in
            let row = try await connection.query(
                """
                select channels_stopped, mappings_removed, conflicts_removed
                  from public.disconnect_calendar_account(\(account), \(removeMappings))
                """
            ).first
            guard let row else { throw DatabaseError.unexpected("disconnect_calendar_account returned nothing") }
            return Disconnection(
                channelsStopped: try row.decode(Int.self, at: 0), mappingsRemoved: try row.decode(Int.self, at: 1),
                conflictsRemoved: try row.decode(Int.self, at: 2))
        }
    }
}
