import CLibPQ

/// Turns a `PGresult` into rows or a `PostgresError`. The result never leaves this file.
enum PostgresResultReader {
    static func read(_ result: OpaquePointer?, connection: OpaquePointer, query: String?) throws -> PostgresRows {
        guard let result else {
            throw self.connectionError(connection, query: query)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_COPY_OUT, PGRES_COPY_IN:
            return PostgresRows(columns: [], rows: [], affectedRows: self.affectedRows(result))
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return self.rows(result)
        default:
            throw self.serverError(result, connection: connection, query: query)
        }
    }

    private static func rows(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows = [PostgresRow]()
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values = [String?]()
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        return PostgresRows(columns: columns, rows: rows, affectedRows: self.affectedRows(result))
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    private static func serverError(_ result: OpaquePointer, connection: OpaquePointer, query: String?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        guard let sqlState = field("C") else {
            return self.connectionError(connection, query: query)
        }
        return PostgresError(
            .server, code: PostgresError.Code(sqlState), message: field("M") ?? "statement failed",
            detail: field("D"), hint: field("H"), query: query)
    }

    private static func connectionError(_ connection: OpaquePointer, query: String?) -> PostgresError {
        let reason = String(cString: PQerrorMessage(connection)).firstLine
        return PostgresError(
            .connectionLost, message: "lost the database connection: \(reason.isEmpty ? "no result" : reason)",
            query: query)
    }
}
