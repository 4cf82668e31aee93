// MARK: - ContactCondition

/// One test of a contact, as a campaign's audience states it:
/// `{"property": "plan", "op": "eq", "value": "paid"}` or `{"field": "locale", "op": "in", "value": ["tr", "kk"]}`.
///
/// A condition is checked against its operator when it is made (`decode`, `init`), so matching
/// never meets a malformed condition and a bad audience is refused with a 422 before any e-mail goes out.
///
/// Comparison rules, chosen so that CSV imports (where every value is a string) and API clients
/// (which send JSON numbers) select the same contacts:
/// - `eq`/`in`: strings compare exactly; when either side is a JSON number, both compare as
///   numbers and a numeric string on the other side is read as one (`"10"` equals `10` and `10.0`);
///   booleans equal booleans only. The fields `locale` and `email_domain` ignore case, as
///   language tags and domain names do.
/// - `ne`, `not_in` and `not_exists` are the exact complements of `eq`, `in` and `exists`, so a
///   contact without the property matches `ne` ("plan is not paid" includes contacts with no plan).
/// - `gte`/`lte` match only numbers and numeric strings; anything else (a missing property,
///   `"n/a"`, `true`) does not match.
public struct ContactCondition: Sendable, Hashable {
    /// What a condition looks at.
    public enum Subject: Sendable, Hashable {
        /// A key of `contact.properties`.
        case property(String)
        /// One of the contact's own fields.
        case field(Field)
    }

    /// The contact fields a condition can test; raw values are the API's names.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// `contact.locale`, compared without regard to case.
        case locale
        /// `contact.timeZone`, the IANA identifier as stored.
        case timeZone = "time_zone"
        /// The part of `contact.email` after the `@`, lower-cased: how B2B audiences name a customer.
        case emailDomain = "email_domain"
        /// `contact.externalID`, exactly.
        case externalID = "external_id"
    }

    /// The comparison; raw values are the API's names.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// Equal to the one value.
        case eq
        /// Not equal to the value (also true when the contact has no value).
        case ne
        /// Equal to one of a list of values.
        case `in`
        /// Equal to none of a list of values (also true when the contact has no value).
        case notIn = "not_in"
        /// A number at least the value.
        case gte
        /// A number at most the value.
        case lte
        /// Has a non-null value.
        case exists
        /// Has no value, or null.
        case notExists = "not_exists"
    }

    /// What is tested.
    public let subject: Subject
    /// How it is tested.
    public let op: Operator
    /// The operand as the client gave it (domains lower-cased); nil for `exists` and `not_exists`.
    public let value: JSONValue?
    /// The operand prepared for matching; derived from the three above.
    private let test: Test

    /// Makes a condition in code, with the same checks as `decode`.
    public init(_ subject: Subject, _ op: Operator, _ value: JSONValue? = nil) throws(ValidationError) {
        var issues: [ValidationIssue] = []
        let made = Self.make(subject: subject, op: op, value: value) { key, message in
            issues.append(ValidationIssue(field: key, message: message))
        }
        guard let made, issues.isEmpty else { throw ValidationError(issues) }
        self = made
    }

    private init(subject: Subject, op: Operator, value: JSONValue?, test: Test) {
        self.subject = subject
        self.op = op
        self.value = value
        self.test = test
    }

    /// Whether the contact satisfies the condition.
    public func matches(_ contact: Contact) -> Bool {
        let actual = subjectValue(of: contact)
        switch test {
        case .exists(let negated):
            return (actual != nil) != negated
        case .member(let values, let negated):
            guard let actual else { return negated }
            return values.contains(actual) != negated
        case .atLeast(let bound):
            guard let x = actual.flatMap(Self.numericValue) else { return false }
            return x >= bound
        case .atMost(let bound):
            guard let x = actual.flatMap(Self.numericValue) else { return false }
            return x <= bound
        }
    }

    /// The condition as JSON, in the shape `decode` reads.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["op": .string(op.rawValue)]
        switch subject {
        case .property(let name): o["property"] = .string(name)
        case .field(let field): o["field"] = .string(field.rawValue)
        }
        if let value { o["value"] = value }
        return .object(o)
    }

    /// The contact's value for the subject, normalised as the operand was; nil when it has none.
    private func subjectValue(of contact: Contact) -> JSONValue? {
        switch subject {
        case .property(let name):
            guard let v = contact.properties[name] else { return nil }
            if case .null = v { return nil }
            return v
        case .field(let field):
            let text: String?
            switch field {
            case .locale: text = contact.locale?.lowercased()
            case .timeZone: text = contact.timeZone
            case .externalID: text = contact.externalID
            case .emailDomain:
                text = contact.email.flatMap { email in
                    email.lastIndex(of: "@").map { String(email[email.index(after: $0)...]).lowercased() }
                }
            }
            guard let text, !text.isEmpty else { return nil }
            return .string(text)
        }
    }
}

// MARK: - Building and checking

extension ContactCondition {
    /// Reads one condition object; `path` names it in messages (`audience[1]`).
    public static func decode(_ json: JSONValue, path: String = "") throws(ValidationError) -> ContactCondition {
        let r = InputReader(json, path: path)
        guard case .object = json else { throw ValidationError(r.issues) }
        let condition = read(r)
        try r.finish()
        // finish() throws whenever read() failed, so a nil here cannot happen; say so loudly.
        guard let condition else { throw ValidationError(field: path, "is not a valid condition") }
        return condition
    }

    /// Reads the fields of a condition from `r`, recording problems there.
    static func read(_ r: InputReader) -> ContactCondition? {
        let fieldNames = Field.allCases.map(\.rawValue).joined(separator: ", ")
        var subject: Subject?
        var subjectOK = true
        let propertyRaw = r.value("property")
        let fieldRaw = r.value("field")
        switch (propertyRaw, fieldRaw) {
        case (nil, nil):
            r.fail("", "needs property (a contact property name) or field (one of \(fieldNames))")
            subjectOK = false
        case (.some, .some):
            r.fail("", "must have property or field, not both")
            subjectOK = false
        case (.some(let raw), nil):
            if case .string(let name) = raw {
                if let problem = PropertyName.problem(name) { r.fail("property", problem); subjectOK = false }
                else { subject = .property(name) }
            } else {
                r.fail("property", "must be a string, got \(raw.typeName)")
                subjectOK = false
            }
        case (nil, .some(let raw)):
            if case .string(let name) = raw, let field = Field(rawValue: name) {
                subject = .field(field)
            } else {
                r.fail("field", "must be one of \(fieldNames)")
                subjectOK = false
            }
        }

        var op: Operator?
        if let raw = r.value("op") {
            if case .string(let s) = raw, let o = Operator(rawValue: s) { op = o } else {
                r.fail("op", "must be one of \(Operator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else {
            r.fail("op", "is required")
        }
        let value = r.value("value")
        guard let op else { return nil }
        // With an unusable subject the value is still checked against the operator (as if it were
        // a property), so that one round trip reports every problem of the condition.
        let made = make(subject: subject ?? .property("?"), op: op, value: value, report: r.fail)
        return subjectOK ? made : nil
    }

    /// Checks an operand against its operator and subject and prepares it for matching.
    /// `report(key, message)` receives problems by key: `value`, `value[2]` or `op`.
    private static func make(subject: Subject, op: Operator, value: JSONValue?,
                             report: (String, String) -> Void) -> ContactCondition? {
        var field: Field?
        if case .field(let f) = subject { field = f }
        if case .property(let name) = subject, let problem = PropertyName.problem(name) {
            report("property", problem)
            return nil
        }
        switch op {
        case .exists, .notExists:
            if value != nil {
                report("value", "must not be given with \(op.rawValue)")
                return nil
            }
            return ContactCondition(subject: subject, op: op, value: nil, test: .exists(negated: op == .notExists))

        case .gte, .lte:
            if let field {
                report("op", "must be one of eq, ne, in, not_in, exists, not_exists for field \(field.rawValue) (gte and lte compare numbers, which only properties hold)")
                return nil
            }
            let bound: Double
            switch value {
            case .integer(let i)?: bound = Double(i)
            case .double(let d)?: bound = d
            case nil: report("value", "is required with \(op.rawValue)"); return nil
            case let other?: report("value", "must be a number with \(op.rawValue), got \(other.typeName)"); return nil
            }
            return ContactCondition(subject: subject, op: op, value: value,
                                    test: op == .gte ? .atLeast(bound) : .atMost(bound))

        case .eq, .ne:
            guard let value else { report("value", "is required with \(op.rawValue)"); return nil }
            guard let operand = checkedOperand(value, field: field, op: op, key: "value", report: report) else { return nil }
            var set = ValueSet()
            set.insert(operand)
            return ContactCondition(subject: subject, op: op, value: operand, test: .member(set, negated: op == .ne))

        case .in, .notIn:
            guard let value else { report("value", "is required with \(op.rawValue)"); return nil }
            guard case .array(let items) = value else {
                report("value", "must be an array of strings, numbers or booleans with \(op.rawValue), got \(value.typeName)")
                return nil
            }
            if items.isEmpty { report("value", "must list at least one value"); return nil }
            if items.count > Limits.filterValues {
                report("value", "must list at most \(Limits.filterValues) values, got \(items.count)")
                return nil
            }
            var set = ValueSet()
            var operands: [JSONValue] = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let operand = checkedOperand(item, field: field, op: op, key: "value[\(i)]", report: report) {
                    set.insert(operand)
                    operands.append(operand)
                } else {
                    ok = false
                }
            }
            guard ok else { return nil }
            return ContactCondition(subject: subject, op: op, value: .array(operands), test: .member(set, negated: op == .notIn))
        }
    }

    /// One scalar operand of eq/ne/in/not_in, normalised for its subject; nil after a report.
    private static func checkedOperand(_ value: JSONValue, field: Field?, op: Operator, key: String,
                                       report: (String, String) -> Void) -> JSONValue? {
        switch value {
        case .null:
            report(key, "must not be null (use exists or not_exists to test for a missing value)")
            return nil
        case .array, .object:
            let hint = op == .eq || op == .ne ? " (use in or not_in for a list)" : ""
            report(key, "must be a string, number or boolean, got \(value.typeName)\(hint)")
            return nil
        case .string(let s):
            if s.unicodeScalars.count > Limits.propertyValueCharacters {
                report(key, "must be at most \(Limits.propertyValueCharacters) characters")
                return nil
            }
            switch field {
            case .locale?, .emailDomain?: return .string(s.lowercased())
            case .timeZone?, .externalID?, nil: return value
            }
        case .integer, .double, .bool:
            if let field {
                report(key, "must be a string for field \(field.rawValue), got \(value.typeName)")
                return nil
            }
            return value
        }
    }
}

// MARK: - Matching internals

extension ContactCondition {
    /// An operand prepared for matching.
    private enum Test: Sendable, Hashable {
        case member(ValueSet, negated: Bool)
        case atLeast(Double)
        case atMost(Double)
        case exists(negated: Bool)
    }

    /// A number as a hash key: integral values as `Int64` (so ids beyond 2⁵³ stay exact),
    /// others as `Double`. `10`, `10.0` and `"1e1"` all become `.integer(10)`.
    private enum NumberKey: Sendable, Hashable {
        case integer(Int64)
        case fraction(Double)

        init(_ d: Double) {
            // 2⁶³ as a Double is the first value past Int64.max.
            if d.rounded() == d, d >= -9.223_372_036_854_775_808e18, d < 9.223_372_036_854_775_808e18 {
                self = .integer(Int64(d))
            } else {
                self = .fraction(d)
            }
        }
    }

    /// The operands of eq/ne/in/not_in, indexed so that a 1,000-value list costs one lookup per contact.
    private struct ValueSet: Sendable, Hashable {
        /// String operands, exactly.
        var strings: Set<String> = []
        /// Number operands.
        var numbers: Set<NumberKey> = []
        /// String operands that read as numbers, to match a property holding a JSON number.
        var numericStrings: Set<NumberKey> = []
        /// Boolean operands.
        var booleans: Set<Bool> = []

        mutating func insert(_ operand: JSONValue) {
            switch operand {
            case .string(let s):
                strings.insert(s)
                if let n = ContactCondition.numberKey(ofNumeric: s) { numericStrings.insert(n) }
            case .integer(let i): numbers.insert(.integer(i))
            case .double(let d): numbers.insert(NumberKey(d))
            case .bool(let b): booleans.insert(b)
            case .null, .array, .object: break
            }
        }

        func contains(_ actual: JSONValue) -> Bool {
            switch actual {
            case .string(let s):
                if strings.contains(s) { return true }
                guard !numbers.isEmpty, let n = ContactCondition.numberKey(ofNumeric: s) else { return false }
                return numbers.contains(n)
            case .integer(let i):
                let n = NumberKey.integer(i)
                return numbers.contains(n) || numericStrings.contains(n)
            case .double(let d):
                let n = NumberKey(d)
                return numbers.contains(n) || numericStrings.contains(n)
            case .bool(let b):
                return booleans.contains(b)
            case .null, .array, .object:
                return false
            }
        }
    }

    /// A JSON number, or a string in JSON number syntax, as a `Double`; nil for anything else.
    private static func numericValue(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return numericString(s)?.double
        case .null, .bool, .array, .object: return nil
        }
    }

    private static func numberKey(ofNumeric s: String) -> NumberKey? {
        guard let parsed = numericString(s) else { return nil }
        if let i = parsed.integer { return .integer(i) }
        return NumberKey(parsed.double)
    }

    /// Parses `-?digits(.digits)?([eE][+-]?digits)?`: JSON's number syntax, leading zeros allowed
    /// (spreadsheets keep them). Swift's `Double(String)` would also take `nan`, `inf` and hex,
    /// which are not numbers a person typed into a CRM.
    private static func numericString(_ s: String) -> (double: Double, integer: Int64?)? {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 400 else { return nil }
        var i = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        func digitRun() -> Bool {
            let from = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            return i > from
        }
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, digitRun() else { return nil }
        var integral = true
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            integral = false
            guard digitRun() else { return nil }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            integral = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digitRun() else { return nil }
        }
        guard i == b.count, let d = Double(s), d.isFinite else { return nil }
        return (d, integral ? Int64(s) : nil)
    }
}

// MARK: - ContactFilter

/// Conditions that must all hold: a campaign's audience, or one group of a sampling plan.
///
/// In JSON it is an array of conditions; the empty array matches every contact. "All" is the only
/// combinator on purpose: "any" is expressed with `in`, and ordered alternatives with the groups
/// of a `SamplingPlan`, which keeps audiences readable in a list view.
public struct ContactFilter: Sendable, Hashable {
    /// The conditions, in the order given.
    public let conditions: [ContactCondition]

    /// A filter of all `conditions`.
    public init(_ conditions: [ContactCondition]) { self.conditions = conditions }

    /// The filter that matches every contact.
    public static let everyone = ContactFilter([])

    /// Whether every condition holds for the contact.
    public func matches(_ contact: Contact) -> Bool {
        conditions.allSatisfy { $0.matches(contact) }
    }

    /// Reads a JSON array of conditions, reporting every bad one by index (`audience[1].op`).
    public static func decode(_ json: JSONValue, path: String = "") throws(ValidationError) -> ContactFilter {
        var issues: [ValidationIssue] = []
        let filter = read(json, path: path, issues: &issues)
        guard let filter, issues.isEmpty else { throw ValidationError(issues) }
        return filter
    }

    /// Reads a filter, appending problems to `issues`; nil when there were any.
    static func read(_ json: JSONValue, path: String, issues: inout [ValidationIssue]) -> ContactFilter? {
        guard case .array(let items) = json else {
            issues.append(ValidationIssue(field: path, message: "must be an array of conditions, got \(json.typeName)"))
            return nil
        }
        if items.count > Limits.filterConditions {
            issues.append(ValidationIssue(field: path, message: "must have at most \(Limits.filterConditions) conditions, got \(items.count)"))
            return nil
        }
        var conditions: [ContactCondition] = []
        let before = issues.count
        for (i, item) in items.enumerated() {
            let r = InputReader(item, path: "\(path)[\(i)]")
            // A non-object is one problem ("must be a JSON object"), not also a missing subject and op.
            guard case .object = item else { issues.append(contentsOf: r.issues); continue }
            let condition = ContactCondition.read(r)
            r.rejectUnknownFields()
            issues.append(contentsOf: r.issues)
            if let condition, r.issues.isEmpty { conditions.append(condition) }
        }
        return issues.count == before ? ContactFilter(conditions) : nil
    }

    /// The filter as JSON, in the shape `decode` reads.
    public var json: JSONValue { .array(conditions.map(\.json)) }
}

// MARK: - Property names

/// The rules for property names, as `InputReader.properties` applies them to contacts, so that a
/// filter can name every property a contact can have and nothing else.
enum PropertyName {
    /// What is wrong with a property name, or nil when it is acceptable.
    static func problem(_ name: String) -> String? {
        if name.isEmpty || name.unicodeScalars.count > Limits.propertyNameCharacters {
            return "property names must be 1 to \(Limits.propertyNameCharacters) characters"
        }
        if name.hasPrefix("@") {
            return "property names must not start with @ (reserved for built-in report dimensions)"
        }
        return nil
    }
}
