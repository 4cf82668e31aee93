import SQLKit
import SQLiteNIO

/// One value of a row that `insertRows` writes.
enum RowValue: Sendable {
    case integer(Int64)
    case text(String)
    case null

    static func text(_ value: String?) -> RowValue { value.map(RowValue.text) ?? .null }
}

/// Rows ready to insert: on SQLite each statement's text and values. Building them is work in
/// Swift that an import does for its next chunk while SQLite writes the last one.
struct PreparedInsert: Sendable {
    fileprivate enum Form: Sendable {
        case sqlite([(text: String, binds: [SQLiteData])])
        case postgres(head: String, columns: Int, values: [RowValue], tail: String)
    }

    fileprivate let form: Form
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
        try await insert(prepareInsert(head, columns: columns, values: values, tail: tail), in: sql)
    }

    /// `insertRows`' statements, built without the database.
    func prepareInsert(_ head: String, columns: Int, values: [RowValue], tail: String) -> PreparedInsert {
        precondition(columns > 0 && values.count % columns == 0, "insertRows: \(values.count) values do not make rows of \(columns)")
        guard dialect == .sqlite else { return PreparedInsert(form: .postgres(head: head, columns: columns, values: values, tail: tail)) }
        let rowsPerStatement = 1_000
        let rowCount = values.count / columns
        var fullStatement: String?
        var statements: [(text: String, binds: [SQLiteData])] = []
        for first in stride(from: 0, to: rowCount, by: rowsPerStatement) {
            let rows = min(rowsPerStatement, rowCount - first)
            let text: String
            if rows == rowsPerStatement, let cached = fullStatement { text = cached } else {
                // OR FAIL: a multi-row INSERT that may abort half-way makes SQLite copy every page
                // it changes into a statement journal first, so it can undo just that statement
                // (a fifth of a large import's CPU went to those copies and their allocations).
                // An error here rolls the whole transaction back anyway, so nothing needs undoing.
                precondition(head.hasPrefix("INSERT INTO "), "insertRows: \(head)")
                text = Self.statement("INSERT OR FAIL INTO " + head.dropFirst("INSERT INTO ".count), columns: columns, rows: rows, tail: tail)
                if rows == rowsPerStatement { fullStatement = text }
            }
            statements.append((text, values[(first * columns)..<((first + rows) * columns)].map(\.sqliteData)))
        }
        return PreparedInsert(form: .sqlite(statements))
    }

    /// Runs prepared INSERTs in the caller's transaction (`sql`, the writer on SQLite).
    func insert(_ prepared: PreparedInsert, in sql: any SQLDatabase) async throws {
        switch (prepared.form, backend) {
        case (.sqlite(let statements), .sqlite(let writer, _, _, _)):
            for statement in statements { try await writer.query(statement.text, statement.binds) { _ in } }
        case (.postgres(let head, let columns, let values, let tail), .postgres):
            for first in stride(from: 0, to: values.count / columns, by: 1_000) {
                let rows = min(1_000, values.count / columns - first)
                let slice = values[(first * columns)..<((first + rows) * columns)]
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
        default:
            preconditionFailure("insert: rows prepared for another database")
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

// MARK: - Reading many rows

/// One row read by `selectRows`, by column name.
protocol ColumnValues {
    func integer(_ column: String) throws -> Int64
    func text(_ column: String) throws -> String?
}

extension Database {
    /// Reads the rows of `text`, whose `?` placeholders are bound to `binds` in order.
    ///
    /// With a `direct` SQLite connection (the writer inside a write transaction, where `sql` is
    /// the writer; or a reader an import plans on) the rows come straight from it: decoding
    /// hundreds of thousands of contacts through SQLKit's `Decodable` path was a large part of
    /// an import's serial CPU. Otherwise it is an ordinary SQLKit query on `sql`.
    func selectRows(_ text: String, binds: [RowValue], direct: SQLiteConnection?, in sql: any SQLDatabase,
                    _ each: (any ColumnValues) throws -> Void) async throws {
        if let direct {
            for row in try await direct.query(text, binds.map(\.sqliteData)) { try each(SQLiteColumns(row: row)) }
            return
        }
        let parts = text.split(separator: "?", omittingEmptySubsequences: false)
        precondition(parts.count == binds.count + 1, "selectRows: \(binds.count) values for \(parts.count - 1) placeholders")
        var query = SQLQueryString(String(parts[0]))
        for (value, part) in zip(binds, parts.dropFirst()) {
            switch value {
            case .integer(let v): query += "\(bind: v)"
            case .text(let v): query += "\(bind: v)"
            case .null: query += "NULL"
            }
            query += SQLQueryString(String(part))
        }
        for row in try await sql.raw(query).all() { try each(SQLKitColumns(row: row)) }
    }
}

private struct SQLiteColumns: ColumnValues {
    let row: SQLiteRow

    func integer(_ column: String) throws -> Int64 {
        guard case .integer(let v) = row.column(column) else { throw StoreError.corrupt("column \(column) is not an integer") }
        return Int64(v)
    }

    func text(_ column: String) throws -> String? {
        switch row.column(column) {
        case .text(let v): return v
        case .null: return nil
        default: throw StoreError.corrupt("column \(column) is not text")
        }
    }
}

private struct SQLKitColumns: ColumnValues {
    let row: any SQLRow

    func integer(_ column: String) throws -> Int64 { try row.decode(column: column, as: Int64.self) }
    func text(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
}
