import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.calendar_push_channels, its functions (sql/260) and its
// monitoring view. Registered in TenancyMatrixTests.allTableCases; run by `pushChannels()`.

extension Seed {
    /// Channels the matrix inserts (`TenancyMatrixTests.insertPushChannels`): alice's (Google,
    /// Acme), bob's (Outlook, Acme), gina's (Google, Globex) and a stopped one of alice's.
    static let aliceChannel = id("10000000-0000-4000-8000-0000000ca001")
    static let bobChannel = id("10000000-0000-4000-8000-0000000ca002")
    static let aliceStoppedChannel = id("10000000-0000-4000-8000-0000000ca003")
    static let globexChannel = id("20000000-0000-4000-8000-0000000ca001")
}

extension TenancyMatrixTests {
    /// Inserts (as the superuser) four channels; each secret is "secret-<external id>".
    static func insertPushChannels(_ admin: PostgresConnection) async throws {
        try await admin.query(
            """
            insert into public.calendar_push_channels (id, organization_id, calendar_account_id, provider, calendar_id,
                                                       external_id, resource_id, token_hash, expires_at, status)
            select v.id, a.organization_id, a.id, a.provider, a.calendar_id, v.external_id, 'res-' || v.external_id,
                   extensions.digest('secret-' || v.external_id, 'sha256'), now() + interval '2 days', v.status
              from (values (\(Seed.aliceChannel)::uuid, \(Demo.aliceCalendar)::uuid, 'alice-chan', 'active'),
                           (\(Seed.bobChannel)::uuid, \(Demo.bobCalendar)::uuid, 'bob-sub', 'active'),
                           (\(Seed.aliceStoppedChannel)::uuid, \(Demo.aliceCalendar)::uuid, 'alice-old', 'stopped'),
                           (\(Seed.globexChannel)::uuid, \(Demo.ginaCalendar)::uuid, 'gina-chan', 'active'))
                   as v (id, account_id, external_id, status)
              join public.calendar_accounts a on a.id = v.account_id
            """)
        let count = try await admin.query("select count(*) from public.calendar_push_channels").first?.decode(Int.self, at: 0)
        guard count == 4 else { throw TestSetupError("expected 4 push channels, found \(count ?? 0)") }
    }

    static var pushChannelCases: [MatrixCase] {
        var m = MatrixCases("calendar_push_channels")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.calendar_push_channels where organization_id = \(acme)"
        let readAlices: SQL = "select id from public.calendar_push_channels where calendar_account_id = \(Demo.aliceCalendar)"
        let readGlobex: SQL = "select id from public.calendar_push_channels where organization_id = \(globex)"
        m.add(.select, .alice, "owner reads the organization's channels", readAcme, .rows(3))
        m.add(.select, .bob, "member reads own channels only", readAcme, .rows(1))
        m.add(.select, .workerAlice, "worker reads own account's channels", readAcme, .rows(2))
        m.add(.select, [.bob, .workerBob], "read alice's channels", readAlices, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme channels", readAcme,
              .noRows)
        m.add(.select, [.aliceForgingGlobex, .workerAliceForgingGlobex], "read Globex channels", readGlobex, .noRows)
        m.add(.select, [.alice, .workerAlice], "token_hash is not readable",
              "select token_hash from public.calendar_push_channels where id = \(Seed.aliceChannel)", .denied)

        func open(_ org: UUID, _ account: UUID) -> SQL {
            """
            insert into public.calendar_push_channels (organization_id, calendar_account_id, provider, calendar_id,
                                                       external_id, token_hash, expires_at)
            values (\(org), \(account), 'google', 'primary', 'injected', extensions.digest('x', 'sha256'), now() + interval '1 day')
            """
        }
        m.add(.insert, [.alice, .workerAlice], "open a channel directly (only through the functions)",
              open(acme, Demo.aliceCalendar), .denied)
        m.add(.insert, [.bob, .hank, .nobody, .hankForgingAcme, .workerHank, .workerNobody],
              "open a channel on alice's account", open(acme, Demo.aliceCalendar), .denied)
        m.add(.insert, .workerAlice, "own account under Globex's id", open(globex, Demo.aliceCalendar), .denied)

        let revive: SQL = "update public.calendar_push_channels set status = 'active' where id = \(Seed.aliceStoppedChannel)"
        m.add(.update, [.alice, .workerAlice], "revive a stopped channel directly", revive, .denied)
        m.add(.update, [.bob, .hank, .nobody, .hankForgingAcme, .workerBob, .workerHank], "revive alice's channel", revive,
              .denied)
        m.add(.update, .workerAlice, "move own channel to Globex",
              "update public.calendar_push_channels set organization_id = \(globex) where id = \(Seed.aliceChannel)",
              .denied)

        let remove: SQL = "delete from public.calendar_push_channels where id = \(Seed.aliceChannel)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .hankForgingAcme, .workerAlice, .workerHank], "delete a channel",
              remove, .denied)

        // register_calendar_push_channel: the worker, for its owner's account only.
        func register(_ account: UUID) -> SQL {
            """
            select public.register_calendar_push_channel(\(account), 'new-chan', 'res', extensions.digest('s', 'sha256'),
                                                         now() + interval '1 day', \(Seed.aliceChannel))
            """
        }
        m.add(.function, .workerAlice, "register_calendar_push_channel on own account", register(Demo.aliceCalendar),
              .rows(1))
        m.add(.function, [.workerBob, .workerHank, .workerNobody, .workerHankForgingAcme],
              "register_calendar_push_channel on alice's account", register(Demo.aliceCalendar), .denied)
        m.add(.function, [.alice, .nobody], "register_calendar_push_channel as a person", register(Demo.aliceCalendar),
              .denied)
        // Own account, but replacing another member's channel: the new channel is registered, bob's
        // channel is untouched (the checksum proves it after the rollback; here the row count).
        m.add(.function, .workerAlice, "register replacing bob's channel leaves it active",
              "select count(*) from public.calendar_push_channel_lookup('outlook', 'bob-sub') where status = 'active'",
              .value("1"),
              prelude: ["""
                        select public.register_calendar_push_channel(\(Demo.aliceCalendar), 'new-chan', null,
                                 extensions.digest('s', 'sha256'), now() + interval '1 day', \(Seed.bobChannel))
                        """])

        // record_calendar_push_channel
        func record(_ channel: UUID) -> SQL { "select public.record_calendar_push_channel(\(channel), 'stopped', null, null)" }
        m.add(.function, .workerAlice, "record_calendar_push_channel on own channel", record(Seed.aliceChannel), .rows(1))
        m.add(.function, [.workerBob, .workerHank, .workerNobody, .workerHankForgingAcme],
              "record_calendar_push_channel on alice's channel", record(Seed.aliceChannel), .denied)
        m.add(.function, .workerAlice, "record_calendar_push_channel on Globex's channel", record(Seed.globexChannel),
              .denied)
        m.add(.function, [.alice, .bob], "record_calendar_push_channel as a person", record(Seed.aliceChannel), .denied)

        // calendar_push_channel_lookup: the webhook's door, worker role only; reveals a digest, no secret.
        let lookup: SQL = "select user_id from public.calendar_push_channel_lookup('google', 'alice-chan')"
        m.add(.function, [.workerNobody, .workerHank], "calendar_push_channel_lookup without (or any) identity", lookup,
              .value(Demo.alice.uuidString.lowercased()))
        m.add(.function, [.alice, .nobody, .hank], "calendar_push_channel_lookup as a person", lookup, .denied)

        // accept_calendar_push_notification: only in the channel owner's worker session, live channels only.
        func accept(_ channel: UUID) -> SQL { "select public.accept_calendar_push_notification(\(channel), true)" }
        m.add(.function, .workerAlice, "accept a notification on own channel", accept(Seed.aliceChannel),
              .value("requested"))
        m.add(.function, [.workerBob, .workerHank, .workerNobody, .workerHankForgingAcme, .workerAliceForgingGlobex],
              "accept a notification on alice's channel", accept(Seed.aliceChannel), .denied)
        m.add(.function, .workerAlice, "accept a notification on a stopped channel", accept(Seed.aliceStoppedChannel),
              .denied)
        m.add(.function, .workerGina, "accept a notification on alice's channel", accept(Seed.aliceChannel), .denied)
        m.add(.function, [.alice, .nobody], "accept a notification as a person", accept(Seed.aliceChannel), .denied)

        // calendar_push_renewals: cross-tenant for the renewal service, the worker role only.
        let renewals: SQL =
            "select count(*) from public.calendar_push_renewals(now() + interval '3 days', interval '1 day', 100) where channel_id is not null"
        m.add(.function, .workerNobody, "calendar_push_renewals lists every organization's expiring channels", renewals,
              .value("3"))
        m.add(.function, [.alice, .hank, .nobody], "calendar_push_renewals as a person", renewals, .denied)

        // disconnect_calendar_account: a person, own account only.
        func disconnect(_ account: UUID) -> SQL { "select * from public.disconnect_calendar_account(\(account), true)" }
        m.add(.function, .alice, "disconnect own account", disconnect(Demo.aliceCalendar), .rows(1))
        m.add(.function, [.bob, .gina, .hank, .nobody, .hankForgingAcme, .aliceForgingGlobex],
              "disconnect alice's account", disconnect(Demo.aliceCalendar), .denied)
        m.add(.function, .alice, "owner disconnects bob's account (admin reach does not disconnect)",
              disconnect(Demo.bobCalendar), .denied)
        m.add(.function, [.workerAlice, .workerBob], "disconnect as the worker", disconnect(Demo.aliceCalendar), .denied)

        // calendar_push_channel_health
        let health: SQL = "select id from public.calendar_push_channel_health where organization_id = \(acme)"
        m.add(.view, .alice, "calendar_push_channel_health: owner sees the organization's channels", health, .rows(3))
        m.add(.view, .bob, "calendar_push_channel_health: member sees own", health, .rows(1))
        m.add(.view, .workerAlice, "calendar_push_channel_health: worker sees own account's", health, .rows(2))
        m.add(.view, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme,
              "calendar_push_channel_health of Acme", health, .noRows)
        m.add(.view, [.alice, .workerAlice], "write through calendar_push_channel_health",
              "delete from public.calendar_push_channel_health", .failsWith("55000"))
        return m.cases
    }

    @Test("calendar_push_channels, its functions and calendar_push_channel_health")
    func pushChannels() async throws {
        try await TestDatabase.with("tm_push") { database in
            try await Self.insertPushChannels(try await database.adminConnection())
            _ = try await Self.run(Self.pushChannelCases, on: database)
        }
    }
}
