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
    /// on the name, checked exactly by `contains` afterwards.
    var narrowing: SQLQueryString {
        var q: SQLQueryString = ""
        for name in conditions.keys.sorted() {
            let values = conditions[name]!.sorted()
            switch ReportDimension.stored(forRequested: name) {
            case ReportDimension.channel: q += " AND r.channel IN (\(Self.list(values)))"
            case ReportDimension.locale: q += " AND r.locale IN (\(Self.list(values)))"
            default: q += " AND r.properties LIKE \(bind: ResponseFilter.containing(JSONValue.string(name).serialized() + ":")) ESCAPE '\\'"
            }
        }
        if let campaignID { q += " AND i.campaign_id = \(bind: campaignID)" }
        if let variant { q += " AND i.variant = \(bind: variant)" }
        return q
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
