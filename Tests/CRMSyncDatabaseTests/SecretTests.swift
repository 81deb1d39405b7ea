@testable import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("Secrets")
struct SecretTests {
    /// Reads Alice's calendar tokens the way a sync job does.
    static func aliceTokens(_ tenant: TenantDatabase) async throws -> (String, String?) {
        try await tenant.withSession(Demo.aliceAtAcme, role: .worker, secrets: true) { connection in
            let row = try #require(try await connection.query(
                "select access_token, refresh_token from public.calendar_account_tokens(\(Demo.aliceCalendar))").first)
            return (try row.decode(String.self, at: 0), try row.decode(String?.self, at: 1))
        }
    }

    @Test("pg_dump of the demo database holds no plaintext secret and no key")
    func dumpHasNoPlaintext() async throws {
        try await TestDatabase.with("dump") { database in
            let dump = try Self.pgDump(database)
            #expect(dump.contains("calendar_accounts"), "the dump is empty")
            #expect(!dump.contains("demo-secret-"))
            #expect(!dump.contains(database.key.value))
        }
    }

    @Test("the worker reads its own tokens, and every read is audited")
    func workerReadsOwnTokens() async throws {
        try await TestDatabase.with("read") { database in
            let tenant = database.tenant()
            let (access, refresh) = try await Self.aliceTokens(tenant)
            #expect(access.hasPrefix("demo-secret-"))
            #expect(refresh?.hasPrefix("demo-secret-") == true)
            let admin = try await database.adminConnection()
            let audits = try await admin.query(
                "select count(*) from public.audit_log where action = 'secret.read' and target_id = \(Demo.aliceCalendar)")
            #expect(try audits.first?.decode(Int.self, at: 0) == 1)
            let leaked = try await admin.query("select count(*) from public.audit_log where details::text like '%demo-secret-%'")
            #expect(try leaked.first?.decode(Int.self, at: 0) == 0)
        }
    }

    @Test("without the key decryption fails with a clear error, not garbage")
    func missingKeyFailsCleanly() async throws {
        try await TestDatabase.with("nokey") { database in
            let tenant = database.tenant()
            do {
                _ = try await tenant.withSession(Demo.aliceAtAcme, role: .worker) { connection in
                    try await connection.query("select * from public.calendar_account_tokens(\(Demo.aliceCalendar))")
                }
                Issue.record("decrypted without a key")
            } catch let error as PostgresError {
                #expect(error.code?.rawValue == "CSK01")
                #expect(error.message.contains("no encryption key"))
            }
        }
    }

    @Test("a wrong key is refused by fingerprint and never printed")
    func wrongKeyFailsCleanly() async throws {
        try await TestDatabase.with("wrongkey") { database in
            let wrong = try SecretKey("another-key-that-is-long-enough-0123456789")
            let tenant = database.tenant(key: wrong)
            do {
                _ = try await Self.aliceTokens(tenant)
                Issue.record("decrypted with the wrong key")
            } catch let error as PostgresError {
                #expect(error.code?.rawValue == "CSK02")
                #expect(!error.debugDescription.contains(wrong.value))
                #expect(!error.debugDescription.contains(database.key.value))
            }
        }
    }

    @Test("a person's role cannot decrypt or read ciphertext, not even their own")
    func authenticatedCannotDecrypt() async throws {
        try await TestDatabase.with("nodecrypt") { database in
            let tenant = database.tenant()
            for statement: SQL in [
                "select * from public.calendar_account_tokens(\(Demo.aliceCalendar))",
                "select * from public.email_account_secrets(\(Demo.aliceEmail))",
                "select * from public.oauth_client_credentials('google')",
                "select access_token_encrypted from public.calendar_accounts",
                "select password_encrypted from public.email_accounts",
                "select * from public.oauth_secrets",
                "select private.decrypt_secret(access_token_encrypted, token_key_id) from public.calendar_accounts",
            ] {
                do {
                    _ = try await tenant.withSession(Demo.aliceAtAcme, secrets: true) { try await $0.query(statement) }
                    Issue.record("authenticated ran: \(statement.text)")
                } catch let error as PostgresError {
                    #expect(error.code == .insufficientPrivilege, "\(statement.text): \(error)")
                }
            }
        }
    }

    @Test("the worker cannot read another user's or another organization's tokens")
    func workerCannotReadOthers() async throws {
        try await TestDatabase.with("otherstokens") { database in
            let tenant = database.tenant()
            for (identity, account) in [
                (Demo.bobAtAcme, Demo.aliceCalendar), (Demo.ginaAtGlobex, Demo.aliceCalendar),
                (Identity(userID: Demo.alice, organizationID: Demo.globex), Demo.aliceCalendar),
            ] {
                do {
                    _ = try await tenant.withSession(identity, role: .worker, secrets: true) { connection in
                        try await connection.query("select * from public.calendar_account_tokens(\(account))")
                    }
                    Issue.record("\(identity) read \(account)")
                } catch let error as PostgresError {
                    #expect(error.code == .insufficientPrivilege)
                }
            }
        }
    }

    @Test("rotation re-encrypts every secret, is resumable, and the old key stops working")
    func rotationRoundTrips() async throws {
        try await TestDatabase.with("rotate") { database in
            let before = try await Self.aliceTokens(database.tenant())
            let newKey = try SecretKey("rotated-key-\(UUID().uuidString)-\(UUID().uuidString)")
            let admin = try await database.adminConnection()
            let total = try await admin.query(
                """
                select (select count(*) from public.calendar_accounts where token_key_id is not null)
                     + (select count(*) from public.email_accounts where token_key_id is not null)
                     + (select count(*) from public.oauth_secrets)
                """).first?.decode(Int.self, at: 0)
            var batches = 0
            let counts = try await KeyRotation(oldKey: database.key, newKey: newKey, batchSize: 2)
                .run(on: admin) { _ in batches += 1 }
            #expect(counts.values.reduce(0, +) == total)
            #expect(batches > 2, "batches of two should take several rounds")
            let again = try await KeyRotation(oldKey: database.key, newKey: newKey).run(on: admin)
            #expect(again.values.reduce(0, +) == 0)
            let after = try await Self.aliceTokens(database.tenant(key: newKey))
            #expect(after.0 == before.0 && after.1 == before.1)
            await #expect(throws: PostgresError.self) { _ = try await Self.aliceTokens(database.tenant()) }
        }
    }

    static func pgDump(_ database: TestDatabase) throws -> String {
        let process = Process()
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted()
        process.executableURL = URL(
            fileURLWithPath: versions?.last.map { "/usr/lib/postgresql/\($0)/bin/pg_dump" } ?? "/usr/bin/pg_dump")
        process.arguments = ["--no-password", "--dbname=\(try database.admin.conninfoString())"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("pg_dump failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
