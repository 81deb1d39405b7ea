import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.organizations: every member reads its own organization, only the owner renames it, nobody
// creates, deletes or re-keys one.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var organizationCases: [MatrixCase] {
        var m = MatrixCases("organizations")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select id from public.organizations where id = \(acme)"
        m.add(.select, .bob, "member reads own organization", readAcme, .rows(1))
        m.add(.select, .alice, "owner reads own organization", readAcme, .rows(1))
        m.add(.select, .workerBob, "worker reads own organization", readAcme, .rows(1))
        m.add(.select, .bob, "member lists organizations: only Acme", "select id from public.organizations", .rows(1))
        m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme", readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex", "select id from public.organizations where id = \(globex)", .noRows)

        let insert: SQL = "insert into public.organizations (id, name) values (\(Seed.new1), 'Evil Corp')"
        m.add(.insert, [.alice, .bob, .hank, .nobody, .workerAlice], "create an organization", insert, .denied)

        let rename: SQL = "update public.organizations set name = 'Pwned' where id = \(acme)"
        m.add(.update, .alice, "owner renames own organization", rename, .rows(1))
        m.add(.update, .bob, "member renames organization", rename, .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme, "rename Acme", rename, .noRows)
        m.add(.update, .aliceForgingGlobex, "rename Globex",
              "update public.organizations set name = 'Pwned' where id = \(globex)", .noRows)
        m.add(.update, .workerAlice, "worker renames organization", rename, .denied)
        m.add(.update, .alice, "owner changes the organization id (the tenant key)",
              "update public.organizations set id = \(Seed.new1) where id = \(acme)", .denied)

        let delete: SQL = "delete from public.organizations where id = \(acme)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .workerAlice], "delete Acme", delete, .denied)
        return m.cases
    }

    @Test("organizations")
    func organizations() async throws {
        try await TestDatabase.with("tm_orgs") { database in
            _ = try await Self.run(Self.organizationCases, on: database)
        }
    }
}
