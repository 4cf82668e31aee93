import AdvocateCore
import SQLKit

/// Which answers a report, a breakdown or the drivers count: segments (`plan:paid`,
/// `channel:email`, `locale:tr`), AND across names and OR within one name, plus the campaign and
/// A/B variant that sent the invitation.
public struct ReportFilter: Sendable, Hashable, CustomStringConvertible {
    /// Accepted values per requested name (`plan`, `channel`, `locale`).
    public private(set) var conditions: [String: Set<String>] = [:]
    public var campaignID: Int64?
    public var variant: String?

    public init() {}

    public init(_ segment: ResponseSegment?) {
        if let segment { add(segment) }
    }

    public mutating func add(_ segment: ResponseSegment) {
        conditions[segment.dimension, default: []].insert(segment.value)
    }

    /// Drops every value of one name (a drill-down into a value of it replaces them).
    public mutating func removeAll(_ dimension: String) { conditions[dimension] = nil }

    public var isEmpty: Bool { conditions.isEmpty && campaignID == nil && variant == nil }

    /// Every segment, sorted: the URL's `segment=` values.
    public var segments: [ResponseSegment] {
        conditions.keys.sorted().flatMap { name in conditions[name]!.sorted().map { ResponseSegment(dimension: name, value: $0) } }
    }

    /// The one segment the rollup can answer for, when that is all the filter asks.
    public var rollupSegment: ResponseSegment? {
        guard campaignID == nil, variant == nil, conditions.count == 1, let only = conditions.first, only.value.count == 1 else { return nil }
        return ResponseSegment(dimension: only.key, value: only.value.first!)
    }

    public var description: String {
        var parts = segments.map(\.description)
        if let campaignID { parts.append("campaign \(campaignID)") }
        if let variant { parts.append("variant \(variant)") }
        return parts.joined(separator: ", ")
    }

    /// The accepted values by stored dimension (`channel` is `@channel`), as the rollup and the
    /// answer columns name them.
    var storedConditions: [String: Set<String>] {
        var stored: [String: Set<String>] = [:]
        for (name, values) in conditions { stored[ReportDimension.stored(forRequested: name), default: []].formUnion(values) }
        return stored
    }

    /// Whether an answer with these fields passes the segments (campaign and variant are decided in SQL).
    func contains(channel: Channel, locale: String?, properties: Properties) -> Bool {
        guard !conditions.isEmpty else { return true }
        let pairs = ReportDimension.pairs(channel: channel, locale: locale, properties: properties)
        for (name, values) in conditions {
            let stored = ReportDimension.stored(forRequested: name)
            guard pairs.contains(where: { $0.0 == stored && values.contains($0.1) }) else { return false }
        }
        return true
    }

    /// Whether the SQL narrowing alone decides the filter (no property is checked in Swift).
    var decidedInSQL: Bool {
        conditions.keys.allSatisfy { ReportDimension.stored(forRequested: $0).hasPrefix("@") }
    }

    /// Conditions on `responses r` (and `invitations i` when campaign or variant is asked) that
    /// narrow the rows: exact for channel, language, campaign and variant; for a property, a LIKE
    /// on its name and value as they are stored, checked exactly by `contains` afterwards.
    var narrowing: SQLQueryString {
        var q = segmentNarrowing(channel: "r.channel", locale: "r.locale", properties: "r.properties")
        if let campaignID { q += " AND i.campaign_id = \(bind: campaignID)" }
        if let variant { q += " AND i.variant = \(bind: variant)" }
        return q
    }

    /// The segments' conditions on the named columns (fixed column names, not input). A property
    /// condition matches its stored `"name":value` text, so a filter of two or three segments
    /// hands Swift only the few rows that may pass rather than every row of the period, each
    /// parsed. SQLite's LIKE ignores ASCII case and a number's text may have more digits after
    /// the pattern: both only let through rows that `contains` then refuses.
    func segmentNarrowing(channel: String, locale: String, properties: String) -> SQLQueryString {
        var q: SQLQueryString = ""
        for name in conditions.keys.sorted() {
            let values = conditions[name]!.sorted()
            switch ReportDimension.stored(forRequested: name) {
            case ReportDimension.channel: q += " AND \(unsafeRaw: channel) IN (\(Self.list(values)))"
            case ReportDimension.locale: q += " AND \(unsafeRaw: locale) IN (\(Self.list(values)))"
            default:
                let forms = values.flatMap { Self.storedForms(name: name, value: $0) }
                q += " AND ("
                for (i, form) in forms.enumerated() {
                    if i > 0 { q += " OR " }
                    q += "\(unsafeRaw: properties) LIKE \(bind: ResponseFilter.containing(form)) ESCAPE '\\'"
                }
                q += ")"
            }
        }
        return q
    }

    /// Texts one of which the stored JSON of properties holding `name` with the segment value
    /// `value` contains: the value as a string, and as a number or boolean when it reads as one.
    /// A number whose text need not be how it was stored (`1e+15`, `0.5` from a double) narrows
    /// by the name alone.
    static func storedForms(name: String, value: String) -> [String] {
        let key = JSONValue.string(name).serialized() + ":"
        let asString = key + JSONValue.string(value).serialized()
        if value == "true" || value == "false" { return [asString, key + value] }
        if let integer = Int64(value), integer.magnitude < 1_000_000_000_000 { return [asString, key + value] }
        if Double(value) != nil || Int64(value) != nil { return [key] }
        return [asString]
    }

    /// The join to the invitation an answer came from, when campaign or variant is asked.
    var invitationJoin: SQLQueryString {
        campaignID != nil || variant != nil ? " JOIN invitations i ON i.id = r.invitation_id" : ""
    }

    private static func list(_ values: [String]) -> SQLQueryString {
        var q: SQLQueryString = ""
        for (i, v) in values.enumerated() {
            if i > 0 { q += ", " }
            q += "\(bind: v)"
        }
        return q
    }
}
