import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Rows of the mail sync's tables (sql/migrations/320_email_sync.sql) the tenancy matrix needs:
// the demo seed has none. One of each for alice's mailbox (Acme owner), bob's (Acme member) and
// hank's (Globex member), inserted as the superuser.

extension Seed {
    static let aliceFolder = id("10000000-0000-4000-8000-0000000ef001")
    static let bobFolder = id("10000000-0000-4000-8000-0000000ef002")
    static let hankFolder = id("20000000-0000-4000-8000-0000000ef002")
    static let aliceMailLog = id("10000000-0000-4000-8000-0000000e5001")  // partial
    static let bobMailLog = id("10000000-0000-4000-8000-0000000e5002")  // failed
    static let hankMailLog = id("20000000-0000-4000-8000-0000000e5002")  // failed
    static let aliceOutbox = id("10000000-0000-4000-8000-0000000eb001")  // queued, due
    static let bobOutbox = id("10000000-0000-4000-8000-0000000eb002")  // queued, due
    static let hankOutbox = id("20000000-0000-4000-8000-0000000eb002")  // queued, due
    static let hankMessage = id("20000000-0000-4000-8000-0000000f0003")  // hank's mailbox
}

extension TenancyMatrixTests {
    /// The mail sync tables' rows: per mailbox (alice, bob, hank) an INBOX folder, the location
    /// of one seed message in it (uid 1, unread), a sync run and a queued outbox message.
    static func insertMailFixtures(_ admin: PostgresConnection) async throws {
        try await admin.query(
            """
            with boxes (org, account, folder, message, log, log_status, outbox) as (
              values (\(Demo.acme)::uuid, \(Demo.aliceEmail)::uuid, \(Seed.aliceFolder)::uuid, \(Seed.aliceMessage)::uuid,
                      \(Seed.aliceMailLog)::uuid, 'partial', \(Seed.aliceOutbox)::uuid),
                     (\(Demo.acme)::uuid, \(Seed.bobEmail)::uuid, \(Seed.bobFolder)::uuid, \(Seed.bobMessage)::uuid,
                      \(Seed.bobMailLog)::uuid, 'failed', \(Seed.bobOutbox)::uuid),
                     (\(Demo.globex)::uuid, \(Seed.hankEmail)::uuid, \(Seed.hankFolder)::uuid, \(Seed.hankMessage)::uuid,
                      \(Seed.hankMailLog)::uuid, 'failed', \(Seed.hankOutbox)::uuid)
            ),
            folders as (
              insert into public.email_folders (organization_id, id, email_account_id, name, role, uidvalidity, last_uid)
              select org, folder, account, 'INBOX', 'inbox', 1, 1 from boxes
              returning 1
            ),
            logs as (
              insert into public.email_sync_log (organization_id, id, email_account_id, status, errors, error_details,
                                                 completed_at)
              select org, log, account, log_status, 1, '[{"message": "IMAP NO"}]', now() from boxes
              returning 1
            ),
            outbox as (
              insert into public.email_outbox (organization_id, id, email_account_id, message_id, from_address,
                                               to_addresses, subject, raw_mime)
              select org, outbox, account, '<fixture-' || outbox || '@crm.test>', 'owner@demo.example',
                     '{customer@initech.example}', 'Fixture', convert_to('Subject: Fixture', 'UTF8')
                from boxes
              returning 1
            )
            select (select count(*) from folders) + (select count(*) from logs) + (select count(*) from outbox)
            """)
        // locations reference the folders: a statement of their own
        try await admin.query(
            """
            insert into public.email_message_locations (organization_id, email_account_id, email_message_id, folder_id, uid)
            values (\(Demo.acme), \(Demo.aliceEmail), \(Seed.aliceMessage), \(Seed.aliceFolder), 1),
                   (\(Demo.acme), \(Seed.bobEmail), \(Seed.bobMessage), \(Seed.bobFolder), 1),
                   (\(Demo.globex), \(Seed.hankEmail), \(Seed.hankMessage), \(Seed.hankFolder), 1)
            """)
        let count = try await admin.query(
            """
            select (select count(*) from public.email_folders) + (select count(*) from public.email_message_locations)
                 + (select count(*) from public.email_sync_log) + (select count(*) from public.email_outbox)
            """
        ).first?.decode(Int.self, at: 0)
        guard count == 12 else { throw TestSetupError("expected 12 mail sync fixture rows, found \(count ?? 0)") }
    }

    /// A scratch database with the mail fixtures, for one test's cases.
    static func runWithMailFixtures(_ name: String, _ cases: [MatrixCase]) async throws {
        try await TestDatabase.with(name) { database in
            try await Self.insertMailFixtures(try await database.adminConnection())
            _ = try await Self.run(cases, on: database)
        }
    }
}
