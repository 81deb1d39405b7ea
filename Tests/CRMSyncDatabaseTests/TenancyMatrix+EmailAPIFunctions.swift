import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for the Gmail and Graph mail functions (sql/migrations/340_email_api_sync.sql):
// alice's mailbox is a Gmail account, bob's an Outlook one (the demo seed); each function is tried
// by the owner, the other user of the same organization, a user of the other organization, nobody,
// forged organizations, and the worker under each identity. A refused case changes nothing.

extension TenancyMatrixTests {
    static var emailAPIFunctionCases: [MatrixCase] {
        var m = MatrixCases("email API functions")
        let alice = Demo.aliceEmail, bob = Seed.bobEmail
        let people: [MatrixActor] = [.alice, .bob, .hank, .nobody]

        let page: (UUID, String) -> SQL = { account, folder in
            """
            select * from public.import_email_api_changes(\(account), \(unescaped: folder),
              '[{"provider_message_id": "17a0evil", "subject": "Injected", "labels": ["INBOX"], "is_read": false}]',
              '[{"provider_message_id": "seed", "add_labels": ["STARRED"]}]', '{INBOX,SENT}', null, '991')
            """
        }
        m.add(.function, .workerAlice, "import_email_api_changes into own Gmail mailbox", page(alice, "null"), .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "import_email_api_changes into alice's mailbox",
              page(alice, "null"), .denied)
        m.add(.function, .workerBob, "import_email_api_changes: own mailbox, alice's folder",
              page(bob, "'\(Seed.aliceFolder.uuidString.lowercased())'"), .denied)
        m.add(.function, .workerHank, "import_email_api_changes into an IMAP mailbox", page(Seed.hankEmail, "null"),
              .failsWith("22023"))
        m.add(.function, people + [.hankForgingAcme], "import_email_api_changes as a person", page(alice, "null"), .denied)

        let cursors: (UUID) -> SQL = { "select * from public.email_sync_cursors(\($0))" }
        m.add(.function, .workerAlice, "email_sync_cursors of own mailbox (the account and its one folder)", cursors(alice), .rows(2))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "email_sync_cursors of alice's mailbox",
              cursors(alice), .denied)
        m.add(.function, people, "email_sync_cursors as a person", cursors(alice), .denied)

        let known: (UUID) -> SQL = {
            "select * from public.email_known_messages(\($0), array(select provider_message_id from public.email_messages))"
        }
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "email_known_messages of alice's mailbox",
              known(alice), .denied)
        m.add(.function, people, "email_known_messages as a person", known(alice), .denied)

        // The Gmail webhook's lookup: the worker role only, and only accounts with a live watch.
        let push: SQL = "select * from public.gmail_push_accounts('alice@acme.example')"
        m.add(.function, people + [.hankForgingAcme], "gmail_push_accounts as a person", push, .denied)
        m.add(.function, .workerNobody, "gmail_push_accounts: no watch registered, no account", push, .noRows)
        // The browser flow of a mailbox: people of the active organization only, for themselves.
        let beginMail: SQL = """
            select * from public.begin_mail_connect('google', 'state-0123456789abcdef0123456789abcdef',
                                                    'verifier-0123456789abcdef0123456789abcdef0123456789')
            """
        m.add(.function, .bob, "begin_mail_connect for oneself", beginMail, .rows(1))
        m.add(.function, [.nobody, .hankForgingAcme, .aliceForgingGlobex], "begin_mail_connect without a real organization",
              beginMail, .denied)
        m.add(.function, [.workerAlice, .workerNobody], "begin_mail_connect as the worker", beginMail, .denied)
        m.add(.function, [.alice, .hank, .workerAlice], "private.begin_oauth_connect()",
              "select * from private.begin_oauth_connect('mail', 'google', 'state-0123456789abcdef0123456789abcdef', 'verifier-0123456789abcdef0123456789abcdef0123456789', null)",
              .denied)
        m.add(.function, [.alice, .hank], "private.email_message_problem()",
              "select private.email_message_problem('{}')", .denied)
        m.add(.function, [.alice, .hank], "private.insert_email_attachments()",
              "select private.insert_email_attachments(\(alice), '[]')", .denied)
        return m.cases
    }

    @Test("Gmail and Graph mail functions as the wrong actor")
    func emailAPIFunctions() async throws {
        try await Self.runWithMailFixtures("tm_email_api_fn", Self.emailAPIFunctionCases)
    }
}
