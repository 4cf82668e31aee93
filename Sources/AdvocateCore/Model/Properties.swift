/// Free-form attributes of a contact or response: names to JSON scalars.
///
/// Only scalars (string, number, boolean) are kept, so that every property can be a report
/// dimension and a filter; nested objects would have no meaningful segment value.
public typealias Properties = [String: JSONValue]

extension JSONValue {
    /// The value as a report dimension: strings as they are, numbers and booleans in JSON form.
    /// Nil for null, arrays, objects and values too long to be a useful segment.
    public var segmentValue: String? {
        switch self {
        case .string(let s): return s.utf8.count <= Limits.segmentValueBytes ? s : nil
        case .integer(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Serialized as a JSON object with sorted keys (what the database stores).
    public var jsonText: String { JSONValue.object(self).serialized() }

    /// Parses stored JSON text; an empty object for anything that is not an object.
    public init(jsonText: String) {
        if case .object(let o)? = try? JSONValue.parse(jsonText) { self = o } else { self = [:] }
    }

    /// Applies a JSON merge patch of scalars: keys with null are removed, others set.
    public func merging(patch: Properties) -> Properties {
        var result = self
        for (key, value) in patch {
            if case .null = value { result.removeValue(forKey: key) } else { result[key] = value }
        }
        return result
    }
}
