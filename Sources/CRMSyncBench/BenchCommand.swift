import ArgumentParser
import CRMSyncSupport
import CRMSyncDatabase
import Foundation

/// `crmsync-bench`: the sync's speed figures, measured side by side in one run. Its own
/// executable, so the service (`crmsync`) ships none of it.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmsync-bench",
        abstract: "Measure import throughput, the naive alternative, incremental sync cost and end-to-end speed.",
        discussion: """
            Works in the database named by DATABASE_URL (migrated; an encryption key in CRMSYNC_TOKEN_KEY or \
            CRMSYNC_TOKEN_KEY_FILE): its reference tables in the schema \(Benchmark.schema), its rows in a \
            throwaway organization, and an in-process provider sandbox. It drops the schema and the organization \
            (with everything in it) when it ends; the audit trail, append-only by design, keeps what the \
            organization did.
            """)

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @Option(help: "Events in the large calendar.")
    var events = 10_000

    @Flag(help: "Measure the mail figures instead (needs the loopback mail servers: eval \"$(scripts/mail-servers.sh start)\").")
    var mail = false

    @Flag(help: "Measure the Gmail and Outlook mail figures against the in-process sandbox instead.")
    var mailApi = false

    @Flag(help: "Measure mail reads at scale (list, search, contact) as a member against the superuser instead.")
    var mailScale = false

    @Flag(help: "Measure the calendar at scale instead: row-level security against the superuser at 1,000,000 appointments, then the HTTP API under load with wrk.")
    var scale = false

    @Option(help: "Appointments in all (with --scale).")
    var appointments = 1_000_000

    @Option(help: "Concurrent API clients (with --scale; 0 skips the API load).")
    var apiConnections = 32

    @Option(help: "Seconds of each API load run (with --scale).")
    var apiSeconds = 10

    @Option(help: "The crmsync executable that serves the API (with --scale; default: the one beside crmsync-bench).")
    var crmsync: String?

    @Flag(help: "Measure no-change syncs in organizations of 50 accounts against one of --org-accounts instead (20 events each).")
    var orgSync = false

    @Option(help: "Accounts in the large organization (with --org-sync; the small one has 50).")
    var orgAccounts = 1_000

    @Option(help: "Messages in the large mailbox (with --mail; default 10000, with --mail-api 2000, with --mail-scale 1000000 in all).")
    var messages: Int?

    @Option(help: "Organizations sharing the messages or appointments (with --mail-scale, --scale).")
    var organizations = 1_000

    @Option(help: "Timed queries of each kind (with --mail-scale, --scale).")
    var iterations = 300

    func run() async throws {
        do {
            guard self.events >= 200 else { throw ValidationError("--events must be at least 200") }
            let environment = ProcessInfo.processInfo.environment
            guard let key = try SecretKey.fromEnvironment(environment) else {
                throw SecretKeyError.missing(variable: "CRMSYNC_TOKEN_KEY")
            }
            let json = self.json
            if self.scale {
                let perAccount = self.appointments / max(1, self.organizations * CalendarScaleFixture.membersPerOrganization)
                guard self.organizations >= 1, perAccount >= 1 else {
                    throw ValidationError("--appointments must be at least \(CalendarScaleFixture.membersPerOrganization) per organization")
                }
                guard self.iterations >= 20 else { throw ValidationError("--iterations must be at least 20") }
                guard self.apiConnections >= 0, self.apiSeconds >= 1 else {
                    throw ValidationError("--api-connections must not be negative and --api-seconds must be positive")
                }
                let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("crmsync")
                let load = self.apiConnections == 0 ? nil : APILoad(
                    executable: self.crmsync.map { URL(fileURLWithPath: $0) } ?? beside,
                    connections: self.apiConnections, threads: 2, seconds: self.apiSeconds)
                let figures = try await CalendarScaleBenchmark(
                    settings: try DatabaseSettings.fromEnvironment(environment), key: key, appointments: self.appointments,
                    organizations: self.organizations, iterations: self.iterations, load: load,
                    say: { line in if !json { print(line) } }
                ).run()
                try Self.emit(figures, json: json) { BenchReportFormatter.render($0) }
                return
            }
            if self.orgSync {
                guard self.orgAccounts > 50 else { throw ValidationError("--org-accounts must be more than 50") }
                let figures = try await OrganizationSyncBenchmark(
                    settings: try DatabaseSettings.fromEnvironment(environment), key: key, small: 50, large: self.orgAccounts, eventsPerAccount: 20,
                    say: { line in if !json { print(line) } }
                ).run()
                try Self.emit(figures, json: json) { BenchReportFormatter.render($0) }
                return
            }
            if self.mailScale {
                let messages = self.messages ?? 1_000_000
                guard self.organizations >= 1, messages >= self.organizations * 10 else {
                    throw ValidationError("--messages must be at least ten per organization")
                }
                guard self.iterations >= 20 else { throw ValidationError("--iterations must be at least 20") }
                let figures = try await MailScaleBenchmark(
                    settings: try DatabaseSettings.fromEnvironment(environment), key: key, messages: messages,
                    organizations: self.organizations, iterations: self.iterations, say: { line in if !json { print(line) } }
                ).run()
                try Self.emit(figures, json: json) { BenchReportFormatter.render($0) }
                return
            }
            if self.mailApi {
                let messages = self.messages ?? 2_000
                guard messages >= 100 else { throw ValidationError("--messages must be at least 100") }
                let figures = try await MailAPIBenchmark(
                    settings: try DatabaseSettings.fromEnvironment(environment), key: key, messages: messages,
                    say: { line in if !json { print(line) } }
                ).run()
                try Self.emit(figures, json: json) { BenchReportFormatter.render($0, messages: messages) }
                return
            }
            if self.mail {
                let messages = self.messages ?? 10_000
                guard messages >= 200 else { throw ValidationError("--messages must be at least 200") }
                let figures = try await MailBenchmark(
                    settings: try DatabaseSettings.fromEnvironment(environment), key: key, messages: messages,
                    server: try MailBenchServer.fromEnvironment(environment), say: { line in if !json { print(line) } }
                ).run()
                try Self.emit(figures, json: json) { BenchReportFormatter.render($0, messages: messages) }
                return
            }
            let benchmark = Benchmark(
                settings: try DatabaseSettings.fromEnvironment(environment), key: key, events: self.events,
                say: { line in if !json { print(line) } })
            let figures = try await benchmark.run()
            let events = self.events
            try Self.emit(figures, json: json) { BenchReportFormatter.render($0, events: events) }
        } catch let error as ValidationError {
            throw error
        } catch {
            // One line on stderr, as `crmsync` does: a sentence, never a stack trace or a secret.
            FileHandle.standardError.write(Data("crmsync-bench: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

extension BenchCommand {
    /// The figures as one JSON object, or as the table `render` makes.
    static func emit<Figures: Encodable>(_ figures: Figures, json: Bool, render: (Figures) -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            Swift.print(String(decoding: try encoder.encode(figures), as: UTF8.self))
        } else {
            Swift.print(render(figures))
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
            ["the writes alone vs import (time ratio)", fixed(f.import_vs_writes_ratio), ">= 0.85", f.import_vs_writes_ratio >= 0.85 ? "met" : "MISSED"],
            ["  import: first page vs last page", fixed(detail("import_first_page_seconds"), 3) + " s / " + fixed(detail("import_last_page_seconds"), 3) + " s", "flat", ""],
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

extension BenchReportFormatter {
    static func render(_ f: MailBenchmark.Figures, messages: Int) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        let percent = { (share: Double) in fixed(share * 100, 0) + "%" }
        let rows: [[String]] = [
            ["full import of \(messages) messages", fixed(f.full_import_messages_per_second, 0) + " messages/s", "(reported)", ""],
            ["  time in IMAP / MIME / SQL", "\(percent(f.imap_share)) / \(percent(f.mime_share)) / \(percent(f.sql_share))", "(reported)", ""],
            ["no-change sync: IMAP round trips (\(messages) / 100)", "\(f.nochange_round_trips_large) / \(f.nochange_round_trips_small)", "equal",
             f.nochange_round_trips_large == f.nochange_round_trips_small ? "met" : "MISSED"],
            ["no-change sync: \(messages) vs 100 messages (time)", fixed(f.nochange_size_ratio), "<= 1.2", f.nochange_size_ratio <= 1.2 ? "met" : "MISSED"],
            ["import SQL vs COPY (throughput ratio)", fixed(f.import_vs_copy_ratio), "(reported)", ""],
        ]
        var text = TextTable.render(columns: ["figure", "measured", "target", ""], rows: rows)
        text += "\n" + f.detail.keys.sorted().map { "\($0) = \(fixed(f.detail[$0] ?? 0, 3))" }.joined(separator: ", ")
        return text
    }
}

extension BenchReportFormatter {
    static func render(_ f: MailScaleBenchmark.Figures) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        func row(_ name: String, _ p50: Double, _ p99: Double, _ superuser: Double, _ ratio: Double) -> [String] {
            [name, "\(fixed(p50)) / \(fixed(p99)) ms", "\(fixed(superuser)) ms", fixed(ratio)]
        }
        let rows: [[String]] = [
            row("list a shared mailbox (50 newest)", f.list_member_p50_ms, f.list_member_p99_ms, f.list_superuser_p50_ms, f.list_rls_ratio),
            row("full-text search (one word)", f.search_member_p50_ms, f.search_member_p99_ms, f.search_superuser_p50_ms, f.search_rls_ratio),
            row("all mail with a contact", f.contact_member_p50_ms, f.contact_member_p99_ms, f.contact_superuser_p50_ms, f.contact_rls_ratio),
        ]
        var text = "\(f.messages) messages in \(f.organizations) organizations (written in \(fixed(f.fill_seconds, 0)) s)\n"
        text += TextTable.render(columns: ["query", "member p50 / p99", "superuser p50", "ratio"], rows: rows)
        text += "\nthe body tier's search plan (uses the GIN index: \(f.search_uses_gin_index ? "yes" : "NO")):\n" + f.search_plan
        return text
    }
}

extension BenchReportFormatter {
    static func render(_ f: CalendarScaleBenchmark.Figures) -> String {
        func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        func row(_ name: String, _ p50: Double, _ p99: Double, _ superuser: Double, _ ratio: Double) -> [String] {
            [name, "\(fixed(p50)) / \(fixed(p99)) ms", "\(fixed(superuser)) ms", fixed(ratio), "<= 1.3", ratio <= 1.3 ? "met" : "MISSED"]
        }
        let rows: [[String]] = [
            row("appointments and their calendar events", f.mapped_member_p50_ms, f.mapped_member_p99_ms, f.mapped_superuser_p50_ms, f.mapped_rls_ratio),
            row("recent sync runs", f.sync_log_member_p50_ms, f.sync_log_member_p99_ms, f.sync_log_superuser_p50_ms, f.sync_log_rls_ratio),
            row("the API's account list", f.accounts_member_p50_ms, f.accounts_member_p99_ms, f.accounts_superuser_p50_ms, f.accounts_rls_ratio),
        ]
        let helperMicroseconds = (f.identity_check_member_p50_ms - f.identity_check_superuser_p50_ms) * 1000
        var text = "\(f.appointments) appointments in \(f.organizations) organizations (written in \(fixed(f.fill_seconds, 0)) s)\n"
        text += TextTable.render(columns: ["query", "member p50 / p99", "superuser p50", "ratio", "target", ""], rows: rows)
        text += "\none policy helper costs a statement \(fixed(helperMicroseconds, 0)) µs"
        text += " (readable_org_ids(): \(fixed(f.identity_check_member_p50_ms, 3)) ms as a member, the same statement without it \(fixed(f.identity_check_superuser_p50_ms, 3)) ms)\n"
        if let api = f.api {
            let rate = api.accounts_requests_per_second, p99 = api.accounts_p99_ms
            let apiRows: [[String]] = [
                ["GET /healthz", fixed(api.healthz_requests_per_second, 0) + " requests/s", "(reported)", ""],
                ["GET /v1/calendar/accounts", fixed(rate, 0) + " requests/s", ">= 2500", rate >= 2500 ? "met" : "MISSED"],
                ["  p50 / p99", "\(fixed(api.accounts_p50_ms)) / \(fixed(p99)) ms", "p99 <= 50 ms", p99 <= 50 ? "met" : "MISSED"],
                ["  failed responses", "\(api.accounts_failures)", "0", api.accounts_failures == 0 ? "met" : "MISSED"],
            ]
            text += "\nthe API under load (wrk, \(api.connections) clients, \(api.seconds) s each):\n"
            text += TextTable.render(columns: ["figure", "measured", "target", ""], rows: apiRows)
        }
        return text
    }
}
