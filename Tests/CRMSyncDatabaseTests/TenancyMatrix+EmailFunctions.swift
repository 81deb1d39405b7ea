import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for the mail sync's functions and views (sql/migrations/320_email_sync.sql):
// each tried by the owner of the mailbox, the other user of the same organization, a user of the
// other organization, nobody, forged organizations, and the worker under each identity; the
// runner checks that a refused case changed nothing.

extension TenancyMatrixTests {
    static var emailFunctionCases: [MatrixCase] {
        var m = MatrixCases("email functions")
        let alice = Demo.aliceEmail, bob = Seed.bobEmail
        let people: [MatrixActor] = [.alice, .bob, .hank, .nobody]

        // connect_email_account: always the caller's own account; no identity, no account.
        let connect: SQL = """
            select public.connect_email_account('imap', 'second@acme.example', null, 'imap.acme.example', 993, 'second',
                                                true, 'smtp.acme.example', 587, 'second', true, 'pw', null, null, null)
            """
        m.add(.function, [.bob, .workerBob], "connect_email_account: own new mailbox", connect, .rows(1))
        m.add(.function, [.nobody, .hankForgingAcme, .aliceForgingGlobex, .workerNobody, .workerHankForgingAcme],
              "connect_email_account without a real organization", connect, .denied)

        // request_email_sync
        let request: (UUID) -> SQL = { "select public.request_email_sync(\($0))" }
        m.add(.function, [.alice, .workerAlice], "request_email_sync of own mailbox", request(alice), .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex, .workerBob, .workerHank],
              "request_email_sync of alice's mailbox", request(alice), .denied)
        m.add(.function, .alice, "request_email_sync: owner on bob's mailbox", request(bob), .denied)

        // scheduling: the worker role only
        m.add(.function, people + [.hankForgingAcme], "claim_email_accounts as a person",
              "select * from public.claim_email_accounts('w', 10, 60)", .denied)
        m.add(.function, people, "renew_email_lease as a person",
              "select public.renew_email_lease(\(alice), 'w', 60)", .denied)
        m.add(.function, [.workerBob, .workerNobody], "renew_email_lease of a lease never taken",
              "select public.renew_email_lease(\(alice), 'w', 60)", .value("f"))
        m.add(.function, people, "release_email_lease as a person",
              "select public.release_email_lease(\(alice), 'w')", .denied)

        // runs
        let start: (UUID) -> SQL = { "select public.start_email_sync(\($0), 'auto')" }
        m.add(.function, .workerAlice, "start_email_sync of own mailbox", start(alice), .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "start_email_sync of alice's mailbox",
              start(alice), .denied)
        m.add(.function, [.alice, .bob], "start_email_sync as a person", start(alice), .denied)
        let finish: SQL = "select public.finish_email_sync(\(Seed.aliceMailLog), 'success', 1, 0, 0, 0, '[]')"
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "finish_email_sync of alice's run", finish,
              .denied)
        m.add(.function, [.alice, .bob], "finish_email_sync as a person", finish, .denied)

        // folders
        let ensure: (UUID) -> SQL = { "select public.ensure_email_folder(\($0), 'Archive', 'other')" }
        m.add(.function, .workerAlice, "ensure_email_folder in own mailbox", ensure(alice), .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "ensure_email_folder in alice's mailbox",
              ensure(alice), .denied)
        m.add(.function, [.alice, .bob], "ensure_email_folder as a person", ensure(alice), .denied)
        let state: (UUID) -> SQL = { "select * from public.email_folder_state(\($0))" }
        m.add(.function, [.alice, .workerAlice], "email_folder_state of own mailbox", state(alice), .rows(1))
        m.add(.function, [.bob, .hank, .nobody, .hankForgingAcme, .workerBob, .workerHank, .workerNobody],
              "email_folder_state of alice's mailbox", state(alice), .denied)
        m.add(.function, .alice, "email_folder_state: owner on bob's mailbox", state(bob), .denied)
        let uids: SQL = "select * from public.email_folder_uids(\(Seed.aliceFolder))"
        m.add(.function, .workerAlice, "email_folder_uids of own folder", uids, .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "email_folder_uids of alice's folder", uids,
              .denied)
        m.add(.function, [.alice, .bob], "email_folder_uids as a person", uids, .denied)
        let reset: (UUID, UUID) -> SQL = { "select public.reset_email_folder(\($0), \($1), 5)" }
        m.add(.function, .workerAlice, "reset_email_folder of own folder", reset(alice, Seed.aliceFolder), .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "reset_email_folder of alice's folder",
              reset(alice, Seed.aliceFolder), .denied)
        m.add(.function, .workerBob, "reset_email_folder: own mailbox, alice's folder", reset(bob, Seed.aliceFolder),
              .denied)
        m.add(.function, [.alice, .bob], "reset_email_folder as a person", reset(alice, Seed.aliceFolder), .denied)

        // import and changes
        let importBatch: (UUID, UUID) -> SQL = {
            """
            select * from public.import_email_messages(\($0), \($1),
              '[{"provider_message_id": "<evil@x>", "subject": "Injected", "uid": 5}]', '{"last_uid": 5}')
            """
        }
        m.add(.function, .workerAlice, "import_email_messages into own folder", importBatch(alice, Seed.aliceFolder),
              .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "import_email_messages into alice's folder",
              importBatch(alice, Seed.aliceFolder), .denied)
        m.add(.function, .workerBob, "import_email_messages: own mailbox, alice's folder",
              importBatch(bob, Seed.aliceFolder), .denied)
        m.add(.function, .workerHank, "import_email_messages: own mailbox, alice's folder",
              importBatch(Seed.hankEmail, Seed.aliceFolder), .denied)
        m.add(.function, [.alice, .bob], "import_email_messages as a person", importBatch(alice, Seed.aliceFolder),
              .denied)
        let changes: (UUID, UUID) -> SQL = {
            """
            select * from public.apply_email_folder_changes(\($0), \($1),
              '[{"uid": 1, "flags": ["\\\\Seen"]}]', '{1}', '{"last_uid": 9}')
            """
        }
        m.add(.function, .workerAlice, "apply_email_folder_changes in own folder", changes(alice, Seed.aliceFolder),
              .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "apply_email_folder_changes in alice's folder",
              changes(alice, Seed.aliceFolder), .denied)
        m.add(.function, .workerBob, "apply_email_folder_changes: own mailbox, alice's folder",
              changes(bob, Seed.aliceFolder), .denied)
        m.add(.function, [.alice, .bob], "apply_email_folder_changes as a person", changes(alice, Seed.aliceFolder),
              .denied)

        // outbox
        let queue: (UUID) -> SQL = {
            """
            select public.queue_email(\($0), '<new@crm.test>', 'me@acme.example', '{x@y.example}', null, null, 'Hi',
                                      '\\x41', null, null)
            """
        }
        m.add(.function, .bob, "queue_email from own mailbox", queue(bob), .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex],
              "queue_email from alice's mailbox", queue(alice), .denied)
        m.add(.function, .alice, "queue_email: owner from bob's mailbox", queue(bob), .denied)
        m.add(.function, [.workerBob, .workerAlice], "queue_email as the worker", queue(bob), .denied)
        let claim: (UUID) -> SQL = { "select * from public.claim_email_outbox(\($0), 10, 60)" }
        m.add(.function, .workerAlice, "claim_email_outbox of own mailbox", claim(alice), .rows(1))
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "claim_email_outbox of alice's mailbox",
              claim(alice), .denied)
        m.add(.function, [.alice, .bob], "claim_email_outbox as a person", claim(alice), .denied)
        let finishSend: SQL = "select public.finish_email_send(\(Seed.aliceOutbox), 'sent', null, null)"
        m.add(.function, .workerAlice, "finish_email_send of own claimed message", finishSend, .rows(1),
              prelude: [claim(alice)])
        m.add(.function, MatrixActor.workerOutsidersOfAcme + [.workerBob], "finish_email_send of alice's message",
              finishSend, .denied)
        m.add(.function, [.alice, .bob], "finish_email_send as a person", finishSend, .denied)

        // private helpers of the worker's functions: not for people
        let workerHelpers: [(String, SQL)] = [
            ("private.my_email_folder()", "select private.my_email_folder(\(alice), \(Seed.aliceFolder))"),
            ("private.email_folder_cursor()", "select * from private.email_folder_cursor('{}', null)"),
            ("private.email_flags()", "select private.email_flags('[]')"),
            ("private.email_text_array()", "select private.email_text_array('[]')"),
        ]
        for (name, sql) in workerHelpers {
            m.add(.function, [.alice, .hank], name, sql, .denied)
        }
        m.add(.function, .workerBob, "private.my_email_folder() of alice's folder",
              "select private.my_email_folder(\(alice), \(Seed.aliceFolder))", .denied)

        // views: the caller's reach, read-only
        let health: SQL = "select id from public.email_account_health where organization_id = \(Demo.acme)"
        m.add(.view, .alice, "email_account_health: owner sees the organization's mailboxes", health, .rows(2))
        m.add(.view, [.bob, .workerAlice], "email_account_health: own mailbox", health, .rows(1))
        m.add(.view, .alice, "email_account_health: owner counts none of bob's mail",
              "select message_count::text || '/' || folder_count || '/' || outbox_queued from public.email_account_health where id = \(bob)",
              .value("0/0/0"))
        m.add(.view, .bob, "email_account_health: own counts",
              "select message_count::text || '/' || folder_count || '/' || outbox_queued from public.email_account_health where id = \(bob)",
              .value("1/1/1"))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "email_account_health of Acme",
              health, .noRows)
        let errors: SQL = "select id from public.recent_email_sync_errors where organization_id = \(Demo.acme)"
        m.add(.view, [.alice, .bob, .workerBob], "recent_email_sync_errors: own runs only", errors, .rows(1))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "recent_email_sync_errors of Acme",
              errors, .noRows)
        m.add(.view, .aliceForgingGlobex, "recent_email_sync_errors of Globex",
              "select id from public.recent_email_sync_errors where organization_id = \(Demo.globex)", .noRows)
        m.add(.view, [.alice, .workerAlice], "write through email_account_health",
              "delete from public.email_account_health", .failsWith("55000"))
        m.add(.view, [.alice, .workerAlice], "write through recent_email_sync_errors",
              "delete from public.recent_email_sync_errors", .failsWith("55000"))
        return m.cases
    }

    @Test("mail sync functions and views as the wrong actor")
    func emailFunctions() async throws {
        try await Self.runWithMailFixtures("tm_email_fn", Self.emailFunctionCases)
    }
}
