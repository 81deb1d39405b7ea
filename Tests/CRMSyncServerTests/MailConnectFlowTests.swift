import CRMSyncDatabase
import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// Connecting a Gmail or Outlook mailbox through the API's browser flow, end to end over real
/// HTTP: `POST /v1/mail/accounts/connect` asks for the mail scopes, the sandbox consents, the
/// shared callback stores an email account (not a calendar) with its tokens encrypted.
@Suite("Mail connect flow (browser)")
struct MailConnectFlowTests {
    @Test("gmail and outlook: the mail scopes are asked, the callback stores the caller's mailbox, due for its first sync",
          arguments: [("gmail", "https://www.googleapis.com/auth/gmail.send"), ("outlook", "Mail.Read")])
    func connects(_ provider: String, _ scope: String) async throws {
        try await ServerHarness.with("mail_connect_flow_\(provider)") { harness in
            let calendars = try await harness.scalar("select count(*) from public.calendar_accounts")
            let started = try await OAuthConnectFlowTests.start(
                harness, as: Demo.bob, in: Demo.acme, ["provider": provider, "login_hint": "bob.box@\(provider).example"],
                path: "/v1/mail/accounts/connect")
            let scopes = (OAuthConnectFlowTests.query(started.authorizationURL)["scope"] ?? "").split(separator: " ").map(String.init)
            #expect(scopes.contains(scope), "\(scopes)")
            #expect(!scopes.contains { $0.contains("calendar") || $0.contains("Calendars") }, "\(scopes)")
            let result = try await OAuthConnectFlowTests.callback(harness, try await OAuthConnectFlowTests.authorize(harness, started))
            #expect(result["status"] == "connected", "\(result)")
            let account = try #require(result["account"].flatMap(UUID.init(uuidString:)))
            let row = try #require(try await harness.scalar(
                """
                select provider || '|' || email || '|' || connection_status || '|' || (user_id = \(Demo.bob))::text || '|'
                       || (sync_requested_at is not null)::text || '|' || (access_token_encrypted is not null)::text
                  from public.email_accounts where id = \(account)
                """))
            #expect(row == "\(provider)|bob.box@\(provider).example|connected|true|true|true")
            #expect(try await harness.scalar("select count(*) from public.calendar_accounts") == calendars, "no calendar account was made")
            #expect(try await harness.scalar(
                "select purpose || '|' || outcome || '|' || (email_account_id = \(account))::text from public.oauth_connect_states") ==
                "mail|connected|true")
        }
    }

    @Test("one person connects the calendar and the mail of the same Google address: two accounts, separate grants")
    func calendarAndMailOfOneAddress() async throws {
        try await ServerHarness.with("mail_and_calendar") { harness in
            let address = "both.ways@gmail.example"
            let calendar = try await OAuthConnectFlowTests.connect(
                harness, as: Demo.bob, in: Demo.acme, ["provider": "google", "login_hint": address])
            let started = try await OAuthConnectFlowTests.start(
                harness, as: Demo.bob, in: Demo.acme, ["provider": "gmail", "login_hint": address], path: "/v1/mail/accounts/connect")
            let mail = try await OAuthConnectFlowTests.callback(harness, try await OAuthConnectFlowTests.authorize(harness, started))
            #expect(calendar["status"] == "connected" && mail["status"] == "connected", "\(calendar) \(mail)")
            #expect(calendar["account"] != mail["account"])
            #expect(try await harness.scalar(
                "select count(*) from public.calendar_accounts where email = \(address) and connection_status = 'connected'") == "1")
            #expect(try await harness.scalar(
                "select count(*) from public.email_accounts where email = \(address) and provider = 'gmail' and connection_status = 'connected'") == "1")
            let bob = Identity(userID: Demo.bob, organizationID: Demo.acme)
            let tenant = harness.database.tenant()
            let calendarTokens = try await CalendarAccountStore(database: tenant).tokens(
                account: try #require(calendar["account"].flatMap(UUID.init(uuidString:))), for: bob)
            let mailTokens = try await EmailStore(database: tenant).secrets(
                of: try #require(mail["account"].flatMap(UUID.init(uuidString:))), as: bob)
            #expect(mailTokens.accessToken != nil && mailTokens.accessToken != calendarTokens.accessToken,
                    "each account holds its own grant's token")
        }
    }

    @Test("an unknown provider, a forged organization and no token are refused; nothing is stored")
    func refusals() async throws {
        try await ServerHarness.with("mail_connect_refused") { harness in
            let before = try await harness.fingerprint()
            let bad = try await harness.api("POST", "/v1/mail/accounts/connect", as: Demo.bob, in: Demo.acme, json: ["provider": "yahoo"])
            #expect(bad.status == 400)
            let unknownField = try await harness.api(
                "POST", "/v1/mail/accounts/connect", as: Demo.bob, in: Demo.acme, json: ["provider": "gmail", "calendar_id": "x"])
            #expect(unknownField.status == 400)
            let forged = try await harness.api("POST", "/v1/mail/accounts/connect", as: Demo.hank, in: Demo.acme, json: ["provider": "gmail"])
            #expect(forged.status == 404 || forged.status == 403, "\(forged.status)")
            let anonymous = try await harness.send(
                "POST", "/v1/mail/accounts/connect", headers: ["Content-Type": "application/json"], body: Data("{\"provider\":\"gmail\"}".utf8))
            #expect(anonymous.status == 401)
            #expect(try await harness.fingerprint() == before)
            #expect(try await harness.scalar("select count(*) from public.oauth_connect_states") == "0")
        }
    }
}
