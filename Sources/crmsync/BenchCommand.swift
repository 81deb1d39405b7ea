import ArgumentParser
import CRMSyncDatabase
import Foundation

/// `crmsync bench`: the sync's speed figures, measured side by side in one run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure import throughput, the naive alternative, incremental sync cost and end-to-end speed.",
        discussion: """
            Works in a throwaway organization of the database named by DATABASE_URL (removed afterwards) and an \
            in-process provider sandbox. Needs the migrations applied and an encryption key.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @Option(help: "Events in the large calendar.")
    var events = 10_000

    func run() async throws {
        try await reportingErrors {
            guard self.events >= 200 else { throw ValidationError("--events must be at least 200") }
            let json = self.json
            let benchmark = Benchmark(
                settings: self.options.databaseSettings, key: try self.options.requiredSecretKey(), events: self.events,
                say: { line in if !json { print(line) } })
            let figures = try await benchmark.run()
            if self.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(figures), as: UTF8.self))
            } else {
                print(BenchReportFormatter.render(figures, events: self.events))
            }
        }
    }
}

/// The figures with their targets.
enum BenchReportFormatter {
    static func render(_ f: Benchmark.Figures, events: Int) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        func ratio(_ value: Double) -> String { value > 0 && value.isFinite ? fixed(value) : "-" }
        let detail = { (key: String) in f.detail[key] ?? 0 }
        let rows: [[String]] = [
            ["import vs COPY (throughput ratio)", fixed(f.import_vs_copy_ratio), ">= 0.5", f.import_vs_copy_ratio >= 0.5 ? "met" : "MISSED"],
            ["  the writes alone vs the same COPY", ratio(detail("writes_alone_vs_copy_ratio")), "(detail)", ""],
            ["  import vs COPY into bare temp tables", ratio(detail("import_vs_copy_bare_ratio")), "(detail)", ""],
            ["speed-up over naive import", fixed(f.naive_speedup, 1) + "x", ">= 30x", f.naive_speedup >= 30 ? "met" : "MISSED"],
            ["import of the same events changed", fixed(detail("update_events_per_second"), 0) + " events/s", "(detail)", ""],
            ["no-change sync: provider requests", "\(f.incremental_provider_requests)", "1", f.incremental_provider_requests == 1 ? "met" : "MISSED"],
            ["no-change sync: database round trips", "\(f.incremental_db_roundtrips)", "constant", ""],
            ["no-change sync: \(events) vs 100 events (time)", fixed(f.incremental_size_ratio), "<= 1.2", f.incremental_size_ratio <= 1.2 ? "met" : "MISSED"],
            ["end-to-end full import", fixed(f.e2e_events_per_second, 0) + " events/s", "(reported)", ""],
            ["  share in HTTP+JSON vs database", fixed(f.e2e_http_share * 100, 0) + "% / " + fixed((1 - f.e2e_http_share) * 100, 0) + "%", "(reported)", ""],
        ]
        var text = TextTable.render(columns: ["figure", "measured", "target", ""], rows: rows)
        text += "\n" + f.detail.keys.sorted().map { "\($0) = \(fixed(f.detail[$0] ?? 0, 3))" }.joined(separator: ", ")
        return text
    }
}
