import Foundation
import PostgresClient

/// Pending browser OAuth connect flows (sql/250_oauth_connect_states.sql). The state is
/// stored as its sha256 and the PKCE verifier encrypted; the database decides who may begin,
/// and consuming a state is single use, whatever the outcome.
public struct OAuthConnectStates: Sendable {
    public let database: TenantDatabase

    public init(database: TenantDatabase) {
        self.database = database
    }

    /// What a flow connects (`oauth_connect_states.purpose`).
    public enum Purpose: String, Sendable, Hashable {
        case calendar, mail
    }

    /// A flow that has begun: its row id and when its state stops being accepted.
    public struct Started: Sendable, Hashable {
        public var id: UUID
        public var expiresAt: Date
    }

    /// Who started a flow that was just consumed, and what the code exchange needs.
    /// `description` never shows the verifier.
    public struct Binding: Sendable, CustomStringConvertible {
        public var stateID: UUID
        public var identity: Identity
        /// `google` or `outlook`.
        public var provider: String
        public var calendarID: String
        public var codeVerifier: String
        /// What the flow connects: a calendar or a mailbox.
        public var purpose: Purpose = .calendar

        public var description: String {
            "Binding(state \(self.stateID), user \(self.identity.userID), org \(self.identity.organizationID), \(self.provider), verifier ****)"
        }
    }

    /// What consuming a state found. Every case except `unknown` spent the state.
    public enum Consumed: Sendable, CustomStringConvertible {
        case bound(Binding)
        /// No such state (never issued, purged, or malformed).
        case unknown
        /// Consumed before: a replay.
        case used
        /// Older than its 10 minutes (now spent as well).
        case expired
        /// Encrypted under a key that has since been rotated away.
        case invalid

        public var description: String {
            switch self {
            case .bound(let binding): "bound(\(binding))"
            case .unknown: "unknown"
            case .used: "used"
            case .expired: "expired"
            case .invalid: "invalid"
            }
        }
    }

    /// Begins a flow for `identity` (a member of its organization, else
    /// `DatabaseError.refused`): `provider` is `google` or `outlook`. At most 20 pending flows
    /// per person (else `DatabaseError.limitExceeded`).
    public func begin(
        _ identity: Identity, provider: String, state: String, codeVerifier: String, calendarID: String?
    ) async throws -> Started {
        try await self.database.session(identity, secrets: true) { connection in
            let rows = try await connection.query(
                """
                select id, expires_at
                  from public.begin_calendar_connect(\(provider), \(state), \(codeVerifier), \(calendarID ?? "primary"))
                """)
            guard let row = rows.first else { throw DatabaseError.unexpected("begin_calendar_connect returned nothing") }
            return Started(id: try row.decode(UUID.self, at: 0), expiresAt: try row.decode(Date.self, at: 1))
        }
    }

    /// Consumes a state with no identity (the browser's callback carries none), as the worker.
    public func consume(state: String) async throws -> Consumed {
        try await self.database.session(nil, role: .worker, secrets: true) { connection in
            let rows = try await connection.query(
                """
                select outcome, state_id, organization_id, user_id, provider, calendar_id, code_verifier, purpose
                  from public.consume_calendar_connect(\(state))
                """)
            guard let row = rows.first else { throw DatabaseError.unexpected("consume_calendar_connect returned nothing") }
            switch try row.decode(String.self, at: 0) {
            case "ok":
                return .bound(Binding(
                    stateID: try row.decode(UUID.self, at: 1),
                    identity: Identity(userID: try row.decode(UUID.self, at: 3), organizationID: try row.decode(UUID.self, at: 2)),
                    provider: try row.decode(String.self, at: 4),
                    calendarID: try row.decode(String.self, at: 5),
                    codeVerifier: try row.decode(String.self, at: 6),
                    purpose: Purpose(rawValue: try row.decode(String.self, at: 7)) ?? .calendar))
            case "used": return .used
            case "expired": return .expired
            case "invalid": return .invalid
            default: return .unknown
            }
        }
    }

    /// Ends a consumed flow with an account, in one transaction of the flow's owner: creates
    /// (or reconnects) the account for the bound calendar, stores the tokens encrypted, sets
    /// it back to connected (clearing a stale error), records the outcome on the state and
    /// requests the first sync (which wakes the worker). Returns the account id.
    public func complete(_ binding: Binding, email: String, tokens: CalendarAccountStore.Tokens) async throws -> UUID {
        try await self.database.session(binding.identity, secrets: true) { connection in
            let account = try await CalendarAccountStore.connect(
                binding.identity, provider: binding.provider, email: email, calendarID: binding.calendarID, tokens: tokens,
                on: connection)
            try await Self.finish(binding.stateID, outcome: "connected", account: account, on: connection)
            try await connection.query("select public.request_calendar_sync(\(account))")
            return account
        }
    }

    /// Begins a flow that connects a Gmail (`google`) or Outlook (`outlook`) mailbox.
    public func beginMail(_ identity: Identity, provider: String, state: String, codeVerifier: String) async throws -> Started {
        try await self.database.session(identity, secrets: true) { connection in
            let rows = try await connection.query(
                "select id, expires_at from public.begin_mail_connect(\(provider), \(state), \(codeVerifier))")
            guard let row = rows.first else { throw DatabaseError.unexpected("begin_mail_connect returned nothing") }
            return Started(id: try row.decode(UUID.self, at: 0), expiresAt: try row.decode(Date.self, at: 1))
        }
    }

    /// Ends a consumed mail flow with the mailbox, in one transaction of the flow's owner:
    /// stores it (`gmail` or `outlook`) with its tokens encrypted, records the outcome and asks
    /// for its first sync.
    public func completeMail(
        _ binding: Binding, emailProvider: String, email: String, tokens: CalendarAccountStore.Tokens
    ) async throws -> UUID {
        try await self.database.session(binding.identity, secrets: true) { connection in
            let row = try await connection.query(
                """
                select public.connect_email_account(\(emailProvider), \(email), null, null, null, null, null, null, null, null,
                                                    null, null, \(tokens.accessToken), \(tokens.refreshToken), \(tokens.expiresAt))
                """
            ).first
            guard let account = try row?.decode(UUID.self, at: 0) else {
                throw DatabaseError.unexpected("connect_email_account returned no id")
            }
            try await Self.finish(binding.stateID, outcome: "connected", account: account, on: connection)
            try await connection.query("select public.request_email_sync(\(account))")
            return account
        }
    }

    /// Records how a consumed flow ended without an account (an error code such as
    /// `access_denied`), in the owner's session.
    public func fail(_ binding: Binding, outcome: String) async throws {
        try await self.database.session(binding.identity) { connection in
            try await Self.finish(binding.stateID, outcome: outcome, account: nil, on: connection)
        }
    }

    /// `finish_calendar_connect` on an open session of the flow's owner.
    static func finish(_ stateID: UUID, outcome: String, account: UUID?, on connection: PostgresConnection) async throws {
        try await connection.query("select public.finish_calendar_connect(\(stateID), \(outcome), \(account))")
    }
}
