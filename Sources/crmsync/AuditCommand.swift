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

/// The audit grouped by table, readable at a terminal, plus a verdict naming every offender.
enum AuditReportFormatter {
    static func render(_ audit: PolicyAudit) -> String {
        var lines: [String] = []
        var currentTable: String?? = .none
        for f in audit.findings {
            if currentTable != .some(f.tableName) {
                currentTable = .some(f.tableName)
                lines.append("")
                lines.append(f.tableName.map { "table \($0)" } ?? "functions and views")
            }
            let flag = f.problem.map { "   <-- PROBLEM: \($0)" } ?? ""
            switch f.item {
            case "table":
                lines.append("  row level security: \(f.rlsEnabled == true ? "enabled" : "DISABLED"), "
                    + "\(f.rlsForced == true ? "forced" : "NOT FORCED")\(flag)")
            case "policy":
                lines.append("  policy \(f.name ?? "?") for \(f.command ?? "?") to \(f.roles ?? "?")\(flag)")
                if let expression = f.expression { lines.append("      \(expression)") }
            case "grant":
                let columns = f.expression.map { " (\($0))" } ?? ""
                lines.append("  grant \(f.command ?? "?")\(columns) to \(f.name ?? "?")\(flag)")
            default:
                lines.append("  \(f.item) \(f.name ?? "")\(f.command.map { " \($0)" } ?? "")\(flag)")
            }
        }
        if audit.problems.isEmpty {
            lines.append("\naudit passed: \(audit.findings.filter { $0.item == "table" }.count) tables, "
                + "\(audit.findings.filter { $0.item == "policy" }.count) policies, "
                + "\(audit.findings.filter { $0.item == "grant" }.count) grants; no problem found")
        } else {
            lines.append("\naudit FAILED (\(audit.problems.count) problems):")
            for problem in audit.problems {
                lines.append("  \(problem.tableName ?? problem.name ?? "?"): \(problem.problem ?? "")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
