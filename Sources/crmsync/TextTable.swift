import CRMSyncSupport
import PostgresClient

extension TextTable {
    /// A query's rows, NULL shown as empty.
    static func render(_ rows: PostgresRows) -> String {
        self.render(columns: rows.columns, rows: rows.rows.map { $0.values.map { $0 ?? "" } })
    }
}
