import CRMSyncDatabase
import Foundation
import PostgresClient

/// The frame of the scale benchmarks: a fresh benchmark schema, member sessions on a small
/// pool, a fixture the superuser writes and that goes again whatever happens; and the timing of
/// one query as a member and as the superuser, side by side.
enum ScaleRun {
    /// Creates the fixture (timing it), hands it to `measure` with the fill's seconds, and
    /// removes it, the schema and the pool afterwards, also when `measure` throws.
    static func run<Fixture, Figures>(
        settings: DatabaseSettings, key: SecretKey, say: (String) -> Void, removing: String,
        create: (PostgresConnection) async throws -> Fixture,
        drop: (Fixture, PostgresConnection) async throws -> Void,
        measure: (Fixture, TenantDatabase, PostgresConnection, Double) async throws -> Figures
    ) async throws -> Figures {
        let admin = try await PostgresConnection.connect(settings.admin)
        try await admin.execute("drop schema if exists \(Benchmark.schema) cascade; create schema \(Benchmark.schema)")
        let pool = PostgresPool(configuration: settings.app, maxConnections: 2)
        let tenant = TenantDatabase(pool: pool, secretKey: key)
        let clock = ContinuousClock()
        let start = clock.now
        let fixture = try await create(admin)
        let fillSeconds = (clock.now - start) / .seconds(1)
        let figures: Figures
        do {
            figures = try await measure(fixture, tenant, admin, fillSeconds)
        } catch {
            try? await drop(fixture, admin)
            await pool.close()
            throw error
        }
        say("removing \(removing)…")
        try await drop(fixture, admin)
        try await admin.execute("drop schema if exists \(Benchmark.schema) cascade")
        await pool.close()
        return figures
    }

    /// Member p50 and p99, superuser p50, and their ratio, of `picks.count` runs each, member
    /// and superuser in turn so a machine that changes pace weighs on both alike.
    struct SideBySide {
        var memberP50 = 0.0, memberP99 = 0.0, superuserP50 = 0.0
        var ratio: Double { self.memberP50 / self.superuserP50 }
    }

    static func sideBySide<Pick>(
        _ picks: [Pick], member: (Pick) async throws -> Double, superuser: (Pick) async throws -> Double
    ) async throws -> SideBySide {
        var members: [Double] = [], superusers: [Double] = []
        for pick in picks {
            members.append(try await member(pick))
            superusers.append(try await superuser(pick))
        }
        return SideBySide(
            memberP50: Sampling.percentile(members, 0.5), memberP99: Sampling.percentile(members, 0.99),
            superuserP50: Sampling.percentile(superusers, 0.5))
    }
}
