import Foundation
import NPS

/// Response exports of other NPS tools (Delighted, Wootric/InMoment, Promoter.io, SurveyMonkey,
/// or any CSV with a column mapping), read into the same submissions the API takes.
///
/// A vendor is a list of header names for each field (matched without regard to case or
/// surrounding spaces); `--map FIELD=COLUMN` names a column for a field instead. Columns that map
/// to no field become properties of the response under their header name, unless ignored.
///
/// Every imported answer carries a source id: the tool's response id, or (when the export has
/// none) a 128-bit digest of who, when, score and comment. Recording skips a source id already
/// recorded, so an import can run twice and import nothing twice.
public struct VendorCSV: Sendable {
    public enum Vendor: String, Sendable, CaseIterable {
        case delighted, wootric, promoter, surveymonkey, csv
    }

    /// What a column can be.
    public enum Field: String, Sendable, CaseIterable {
        case id, email, externalID = "external_id", name, score, comment, createdAt = "created_at", tags, notes, locale
        case surveyType = "survey_type"

        /// Its place in `FieldValues`.
        fileprivate var slot: Int {
            switch self {
            case .id: 0
            case .email: 1
            case .externalID: 2
            case .name: 3
            case .score: 4
            case .comment: 5
            case .createdAt: 6
            case .tags: 7
            case .notes: 8
            case .locale: 9
            case .surveyType: 10
            }
        }
    }

    /// One row's text by field: slots, not a dictionary (hashing every cell's field was a tenth
    /// of reading a large import).
    private struct FieldValues {
        private var slots: [String?] = Array(repeating: nil, count: 11)

        subscript(field: Field) -> String? {
            get { slots[field.slot] }
            set { slots[field.slot] = newValue }
        }
    }

    /// Header names of each field, lower-cased, per vendor.
    static func aliases(_ vendor: Vendor) -> [Field: [String]] {
        switch vendor {
        case .delighted:
            return [.id: ["response id", "survey response id", "id"], .email: ["email", "person email", "email address"],
                    .name: ["name", "person name"], .score: ["score", "rating"], .comment: ["comment", "comments"],
                    .createdAt: ["response timestamp", "created at", "response date", "date", "responded at"],
                    .tags: ["tags"], .notes: ["notes"], .locale: ["locale", "language"], .surveyType: ["survey type"]]
        case .wootric:
            return [.id: ["id", "response id"], .email: ["end_user_email", "end user email", "email"],
                    .externalID: ["end_user_external_id", "external_id", "external id"], .score: ["score", "nps score"],
                    .comment: ["text", "comment", "feedback"], .createdAt: ["created_at", "created at", "response date", "date"],
                    .tags: ["tags"], .notes: ["notes"], .locale: ["language", "locale"]]
        case .promoter:
            return [.id: ["id", "feedback id", "response id"], .email: ["email", "contact email"], .name: ["name", "contact name"],
                    .score: ["score"], .comment: ["comment", "comments", "feedback"],
                    .createdAt: ["date", "created", "created at", "posted date"], .tags: ["tags"], .notes: ["notes"]]
        case .surveymonkey:
            // The NPS question's column is the question text: name it with --map score="How likely…".
            return [.id: ["respondent id"], .email: ["email address", "email"], .createdAt: ["end date", "date modified"]]
        case .csv:
            return Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0, [$0.rawValue, $0.rawValue.replacingOccurrences(of: "_", with: " ")]) })
        }
    }

    /// Columns a vendor writes that say nothing about the answer or the person.
    static func ignored(_ vendor: Vendor) -> Set<String> {
        switch vendor {
        case .delighted: ["person id", "permalink", "updated timestamp", "updated at", "survey sent timestamp"]
        case .wootric: ["updated_at", "end_user_id", "survey_id", "user_id"]
        case .promoter: ["campaign id", "contact id"]
        case .surveymonkey: ["collector id", "start date", "ip address", "first name", "last name"]
        case .csv: []
        }
    }

    public let vendor: Vendor
    /// For each column: the field it is, or nil.
    let fields: [Field?]
    /// For each column that is a property: its name.
    let properties: [String?]
    let columnCount: Int

    /// Reads a header. `mapping` names columns for fields; `ignoring` drops columns; with
    /// `onlyMapped` every column that is not a field is dropped.
    public init(header: [String], vendor: Vendor, mapping: [Field: String] = [:], ignoring: Set<String> = [],
                onlyMapped: Bool = false) throws(ValidationError) {
        self.vendor = vendor
        columnCount = header.count
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        let keys = names.map { $0.lowercased() }
        var issues: [ValidationIssue] = []
        var field: [Field?] = Array(repeating: nil, count: header.count)
        var taken: [Field: Int] = [:]
        for (f, column) in mapping {
            let wanted = column.trimmingCharacters(in: .whitespaces).lowercased()
            guard let index = keys.firstIndex(of: wanted) else {
                issues.append(.init(field: "--map \(f.rawValue)", message: "no column \"\(column)\" in the header"))
                continue
            }
            field[index] = f
            taken[f] = index
        }
        let aliases = Self.aliases(vendor)
        for f in Field.allCases where taken[f] == nil {
            for alias in aliases[f] ?? [] {
                if let index = keys.firstIndex(of: alias), field[index] == nil {
                    field[index] = f
                    taken[f] = index
                    break
                }
            }
        }
        if taken[.score] == nil {
            issues.append(.init(field: "header", message: vendor == .surveymonkey
                ? "name the NPS question's column: --map score=\"How likely is it…\""
                : "no score column (looked for \((aliases[.score] ?? []).joined(separator: ", ")); name it with --map score=COLUMN)"))
        }
        let ignore = Self.ignored(vendor).union(ignoring.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        var seen: Set<String> = []
        var properties: [String?] = Array(repeating: nil, count: header.count)
        for (i, name) in names.enumerated() where field[i] == nil && !ignore.contains(keys[i]) && !onlyMapped {
            if name.isEmpty { continue }
            if !seen.insert(keys[i]).inserted {
                issues.append(.init(field: "column \(i + 1)", message: "\"\(name)\" appears twice; --ignore it or --map one of them"))
            } else if name.unicodeScalars.count > Limits.propertyNameCharacters || name.hasPrefix("@") {
                issues.append(.init(field: "column \(i + 1)", message: "\"\(name.prefix(60))…\" cannot be a property name (1 to \(Limits.propertyNameCharacters) characters, not starting with @); --ignore it, --map it, or use --only-mapped"))
            } else {
                properties[i] = name
            }
        }
        if properties.compactMap({ $0 }).count > Limits.properties {
            issues.append(.init(field: "header", message: "more than \(Limits.properties) property columns; --ignore some or use --only-mapped"))
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        fields = field
        self.properties = properties
    }

    /// What one data row is.
    public enum Row: Sendable {
        case answer(ResponseSubmission)
        /// Not an answer to import, and not an error (a reason for the summary).
        case skipped(String)
    }

    /// Turns a data row into a submission for `surveyID`, validated like the API's.
    public func row(_ cells: [String], line: Int, surveyID: Int64) -> Result<Row, ValidationError> {
        let place = "line \(line)"
        guard cells.count == columnCount else {
            return .failure(ValidationError(field: place, "has \(cells.count) fields, the header has \(columnCount) (a truncated or broken line?)"))
        }
        var values = FieldValues()
        var answerProperties: Properties = [:]
        for (i, raw) in cells.enumerated() {
            let value = ResponseCSV.unescapeFormula(Self.trimmed(raw))
            if value.isEmpty { continue }
            if let f = fields[i] { values[f] = value } else if let p = properties[i] { answerProperties[p] = ResponseCSV.typed(value) }
        }
        if vendor == .surveymonkey, values[.id] == nil, values[.score].map({ Int($0) == nil }) ?? true {
            return .success(.skipped("SurveyMonkey's second header row"))
        }
        if let type = values[.surveyType], type.lowercased() != "nps" {
            return .success(.skipped("a \(type) survey, not NPS"))
        }
        guard let scoreText = values[.score] else { return .success(.skipped("no score (the person did not answer)")) }
        guard let score = Self.score(scoreText).flatMap({ Score($0) }) else {
            return .failure(ValidationError(field: "\(place).score", "must be a whole number from 0 to 10, got \"\(scoreText)\""))
        }
        var createdAt: Timestamp?
        if let v = values[.createdAt] {
            guard let t = ImportTimestamp.parse(v) else {
                return .failure(ValidationError(field: "\(place).created_at", "is not a date-time: \"\(v)\" (expected \(ImportTimestamp.formats))"))
            }
            createdAt = t
        }
        // A name or locale alone names nobody: they belong to a contact given by e-mail or external id.
        let person: (externalID: String?, email: String?, name: String?)? = values[.email] != nil || values[.externalID] != nil
            ? (values[.externalID], values[.email], values[.name]) : nil
        switch ResponseSubmission.imported(surveyID: surveyID, score: score, contact: person, comment: values[.comment],
                                           properties: answerProperties, locale: values[.locale], channel: .import, path: place) {
        case .failure(let e): return .failure(e)
        case .success(var submission):
            submission.createdAt = createdAt
            submission.sourceID = "\(vendor.rawValue):" + (values[.id] ?? "row:" + Self.digest([values[.email], values[.externalID],
                                                                                                  createdAt.map { String($0.milliseconds) },
                                                                                                  String(score.value), values[.comment]]))
            submission.tags = values[.tags].map { $0.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty } } ?? []
            submission.notes = values[.notes].map { [$0] } ?? []
            return .success(.answer(submission))
        }
    }

    /// Without surrounding ASCII spaces, tabs and line breaks (Foundation's trimming was a fifth
    /// of a million-row import).
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = utf8.first, let last = utf8.last, blank(first) || blank(last) else { return text }
        guard let start = utf8.firstIndex(where: { !blank($0) }) else { return "" }
        let end = utf8.lastIndex(where: { !blank($0) })!
        return String(text[start...end])
    }

    /// 0…10, also as "9.0" (spreadsheets write whole numbers so).
    static func score(_ text: String) -> Int? {
        if let n = Int(text), (0...10).contains(n) { return n }
        if text.hasSuffix(".0"), let n = Int(text.dropLast(2)), (0...10).contains(n) { return n }
        return nil
    }

    /// Two 64-bit multiplicative hashes of the parts (FNV-1a, and one with another multiplier and
    /// byte mixing, so their collisions are unrelated): a stable id for rows that have none.
    static func digest(_ parts: [String?]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for part in parts {
            for byte in Array((part ?? "\u{0}").utf8) + [0x1F] {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b ^ UInt64(byte ^ 0x5A)) &* 0x9E37_79B9_7F4A_7C15
                b ^= b >> 29
            }
        }
        func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        return hex(a) + hex(b)
    }
}
