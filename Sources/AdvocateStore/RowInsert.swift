import SQLKit
import SQLiteNIO

/// One value of a row that `insertRows` writes.
enum RowValue: Sendable {
    case integer(Int64)
    case text(String)
    case null

    static func text(_ value: String?) -> RowValue { value.map(RowValue.text) ?? .null }
}

extension Database {
    /// Writes many rows with multi-row INSERT statements of up to 1,000 rows each.
    ///
    /// `head` is `INSERT INTO table (columns…) VALUES`, `tail` what follows the rows (ON
    /// CONFLICT …); `values` holds the rows one after another, `columns` values each. Every value
    /// is a bound parameter. On SQLite the values go straight to the writer connection — the one
    /// running the caller's transaction — without SQLKit's per-value `Encodable` boxing and
    /// serialization, which was most of the CPU a large import spent outside SQLite.
    func insertRows(_ head: String, columns: Int, values: [RowValue], tail: String, in sql: any SQLDatabase) async throws {
        precondition(columns > 0 && values.count % columns == 0, "insertRows: \(values.count) values do not make rows of \(columns)")
        let rowsPerStatement = 1_000
        let rowCount = values.count / columns
        var fullStatement: String?
        for first in stride(from: 0, to: rowCount, by: rowsPerStatement) {
            let rows = min(rowsPerStatement, rowCount - first)
            let slice = values[(first * columns)..<((first + rows) * columns)]
            switch backend {
            case .sqlite(let writer, _, _, _):
                let text: String
                if rows == rowsPerStatement, let cached = fullStatement { text = cached } else {
                    text = Self.statement(head, columns: columns, rows: rows, tail: tail)
                    if rows == rowsPerStatement { fullStatement = text }
                }
                try await writer.query(text, slice.map(\.sqliteData)) { _ in }
            case .postgres:
                var q = SQLQueryString(head)
                var index = slice.startIndex
                for row in 0..<rows {
                    q += row == 0 ? " (" : ", ("
                    for column in 0..<columns {
                        if column > 0 { q += ", " }
                        switch slice[index] {
                        case .integer(let v): q += "\(bind: v)"
                        case .text(let v): q += "\(bind: v)"
                        case .null: q += "NULL"
                        }
                        index += 1
                    }
                    q += ")"
                }
                q += SQLQueryString(" " + tail)
                try await sql.raw(q).run()
            }
        }
    }

    private static func statement(_ head: String, columns: Int, rows: Int, tail: String) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        var text = head
        text.reserveCapacity(head.utf8.count + tail.utf8.count + rows * (row.utf8.count + 1) + 2)
        text += " "
        for i in 0..<rows {
            if i > 0 { text += "," }
            text += row
        }
        return text + " " + tail
    }
}

private extension RowValue {
    var sqliteData: SQLiteData {
        switch self {
        case .integer(let v): .integer(Int(v))
        case .text(let v): .text(v)
        case .null: .null
        }
    }
}
