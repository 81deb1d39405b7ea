/// Renders rows the way psql's aligned format does, for people at a terminal (the CLI's console
/// and the benchmark's figures).
public enum TextTable {
    public static func render(columns: [String], rows: [[String]]) -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, value) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], value.count)
            }
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { value, width in
                " " + value + String(repeating: " ", count: max(0, width - value.count)) + " "
            }.joined(separator: "|")
        }
        var out = [line(columns), widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+")]
        out += rows.map(line)
        out.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return out.joined(separator: "\n")
    }
}
