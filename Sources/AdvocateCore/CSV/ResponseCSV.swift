import NPS
/// Advocate's own CSV format for responses, read by `advocate import` and written by `export`.
///
/// Columns (header names, any order): `survey_id`, `external_id`, `email`, `name`, `score`,
/// `comment`, `channel`, `locale`, `created_at`, and `property.NAME` for each property.
/// `id` and `updated_at` are written by export and ignored by import. Only `score` is always
/// required; `survey_id` may come from the command line instead.
public enum ResponseCSV {
    /// Columns export writes before the property columns.
    public static let fixedColumns = ["id", "survey_id", "external_id", "email", "name", "score", "category",
                                      "comment", "channel", "locale", "created_at", "updated_at"]
    static let importable: Set<String> = ["survey_id", "external_id", "email", "name", "score", "comment", "channel",
                                          "locale", "created_at"]
    static let ignored: Set<String> = ["id", "updated_at", "category"]
    /// Prefix of property columns.
    public static let propertyPrefix = "property."

    /// A header, checked once: which column is which.
    public struct Header: Sendable {
        let columns: [String]
        /// Checks a header row; lists unknown and duplicate columns.
        public init(_ fields: [String], surveyFromCommandLine: Bool) throws(ValidationError) {
            var issues: [ValidationIssue] = []
            var seen: Set<String> = []
            for (i, name) in fields.enumerated() {
                if !seen.insert(name).inserted { issues.append(.init(field: "column \(i + 1)", message: "duplicate column \"\(name)\"")) }
                if !(importable.contains(name) || ignored.contains(name)
                     || (name.hasPrefix(propertyPrefix) && name.count > propertyPrefix.count)) {
                    issues.append(.init(field: "column \(i + 1)", message: "unknown column \"\(name)\" (expected \(fixedColumns.joined(separator: ", ")) or property.NAME)"))
                }
            }
            if !seen.contains("score") { issues.append(.init(field: "header", message: "needs a score column")) }
            if !surveyFromCommandLine && !seen.contains("survey_id") {
                issues.append(.init(field: "header", message: "needs a survey_id column, or give --survey"))
            }
            if !issues.isEmpty { throw ValidationError(issues) }
            columns = fields
        }
    }

    /// Turns a data row into a submission, validated exactly like the API's.
    public static func submission(_ fields: [String], header: Header, surveyID: Int64?, line: Int) -> Result<ResponseSubmission, ValidationError> {
        guard fields.count == header.columns.count else {
            return .failure(ValidationError(field: "line \(line)", "has \(fields.count) fields, the header has \(header.columns.count)"))
        }
        var object: [String: JSONValue] = [:]
        var contact: [String: JSONValue] = [:]
        var properties: [String: JSONValue] = [:]
        if let surveyID { object["survey_id"] = .integer(surveyID) }
        for (name, rawValue) in zip(header.columns, fields) {
            let value = unescapeFormula(rawValue)
            if value.isEmpty || ignored.contains(name) { continue }
            switch name {
            case "survey_id", "score":
                object[name] = Int64(value).map(JSONValue.integer) ?? .string(value)
            case "external_id", "email", "name":
                contact[name] = .string(value)
            case "comment", "channel", "locale", "created_at":
                object[name] = .string(value)
            default:
                properties[String(name.dropFirst(propertyPrefix.count))] = typed(value)
            }
        }
        if !contact.isEmpty { object["contact"] = .object(contact) }
        if !properties.isEmpty { object["properties"] = .object(properties) }
        if object["channel"] == nil { object["channel"] = .string(Channel.import.rawValue) }
        return ResponseSubmission.decode(.object(object), path: "line \(line)")
    }

    /// Numbers and booleans in canonical form become JSON numbers and booleans, so that
    /// numeric properties (MRR, sessions) stay numeric; anything else ("007") stays text.
    static func typed(_ value: String) -> JSONValue {
        if let i = Int64(value), String(i) == value { return .integer(i) }
        if value == "true" { return .bool(true) }
        if value == "false" { return .bool(false) }
        if let d = Double(value), d.isFinite, value.contains("."), !value.hasPrefix("."), !value.hasSuffix("."),
           value.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { return .double(d) }
        return .string(value)
    }

    /// Export prefixes formula-like cells with an apostrophe (see `CSVWriter`); import removes it
    /// so a round trip gives back the original text.
    static func unescapeFormula(_ value: String) -> String {
        guard value.hasPrefix("'"), let second = value.unicodeScalars.dropFirst().first,
              "=+-@".unicodeScalars.contains(second) else { return value }
        return String(value.dropFirst())
    }

    /// A whole export: the header (fixed columns, then one per property seen) and a row per
    /// response, in the order given.
    public static func document(_ responses: [Response], contacts: [Int64: Contact]) -> String {
        let propertyNames = Set(responses.flatMap(\.properties.keys)).sorted()
        var text = CSVWriter.record(fixedColumns + propertyNames.map { propertyPrefix + $0 })
        for r in responses {
            text += CSVWriter.record(row(r, contact: r.contactID.flatMap { contacts[$0] }, propertyNames: propertyNames))
        }
        return text
    }

    /// The export row of a response.
    public static func row(_ r: Response, contact: Contact?, propertyNames: [String]) -> [String] {
        var fields = [String(r.id), String(r.surveyID), contact?.externalID ?? "", contact?.email ?? "", contact?.name ?? "",
                      String(r.score.value), r.category.rawValue, r.comment ?? "", r.channel.rawValue, r.locale ?? "",
                      r.createdAt.rfc3339, r.updatedAt.rfc3339]
        for name in propertyNames {
            fields.append(r.properties[name].map(propertyText) ?? "")
        }
        return fields
    }

    /// A property's value as text (a cell, a page).
    public static func propertyText(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return v.segmentValue ?? v.serialized()
    }
}
