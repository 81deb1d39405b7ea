import CRMSyncTestSupport
import CRMSyncDatabase
import Foundation
import PostgresClient
import Testing

@Suite("Identity on pooled connections")
struct PooledIdentityTests {
    @Test("many interleaved sessions of different users on two connections each see only their own rows")
    func noIdentityLeaksAcrossSessions() async throws {
        try await TestDatabase.with("pool") { database in
            let tenant = database.tenant(maxConnections: 2)
            let people = [Demo.aliceAtAcme, Demo.bobAtAcme, Demo.ginaAtGlobex, Demo.hankAtGlobex]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<60 {
                    let person = people[round % people.count]
                    group.addTask {
                        let seen = try await tenant.withSession(person) { connection in
                            try await connection.query(
                                """
                                select distinct organization_id from public.appointments
                                union select organization_id from public.calendar_accounts where user_id <> \(person.userID)
                                """
                            ).rows.map { try $0.decode(UUID.self, at: 0) }
                        }
                        #expect(seen == [person.organizationID], "round \(round): \(person) saw \(seen)")
                        let ownAccounts = try await tenant.withSession(person) { connection in
                            try await connection.query("select user_id from public.calendar_accounts")
                                .rows.map { try $0.decode(UUID.self, at: 0) }
                        }
                        let isOwner = person == Demo.aliceAtAcme || person == Demo.ginaAtGlobex
                        #expect(isOwner || ownAccounts.allSatisfy { $0 == person.userID })
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("after a session the connection has no role, no claims and no organization")
    func connectionIsCleanAfterSession() async throws {
        try await TestDatabase.with("clean", seed: true) { database in
            let pool = PostgresPool(configuration: database.app, maxConnections: 1)
            let tenant = TenantDatabase(pool: pool, secretKey: database.key)
            _ = try await tenant.withSession(Demo.aliceAtAcme, role: .worker, secrets: true) { connection in
                try await connection.query("select count(*) from public.appointments")
            }
            // A session whose body fails must not leave anything behind either.
            await #expect(throws: PostgresError.self) {
                try await tenant.withSession(Demo.ginaAtGlobex) { try await $0.query("select 1/0") }
            }
            let row = try await pool.withConnection { connection in
                try await connection.query(
                    """
                    select current_user::text, coalesce(current_setting('request.jwt.claims', true), ''),
                           coalesce(current_setting('app.org_id', true), ''), coalesce(current_setting('crmsync.token_key', true), '')
                    """
                ).first
            }
            #expect(try row?.decode(String.self, at: 0) == "crmsync_app")
            #expect(try row?.decode(String.self, at: 1) == "")
            #expect(try row?.decode(String.self, at: 2) == "")
            #expect(try row?.decode(String.self, at: 3) == "")
        }
    }

    @Test("the service role is neither superuser, nor owner, nor BYPASSRLS")
    func serviceRoleIsPlain() async throws {
        try await TestDatabase.with("plainrole", seed: false) { database in
            let connection = try await PostgresConnection.connect(database.app)
            let row = try await connection.query(
                """
                select r.rolsuper, r.rolbypassrls, r.rolinherit,
                       (select count(*) from pg_class c where c.relowner = r.oid)
                from pg_roles r where r.rolname = current_user
                """
            ).first
            #expect(try row?.decode(Bool.self, at: 0) == false)
            #expect(try row?.decode(Bool.self, at: 1) == false)
            #expect(try row?.decode(Bool.self, at: 2) == false)
            #expect(try row?.decode(Int.self, at: 3) == 0)
            await #expect(throws: PostgresError.self) { try await connection.query("select count(*) from public.appointments") }
        }
    }
}
