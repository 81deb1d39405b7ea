import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The browser OAuth connect flow end to end over real HTTP: the CRM backend starts it
/// (`POST /v1/calendar/accounts/connect`), a browser-like client that does not follow
/// redirects opens the sandbox's authorization URL and follows each hop by hand to our
/// callback and on to the CRM's return URL.
@Suite("OAuth connect flow (browser)")
struct OAuthConnectFlowTests {
    /// A started flow: the authorization URL and the state inside it.
    struct Started {
        var authorizationURL: URL
        var expiresAt: Date
        var state: String
    }

    static func query(_ url: URL) -> [String: String] {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// `POST /v1/calendar/accounts/connect` as `user` in `organization`; expects 201.
    static func start(
        _ harness: ServerHarness, as user: UUID, in organization: UUID, _ body: [String: Any],
        path: String = "/v1/calendar/accounts/connect"
    ) async throws -> Started {
        let response = try await harness.api("POST", path, as: user, in: organization, json: body)
        try #require(response.status == 201, "connect answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        let json = try #require(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(Set(json.keys) == ["authorization_url", "expires_at"])
        let url = try #require((json["authorization_url"] as? String).flatMap(URL.init(string:)))
        let expiresAt = try #require((json["expires_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        let state = try #require(Self.query(url)["state"])
        return Started(authorizationURL: url, expiresAt: expiresAt, state: state)
    }

    /// The browser opens the authorization URL; the sandbox consents (or refuses) at once and
    /// redirects to our callback. Returns that callback URL.
    static func authorize(_ harness: ServerHarness, _ started: Started) async throws -> URL {
        let response = try await harness.get(started.authorizationURL)
        try #require(response.status == 302, "authorization answered \(response.status)")
        let location = try #require(response.header("Location").flatMap(URL.init(string:)))
        #expect(location.absoluteString.hasPrefix(harness.server.absoluteString + "/oauth/"))
        return location
    }

    /// The browser follows a redirect to our callback; returns the query of the return URL it
    /// is sent on to (after checking it is the configured one).
    static func callback(_ harness: ServerHarness, _ url: URL) async throws -> [String: String] {
        let response = try await harness.get(url)
        try #require(response.status == 302, "callback answered \(response.status)")
        let location = try #require(response.header("Location").flatMap(URL.init(string:)))
        #expect(location.absoluteString.hasPrefix(harness.dependencies.configuration.returnURL.absoluteString + "?"))
        #expect(response.header("Cache-Control") == "no-store")
        return Self.query(location)
    }

    /// Start, authorize and call back in one go.
    static func connect(
        _ harness: ServerHarness, as user: UUID, in organization: UUID, _ body: [String: Any]
    ) async throws -> [String: String] {
        let started = try await Self.start(harness, as: user, in: organization, body)
        return try await Self.callback(harness, try await Self.authorize(harness, started))
    }

    static func accountCount(_ harness: ServerHarness) async throws -> String? {
        try await harness.scalar("select count(*) from public.calendar_accounts")
    }

    /// The outcome recorded on the state row (as the administrator).
    static func recordedOutcome(_ harness: ServerHarness, _ state: String) async throws -> String? {
        try await harness.scalar(
            "select coalesce(outcome, 'pending') from public.oauth_connect_states where state_hash = extensions.digest(\(state), 'sha256')")
    }

    // MARK: success

    @Test("google: connect creates the account with encrypted tokens, requests its first sync; a replay is refused")
    func connectsGoogle() async throws {
        try await ServerHarness.with("connect_google") { harness in
            let before = try await Self.accountCount(harness)
            let started = try await Self.start(
                harness, as: Demo.bob, in: Demo.acme, ["provider": "google", "login_hint": "Bob.Work@Example.com"])
            let authorization = Self.query(started.authorizationURL)
            #expect(started.authorizationURL.absoluteString.hasPrefix(harness.sandbox.absoluteString))
            #expect(authorization["redirect_uri"] == harness.server.absoluteString + "/oauth/google/callback")
            #expect(authorization["code_challenge_method"] == "S256" && authorization["code_challenge"]?.count == 43)
            #expect(authorization["login_hint"] == "Bob.Work@Example.com")
            #expect(authorization["access_type"] == "offline")
            #expect((started.state.count) >= 43)
            let lifetime = started.expiresAt.timeIntervalSinceNow
            #expect(lifetime > 540 && lifetime <= 601, "state valid for 10 minutes, got \(lifetime)s")
            #expect(try await Self.recordedOutcome(harness, started.state) == "pending")

            let callbackURL = try await Self.authorize(harness, started)
            #expect(callbackURL.path == "/oauth/google/callback")
            let outcome = try await Self.callback(harness, callbackURL)
            #expect(outcome["status"] == "connected", "\(outcome)")
            let account = try #require(outcome["account"].flatMap(UUID.init(uuidString:)))

            let row = try await harness.scalar(
                """
                select concat_ws('|', user_id, organization_id, provider, email, calendar_id, connection_status,
                                 access_token_encrypted is not null, refresh_token_encrypted is not null,
                                 token_key_id is not null, sync_requested_at is not null)
                  from public.calendar_accounts where id = \(account)
                """)
            #expect(row == "\(Demo.bob.uuidString.lowercased())|\(Demo.acme.uuidString.lowercased())|google|bob.work@example.com|primary|connected|t|t|t|t")
            #expect(try await Self.accountCount(harness) == before.map { String(Int($0)! + 1) })
            #expect(try await Self.recordedOutcome(harness, started.state) == "connected")
            // Its push channel is open (Google events.watch at the sandbox, recorded with only a hash).
            #expect(try await harness.scalar(
                "select count(*) from public.calendar_push_channels where calendar_account_id = \(account) and status = 'active'") == "1")

            // The tokens work for the owner's worker session and appear nowhere in plaintext.
            let tokens = try await harness.dependencies.accounts.tokens(account: account, for: Demo.bobAtAcme)
            #expect(!tokens.accessToken.isEmpty && tokens.refreshToken != nil)
            #expect(try await harness.scalar(
                """
                select count(*) from public.calendar_accounts
                 where position(convert_to(\(tokens.accessToken), 'UTF8') in access_token_encrypted) > 0
                    or position(convert_to(\(tokens.refreshToken ?? "-"), 'UTF8') in refresh_token_encrypted) > 0
                """) == "0")
            #expect(try await harness.scalar(
                """
                select count(*) from public.audit_log
                 where details::text like '%' || \(tokens.accessToken) || '%' or details::text like '%' || \(started.state) || '%'
                """) == "0")

            // Replaying the same callback (the browser's back button, or an attacker) changes nothing.
            let fingerprint = try await harness.fingerprint()
            let replay = try await Self.callback(harness, callbackURL)
            #expect(replay == ["status": "error", "error": "state_used"])
            #expect(try await harness.fingerprint() == fingerprint)
        }
    }

    @Test("outlook: the chosen calendar is bound to the flow; reconnecting an account that needs re-authorization")
    func connectsOutlookAndReconnects() async throws {
        try await ServerHarness.with("connect_outlook") { harness in
            let outcome = try await Self.connect(
                harness, as: Demo.alice, in: Demo.acme,
                ["provider": "outlook", "calendar_id": "team-calendar", "login_hint": "alice.o365@example.com"])
            #expect(outcome["status"] == "connected", "\(outcome)")
            let account = try #require(outcome["account"].flatMap(UUID.init(uuidString:)))
            #expect(try await harness.scalar(
                "select provider || '|' || email || '|' || calendar_id from public.calendar_accounts where id = \(account)")
                == "outlook|alice.o365@example.com|team-calendar")

            // Alice's seeded Google account lost its grant; connecting the same address again
            // reconnects that account instead of creating another.
            try await harness.scalar(
                """
                update public.calendar_accounts set connection_status = 'needs_reauth', last_error = 'grant revoked',
                       consecutive_failures = 4, sync_requested_at = null
                 where id = \(Demo.aliceCalendar) returning 'ok'
                """)
            // A channel opened under the old grant still looks live; the provider no longer knows it.
            try await harness.scalar(
                """
                insert into public.calendar_push_channels (organization_id, calendar_account_id, provider, calendar_id,
                                                           external_id, resource_id, token_hash, expires_at, status)
                values (\(Demo.acme), \(Demo.aliceCalendar), 'google', 'primary', 'stale-channel', 'stale-resource',
                        extensions.digest('old-secret', 'sha256'), now() + interval '2 days', 'active')
                returning 'ok'
                """)
            let count = try await Self.accountCount(harness)
            let again = try await Self.connect(
                harness, as: Demo.alice, in: Demo.acme, ["provider": "google", "login_hint": "alice@acme.example"])
            #expect(again == ["status": "connected", "account": Demo.aliceCalendar.uuidString.lowercased()])
            #expect(try await Self.accountCount(harness) == count)
            #expect(try await harness.scalar(
                """
                select concat_ws('|', connection_status, consecutive_failures, coalesce(last_error, '-'), sync_requested_at is not null)
                  from public.calendar_accounts where id = \(Demo.aliceCalendar)
                """) == "connected|0|-|t")
            // The reconnect opened a fresh channel at the provider and retired the stale one.
            #expect(try await harness.scalar(
                """
                select string_agg(case when external_id = 'stale-channel' then 'stale:' else 'new:' end || status, ',' order by external_id = 'stale-channel')
                  from public.calendar_push_channels where calendar_account_id = \(Demo.aliceCalendar)
                """) == "new:active,stale:stopped")
        }
    }

    // MARK: refusals: each redirects with its code and creates nothing

    @Test("denied consent redirects with access_denied and creates no account")
    func deniedConsent() async throws {
        try await ServerHarness.with("connect_denied") { harness in
            try await harness.sandboxControl("POST", "oauth/deny", ["email": "no.thanks@example.com", "deny": true])
            let fingerprint = try await harness.fingerprint()
            let started = try await Self.start(
                harness, as: Demo.bob, in: Demo.acme, ["provider": "outlook", "login_hint": "no.thanks@example.com"])
            let callbackURL = try await Self.authorize(harness, started)
            #expect(Self.query(callbackURL)["error"] == "access_denied")
            #expect(try await Self.callback(harness, callbackURL) == ["status": "error", "error": "access_denied"])
            #expect(try await harness.fingerprint() == fingerprint)
            #expect(try await Self.recordedOutcome(harness, started.state) == "access_denied")
        }
    }

    @Test("an expired state (older than 10 minutes) redirects with state_expired and is spent")
    func expiredState() async throws {
        try await ServerHarness.with("connect_expired") { harness in
            let started = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "google"])
            let callbackURL = try await Self.authorize(harness, started)
            // Eleven minutes pass between the start and the callback.
            try await harness.scalar(
                """
                update public.oauth_connect_states
                   set created_at = created_at - interval '11 minutes', expires_at = expires_at - interval '11 minutes'
                 where state_hash = extensions.digest(\(started.state), 'sha256') returning 'ok'
                """)
            let fingerprint = try await harness.fingerprint()
            #expect(try await Self.callback(harness, callbackURL) == ["status": "error", "error": "state_expired"])
            #expect(try await Self.callback(harness, callbackURL) == ["status": "error", "error": "state_used"])
            #expect(try await harness.fingerprint() == fingerprint)
            #expect(try await Self.recordedOutcome(harness, started.state) == "state_expired")
        }
    }

    @Test("wrong provider in the path, missing code, missing or unknown state: each has its code, none creates an account")
    func malformedCallbacks() async throws {
        try await ServerHarness.with("connect_malformed") { harness in
            let fingerprint = try await harness.fingerprint()

            // A Google flow's callback arriving on the Outlook path: refused, and the state is spent.
            let google = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "google"])
            let googleCallback = try await Self.authorize(harness, google)
            var wrongPath = try #require(URLComponents(url: googleCallback, resolvingAgainstBaseURL: false))
            wrongPath.path = "/oauth/outlook/callback"
            #expect(try await Self.callback(harness, try #require(wrongPath.url)) == ["status": "error", "error": "provider_mismatch"])
            #expect(try await Self.callback(harness, googleCallback) == ["status": "error", "error": "state_used"])
            #expect(try await Self.recordedOutcome(harness, google.state) == "provider_mismatch")

            // A provider that does not exist at all.
            let other = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "google"])
            let otherCallback = try await Self.authorize(harness, other)
            var unknownPath = try #require(URLComponents(url: otherCallback, resolvingAgainstBaseURL: false))
            unknownPath.path = "/oauth/icloud/callback"
            #expect(try await Self.callback(harness, try #require(unknownPath.url)) == ["status": "error", "error": "provider_mismatch"])

            // A valid state without a code.
            let noCode = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "outlook"])
            let base = harness.server.absoluteString + "/oauth/outlook/callback"
            #expect(try await Self.callback(harness, URL(string: "\(base)?state=\(noCode.state)")!)
                    == ["status": "error", "error": "missing_code"])
            #expect(try await Self.recordedOutcome(harness, noCode.state) == "missing_code")

            // Another error from the provider.
            let failing = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "outlook"])
            #expect(try await Self.callback(harness, URL(string: "\(base)?state=\(failing.state)&error=server_error")!)
                    == ["status": "error", "error": "provider_error"])

            // No state, an unknown one, a garbage code.
            #expect(try await Self.callback(harness, URL(string: "\(base)?code=abc")!) == ["status": "error", "error": "state_invalid"])
            #expect(try await Self.callback(harness, URL(string: "\(base)?code=abc&state=\(String(repeating: "x", count: 43))")!)
                    == ["status": "error", "error": "state_invalid"])
            let garbage = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "outlook"])
            #expect(try await Self.callback(harness, URL(string: "\(base)?state=\(garbage.state)&code=M.C5-forged")!)
                    == ["status": "error", "error": "exchange_failed"])

            #expect(try await harness.fingerprint() == fingerprint)
        }
    }

    @Test("a state is bound to who started it: another flow's code fails PKCE and is spent; accounts land with the starter")
    func stateBinding() async throws {
        try await ServerHarness.with("connect_binding") { harness in
            // Alice and Bob (Acme) each start a Google flow; Hank (Globex) an Outlook one (Globex
            // has its own Google app, which the sandbox does not know).
            let alice = try await Self.start(harness, as: Demo.alice, in: Demo.acme, ["provider": "google", "login_hint": "a2@example.com"])
            let bob = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "google", "login_hint": "b2@example.com"])
            _ = try await Self.start(harness, as: Demo.hank, in: Demo.globex, ["provider": "outlook"])

            // A started flow is visible to its starter only: not to another member, nor across organizations.
            let states = { (identity: Identity) in
                try await harness.dependencies.database.withSession(identity) { connection in
                    try await connection.query("select count(*) from public.oauth_connect_states").first?.decode(Int.self, at: 0)
                }
            }
            #expect(try await states(Demo.aliceAtAcme) == 1)
            #expect(try await states(Demo.bobAtAcme) == 1)
            #expect(try await states(Demo.hankAtGlobex) == 1)
            #expect(try await states(Demo.ginaAtGlobex) == 0)
            #expect(try await states(Identity(userID: Demo.hank, organizationID: Demo.acme)) == 0)

            // Alice's code presented with Bob's state: the verifier does not match the code.
            let aliceCallback = try await Self.authorize(harness, alice)
            let aliceCode = try #require(Self.query(aliceCallback)["code"])
            let fingerprint = try await harness.fingerprint()
            var spliced = try #require(URLComponents(string: harness.server.absoluteString + "/oauth/google/callback"))
            spliced.queryItems = [URLQueryItem(name: "state", value: bob.state), URLQueryItem(name: "code", value: aliceCode)]
            spliced.percentEncodedQuery = spliced.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            #expect(try await Self.callback(harness, try #require(spliced.url)) == ["status": "error", "error": "exchange_failed"])
            #expect(try await harness.fingerprint() == fingerprint)
            #expect(try await Self.recordedOutcome(harness, bob.state) == "exchange_failed")

            // The provider spent alice's code on that attempt, so her own callback fails too: an
            // intercepted code is worth nothing, and still no account appears.
            #expect(try await Self.callback(harness, aliceCallback) == ["status": "error", "error": "exchange_failed"])
            #expect(try await harness.fingerprint() == fingerprint)

            // A fresh flow of Hank's completes, and the account is his, in Globex.
            let outcome = try await Self.connect(harness, as: Demo.hank, in: Demo.globex, ["provider": "outlook", "login_hint": "h3@example.com"])
            let account = try #require(outcome["account"].flatMap(UUID.init(uuidString:)))
            #expect(try await harness.scalar("select user_id || '|' || organization_id from public.calendar_accounts where id = \(account)")
                    == "\(Demo.hank.uuidString.lowercased())|\(Demo.globex.uuidString.lowercased())")
        }
    }

    // MARK: the API side

    @Test("starting a flow: validation, authentication, membership and the pending limit")
    func startValidation() async throws {
        try await ServerHarness.with("connect_validation") { harness in
            let path = "/v1/calendar/accounts/connect"
            func code(_ response: HTTPResponse) -> String? {
                ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])
                    .flatMap { $0["error"] as? [String: Any] }?["code"] as? String
            }
            let bad: [([String: Any], String)] = [
                (["provider": "icloud"], "invalid_field"),
                (["provider": "google", "scope": "everything"], "unknown_field"),
                ([:], "invalid_field"),
                (["provider": "google", "calendar_id": " "], "invalid_field"),
                (["provider": "google", "login_hint": String(repeating: "a", count: 321)], "invalid_field"),
                // null is refused, never read as "absent"
                (["provider": "google", "login_hint": NSNull()], "invalid_value"),
                // Lengths count code points and blank means white space only, as the document's
                // maxLength and pattern do.
                (["provider": "google", "login_hint": String(repeating: "e\u{301}", count: 161)], "invalid_field"),
                (["provider": "google", "login_hint": "a\u{85}b"], "invalid_field"),
                (["provider": "google", "calendar_id": "\n\u{2003}"], "invalid_field"),
                (["provider": "google", "calendar_id": NSNull()], "invalid_value"),
            ]
            for (body, expected) in bad {
                let response = try await harness.api("POST", path, as: Demo.bob, in: Demo.acme, json: body)
                #expect(response.status == 400 && code(response) == expected, "\(body): \(response.status) \(code(response) ?? "-")")
            }
            let anonymous = try await harness.send("POST", path, headers: ["Content-Type": "application/json"], body: Data(#"{"provider":"google"}"#.utf8))
            #expect(anonymous.status == 401)
            // A user in an organization they do not belong to starts nothing.
            let forged = try await harness.api("POST", path, as: Demo.hank, in: Demo.acme, json: ["provider": "google"])
            #expect(forged.status == 404)
            #expect(try await harness.scalar("select count(*) from public.oauth_connect_states") == "0")

            for _ in 0..<20 { _ = try await Self.start(harness, as: Demo.bob, in: Demo.acme, ["provider": "google"]) }
            let limited = try await harness.api("POST", path, as: Demo.bob, in: Demo.acme, json: ["provider": "google"])
            #expect(limited.status == 429 && code(limited) == "too_many_connect_attempts")
        }
    }

    @Test("the default return page says how the flow ended, echoing nothing it does not know")
    func returnPage() async throws {
        try await ServerHarness.with("connect_page") { harness in
            let connected = try await harness.send("GET", "/oauth/complete?status=connected&account=\(Demo.aliceCalendar.uuidString)")
            #expect(connected.status == 200 && connected.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(String(decoding: connected.body, as: UTF8.self).contains(Demo.aliceCalendar.uuidString.lowercased()))
            let failed = try await harness.send("GET", "/oauth/complete?status=error&error=%3Cscript%3E")
            let text = String(decoding: failed.body, as: UTF8.self)
            #expect(failed.status == 200 && text.contains("not connected") && !text.contains("<script>"))
        }
    }
}
