import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.audit_log: the owner reads the organization's rows; nobody writes or rewrites it directly.
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var auditLogCases: [MatrixCase] {
        var m = MatrixCases("audit_log")
        let acme = Demo.acme
        let readAcme: SQL =
            "select id from public.audit_log where organization_id = \(acme) and action = 'calendar_account.connected'"
        m.add(.select, .alice, "owner reads the organization's audit log", readAcme, .rows(2))
        m.add(.select, .bob, "member reads the audit log", readAcme, .noRows)
        m.add(.select, MatrixActor.outsidersOfAcme, "read Acme's audit log", readAcme, .noRows)
        m.add(.select, .aliceForgingGlobex, "read Globex's audit log",
              "select id from public.audit_log where organization_id = \(Demo.globex)", .noRows)
        m.add(.select, [.alice, .gina], "org owner reads platform events",
              "select id from public.audit_log where organization_id is null", .noRows)
        m.add(.select, [.workerAlice, .workerHank], "worker reads the audit log", readAcme, .denied)

        let forge: SQL = "insert into public.audit_log (organization_id, action) values (\(acme), 'forged')"
        m.add(.insert, [.alice, .bob, .hank, .nobody, .workerAlice], "forge an audit row", forge, .denied)
        let rewrite: SQL = "update public.audit_log set action = 'nothing' where organization_id = \(acme)"
        m.add(.update, [.alice, .bob, .hank, .nobody, .workerAlice], "rewrite the audit log", rewrite, .denied)
        let erase: SQL = "delete from public.audit_log where organization_id = \(acme)"
        m.add(.delete, [.alice, .bob, .hank, .nobody, .workerAlice], "erase the audit log", erase, .denied)
        return m.cases
    }

    @Test("audit_log")
    func auditLog() async throws {
        try await TestDatabase.with("tm_audit") { database in
            _ = try await Self.run(Self.auditLogCases, on: database)
        }
    }
}
