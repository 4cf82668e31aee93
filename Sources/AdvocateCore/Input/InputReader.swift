/// One problem with a client's input, named by the field it concerns.
public struct ValidationIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where: `score`, `contact.email`, `responses[3].score`.
    public var field: String
    /// What is wrong, in words a developer can act on.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// Input that cannot be accepted; lists every problem at once so a client fixes them in one go.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found.
    public var issues: [ValidationIssue]

    public init(_ issues: [ValidationIssue]) { self.issues = issues }
    public init(field: String, _ message: String) { self.issues = [ValidationIssue(field: field, message: message)] }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// Reads the fields of one JSON object, collecting every problem instead of stopping at the first.
///
/// Unknown fields are reported too: a misspelt `scroe` silently ignored would store an answer
/// without its score, which is worse than a clear 422.
public final class InputReader {
    private let fields: [String: JSONValue]
    private let path: String
    private var read: Set<String> = []
    /// Problems found so far.
    public private(set) var issues: [ValidationIssue] = []

    /// Starts reading `value`, which must be an object; `path` prefixes field names in messages.
    public init(_ value: JSONValue, path: String = "") {
        self.path = path
        if case .object(let o) = value {
            fields = o
        } else {
            fields = [:]
            issues.append(ValidationIssue(field: path, message: "must be a JSON object, got \(value.typeName)"))
        }
    }

    /// The full name of a field, for messages; the empty key names the object itself.
    public func name(_ key: String) -> String {
        // Without the first case a problem with a nested object as a whole was reported
        // against `contact.` (trailing dot) instead of `contact`.
        if key.isEmpty { return path }
        return path.isEmpty ? key : "\(path).\(key)"
    }

    /// Records a problem with a field.
    public func fail(_ key: String, _ message: String) {
        issues.append(ValidationIssue(field: name(key), message: message))
    }

    /// Records problems found by a nested reader.
    public func absorb(_ nested: [ValidationIssue]) { issues.append(contentsOf: nested) }

    /// Whether the field is present (null counts as present).
    public func has(_ key: String) -> Bool { fields[key] != nil }

    /// The raw value of a field, marking it as read.
    public func value(_ key: String) -> JSONValue? {
        guard let value = fields[key] else { return nil }
        if read.isEmpty { read.reserveCapacity(fields.count) }
        read.insert(key)
        return value
    }

    /// Reports fields that no accessor asked for.
    public func rejectUnknownFields() {
        // Only present fields are recorded as read: all of them read means none is unknown.
        guard read.count < fields.count else { return }
        for key in fields.keys.sorted() where !read.contains(key) {
            fail(key, "unknown field")
        }
    }

    /// Throws every problem found so far.
    public func finish() throws(ValidationError) {
        rejectUnknownFields()
        if !issues.isEmpty { throw ValidationError(issues) }
    }

    // MARK: - Typed accessors

    /// A string field. Empty strings count as missing when `required`; control characters are refused.
    ///
    /// Lengths are counted in Unicode scalars, as JSON Schema's `maxLength` counts them, so the
    /// published limits in openapi.json mean exactly what this enforces.
    public func string(_ key: String, required: Bool = false, maxCharacters: Int, nullable: Bool = true, allowEmpty: Bool = true) -> String? {
        guard let v = value(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        switch v {
        case .null:
            if required || !nullable { fail(key, "must not be null") }
            return nil
        case .string(let s):
            if (required || !allowEmpty) && s.isEmpty { fail(key, "must not be empty"); return nil }
            if let problem = Self.stringProblem(s, maxCharacters: maxCharacters) { fail(key, problem); return nil }
            return s
        default:
            fail(key, "must be a string, got \(v.typeName)")
            return nil
        }
    }

    /// What is wrong with `s` as the text of a string field, or nil: longer than `maxCharacters`
    /// Unicode scalars, or holding control characters. Shared with imports that check text
    /// without a JSON object around it.
    public static func stringProblem(_ s: String, maxCharacters: Int) -> String? {
        // One pass over the UTF-8: a byte that is not a continuation byte starts a scalar, and
        // the control characters refused are all single bytes.
        var length = 0
        var control = false
        for byte in s.utf8 {
            if byte & 0xC0 != 0x80 { length += 1 }
            if (byte < 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09) || byte == 0x7F { control = true }
        }
        if length > maxCharacters { return "must be at most \(maxCharacters) characters, got \(length)" }
        if control { return "must not contain control characters" }
        return nil
    }

    /// An integer field within a range.
    public func integer(_ key: String, required: Bool = false, in range: ClosedRange<Int64>) -> Int64? {
        guard let v = value(key) else {
            if required { fail(key, "is required") }
            return nil
        }
        switch v {
        case .integer(let i):
            guard range.contains(i) else { fail(key, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(i)"); return nil }
            return i
        case .null where !required:
            return nil
        case .double(let d) where d.rounded() == d && d >= Double(range.lowerBound) && d <= Double(range.upperBound) && abs(d) < 9.0e15:
            // JSON has one number type: 7.0 and 7e0 are the integer 7 (as JSON Schema agrees).
            return Int64(d)
        case .double(let d):
            fail(key, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(d)")
            return nil
        default:
            fail(key, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(v.typeName)")
            return nil
        }
    }

    /// A timestamp field in RFC 3339 form.
    public func timestamp(_ key: String, required: Bool = false) -> Timestamp? {
        guard let s = string(key, required: required, maxCharacters: 40) else { return nil }
        guard let t = Timestamp(rfc3339: s) else {
            fail(key, "must be an RFC 3339 date-time such as 2026-11-22T08:30:00Z, got \"\(s)\"")
            return nil
        }
        return t
    }

    /// A nested object field, read by `body`, or nil when absent or null.
    public func object<T>(_ key: String, _ body: (InputReader) -> T?) -> T? {
        guard let v = value(key) else { return nil }
        if case .null = v { return nil }
        guard case .object = v else { fail(key, "must be a JSON object, got \(v.typeName)"); return nil }
        let nested = InputReader(v, path: name(key))
        let result = body(nested)
        nested.rejectUnknownFields()
        absorb(nested.issues)
        return nested.issues.isEmpty ? result : nil
    }

    /// A boolean field (null counts as missing).
    public func bool(_ key: String) -> Bool? {
        switch value(key) {
        case .bool(let b)?: return b
        case nil, .null?: return nil
        case let v?: fail(key, "must be true or false, got \(v.typeName)"); return nil
        }
    }

    /// A properties object: names to scalars (null allowed when `allowNull`, meaning "remove").
    public func properties(_ key: String, allowNull: Bool) -> Properties? {
        guard let v = value(key) else { return nil }
        if case .null = v { return nil }
        guard case .object(let o) = v else { fail(key, "must be a JSON object of names to values, got \(v.typeName)"); return nil }
        let problems = Self.propertyProblems(o, allowNull: allowNull)
        for (name, problem) in problems { fail(name.map { "\(key).\($0)" } ?? key, problem) }
        return problems.isEmpty ? o : nil
    }

    /// What is wrong with a properties object, each problem with the property it concerns (nil:
    /// the object as a whole). Shared with imports that build properties without JSON.
    public static func propertyProblems(_ o: Properties, allowNull: Bool) -> [(property: String?, problem: String)] {
        if o.count > Limits.properties { return [(nil, "must have at most \(Limits.properties) properties, got \(o.count)")] }
        var problems: [(property: String?, problem: String)] = []
        for (name, value) in o {
            if name.isEmpty || name.unicodeScalars.count > Limits.propertyNameCharacters {
                problems.append((nil, "property names must be 1 to \(Limits.propertyNameCharacters) characters")); continue
            }
            // "@channel" and "@locale" name the built-in report dimensions.
            if name.hasPrefix("@") {
                problems.append((name, "property names must not start with @ (reserved for built-in report dimensions)")); continue
            }
            switch value {
            case .string(let s) where s.unicodeScalars.count > Limits.propertyValueCharacters:
                problems.append((name, "must be at most \(Limits.propertyValueCharacters) characters"))
            case .string, .integer, .double, .bool: break
            case .null where allowNull: break
            default:
                problems.append((name, "must be a string, number or boolean, got \(value.typeName)"))
            }
        }
        return problems
    }
}
