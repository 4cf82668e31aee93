// MARK: - JSONValue

/// A parsed JSON document (RFC 8259), kept as plain Swift values.
///
/// Numbers are split in two cases because the API validates them differently: a score must be
/// an integer, so `7` and `7.0` are told apart rather than both becoming a `Double`.
///
/// Object keys are Swift `String`s and therefore compare by canonical equivalence: `"é"` written
/// precomposed and as `e` + combining accent are the same key (the parser reports them as a
/// duplicate rather than silently keeping one).
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number literal with no fraction and no exponent that fits `Int64` (`7`, `-0`, `-12`).
    case integer(Int64)
    /// Any other finite number: one with a fraction or an exponent (`7.0`, `1e3`), or an integer
    /// literal too large for `Int64`.
    case double(Double)
    /// A string, unescaped.
    case string(String)
    /// An array, in document order.
    case array([JSONValue])
    /// An object; keys are unique (duplicates are rejected by the parser).
    case object([String: JSONValue])
}

// MARK: - Accessors

extension JSONValue {
    /// The member named `key` if this is an object that has it; `nil` otherwise (also for
    /// non-objects, so lookups can be chained without first checking the type).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The JSON type in words, for messages such as "score must be an integer, got string".
    ///
    /// `integer` and `number` are distinct because the API's validation distinguishes them.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
