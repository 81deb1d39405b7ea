import Foundation
import PostgresClient

/// CPU time of the database's client sessions, read from /proc/<pid>/schedstat (nanoseconds on
/// a CPU) when the server runs on this machine. Unlike the database's own `active_time`, it
/// does not count the time a busy machine keeps a session waiting for a CPU, so figures taken
/// minutes apart on a shared machine compare.
enum BackendCPU {
    /// Nanoseconds on a CPU so far of each client session of the database but the caller's;
    /// nil when one of them is not a local postgres process.
    static func sample(admin: PostgresConnection) async throws -> [Int: Double]? {
        let rows = try await admin.query(
            """
            select pid from pg_catalog.pg_stat_activity
             where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
            """)
        var sample: [Int: Double] = [:]
        for row in rows.rows {
            let pid = try row.decode(Int.self, at: 0)
            guard let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), command.hasPrefix("postgres"),
                let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8),
                let nanoseconds = text.split(separator: " ").first.flatMap({ Double($0) })
            else { return nil }
            sample[pid] = nanoseconds
        }
        return sample
    }

    /// Milliseconds on a CPU between two samples (a session that is new counts whole).
    static func milliseconds(from before: [Int: Double]?, to after: [Int: Double]?) -> Double? {
        guard let before, let after else { return nil }
        return after.reduce(0) { $0 + $1.value - (before[$1.key] ?? 0) } / 1_000_000
    }
}
