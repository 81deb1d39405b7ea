import ArgumentParser
import CRMSyncDatabase

/// `crmsync audit`: the row-level security report; non-zero exit when it finds a problem.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Report RLS, policies and grants of every exposed table; fail on a problem.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let query = try PolicyAudit.load(root: self.options.rootURL)
            let audit = try await self.options.withAdminConnection { try await PolicyAudit.run(query, on: $0) }
            print(AuditReportFormatter.render(audit))
            guard audit.problems.isEmpty else { throw ExitCode.failure }
        }
    }
}

/// The audit as a table plus a verdict that names every offending table.
enum AuditReportFormatter {
    static func render(_ audit: PolicyAudit) -> String {
        let columns = ["table", "rls", "forced", "item", "name", "command", "roles", "expression", "problem"]
        let rows = audit.findings.map { f in
            [
                f.tableName ?? "", f.rlsEnabled.map { $0 ? "yes" : "NO" } ?? "", f.rlsForced.map { $0 ? "yes" : "NO" } ?? "",
                f.item, f.name ?? "", f.command ?? "", f.roles ?? "", f.expression ?? "", f.problem ?? "",
            ]
        }
        var text = TextTable.render(columns: columns, rows: rows)
        if audit.problems.isEmpty {
            text += "\naudit passed: every table has row level security enabled and forced; no unintended policy or grant"
        } else {
            text += "\naudit FAILED:"
            for problem in audit.problems {
                text += "\n  \(problem.tableName ?? problem.name ?? "?"): \(problem.problem ?? "")"
            }
        }
        return text
    }
}
