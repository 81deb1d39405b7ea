import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for public.oauth_secrets: no client role reads or writes it (only SECURITY DEFINER functions do).
// Run by the test below; the coverage test in TenancyMatrixTests.swift checks them with the rest.

extension TenancyMatrixTests {
    static var oauthSecretCases: [MatrixCase] {
        var m = MatrixCases("oauth_secrets")
        let everyone: [MatrixActor] = [.alice, .bob, .gina, .hank, .nobody, .hankForgingAcme, .workerAlice, .workerGina,
                                       .workerNobody]
        m.add(.select, everyone, "read OAuth clients", "select client_id from public.oauth_secrets", .denied)
        m.add(.insert, everyone, "plant an OAuth client",
              """
              insert into public.oauth_secrets (organization_id, provider, client_id, client_secret_encrypted, key_id)
              values (\(Demo.acme), 'google', 'evil-client', decode('00', 'hex'), 'k')
              """, .denied)
        m.add(.update, everyone, "replace an OAuth client",
              "update public.oauth_secrets set client_id = 'evil-client' where organization_id = \(Demo.globex)", .denied)
        m.add(.delete, everyone, "delete OAuth clients", "delete from public.oauth_secrets", .denied)
        return m.cases
    }

    @Test("oauth_secrets")
    func oauthSecrets() async throws {
        try await TestDatabase.with("tm_secrets") { database in
            _ = try await Self.run(Self.oauthSecretCases, on: database)
        }
    }
}
