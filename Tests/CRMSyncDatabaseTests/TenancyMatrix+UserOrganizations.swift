import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.user_organizations: the owner manages memberships; a member cannot promote itself, and
// nobody joins another organization.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var membershipCases: [MatrixCase] {
        var m = MatrixCases("user_organizations")
        let acme = Demo.acme, globex = Demo.globex
        let readAcme: SQL = "select user_id from public.user_organizations where organization_id = \(acme)"
        m.add(.select, .bob, "member reads own organization's memberships", readAcme, .rows(2))
        m.add(.select, .alice, "owner reads own organization's memberships", readAcme, .rows(2))
        m.add(.select, MatrixActor.outsidersOfAcme, "read Acme memberships", readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex memberships",
              "select user_id from public.user_organizations where organization_id = \(globex)", .noRows)
        m.add(.select, [.workerBob, .workerHank], "worker reads memberships", readAcme, .denied)

        func enroll(_ org: UUID, _ user: UUID, _ role: String) -> SQL {
            "insert into public.user_organizations (organization_id, user_id, role) values (\(org), \(user), \(role))"
        }
        m.add(.insert, .alice, "owner adds a member", enroll(acme, Seed.new1, "member"), .rows(1))
        m.add(.insert, .bob, "member adds a member", enroll(acme, Seed.new1, "member"), .denied)
        m.add(.insert, .bob, "member promotes self to owner (new row)", enroll(acme, Demo.bob, "owner"), .denied)
        m.add(.insert, .hank, "other org's member joins Acme", enroll(acme, Demo.hank, "owner"), .denied)
        m.add(.insert, .gina, "other org's owner joins Acme", enroll(acme, Demo.gina, "member"), .denied)
        m.add(.insert, .hankForgingAcme, "forged identity self-enrolls", enroll(acme, Demo.hank, "member"), .denied)
        m.add(.insert, .nobody, "no identity enrolls", enroll(acme, Seed.new1, "member"), .denied)
        m.add(.insert, .alice, "owner inserts a row with Globex's organization_id",
              enroll(globex, Demo.alice, "owner"), .denied)
        m.add(.insert, .workerAlice, "worker adds a member", enroll(acme, Seed.new1, "member"), .denied)

        let promoteBob: SQL =
            "update public.user_organizations set role = 'admin' where organization_id = \(acme) and user_id = \(Demo.bob)"
        m.add(.update, .alice, "owner changes a member's role", promoteBob, .rows(1))
        m.add(.update, .bob, "member promotes self",
              "update public.user_organizations set role = 'owner' where organization_id = \(acme) and user_id = \(Demo.bob)",
              .noRows)
        m.add(.update, .bob, "member demotes the owner",
              "update public.user_organizations set role = 'member' where organization_id = \(acme) and user_id = \(Demo.alice)",
              .noRows)
        m.add(.update, MatrixActor.outsidersOfAcme, "change Acme roles", promoteBob, .noRows)
        m.add(.update, .alice, "owner moves a membership to Globex",
              "update public.user_organizations set organization_id = \(globex) where organization_id = \(acme) and user_id = \(Demo.bob)",
              .denied)
        m.add(.update, .alice, "owner rewrites a membership's user",
              "update public.user_organizations set user_id = \(Demo.hank) where organization_id = \(acme) and user_id = \(Demo.bob)",
              .denied)
        m.add(.update, .workerAlice, "worker changes a role", promoteBob, .denied)

        let removeBob: SQL =
            "delete from public.user_organizations where organization_id = \(acme) and user_id = \(Demo.bob)"
        m.add(.delete, .alice, "owner removes a member", removeBob, .rows(1))
        m.add(.delete, .bob, "member removes the owner",
              "delete from public.user_organizations where organization_id = \(acme) and user_id = \(Demo.alice)", .noRows)
        m.add(.delete, MatrixActor.outsidersOfAcme, "remove an Acme member", removeBob, .noRows)
        m.add(.delete, .aliceForgingGlobex, "remove a Globex member",
              "delete from public.user_organizations where organization_id = \(globex) and user_id = \(Demo.hank)", .noRows)
        m.add(.delete, .workerAlice, "worker removes a member", removeBob, .denied)
        return m.cases
    }

    @Test("user_organizations")
    func userOrganizations() async throws {
        try await TestDatabase.with("tm_members") { database in
            _ = try await Self.run(Self.membershipCases, on: database)
        }
    }
}
