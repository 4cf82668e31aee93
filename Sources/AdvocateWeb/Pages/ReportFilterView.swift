import AdvocateCore
import AdvocateStore
import Foundation

/// A report filter on a page: the form's fields, the words that describe it, and the links that
/// keep it (a drill-down adds one segment to the filter already applied).
enum ReportFilterView {
    /// The template values of the filter form.
    static func values(_ filter: ReportFilter, dimensions: [String]) -> [String: Any] {
        var segments = filter.segments.filter { $0.dimension != "channel" && $0.dimension != "locale" }.map { ["value": $0.description] }
        segments.append(["value": ""]) // one empty field to add a segment
        let channels = filter.conditions["channel"] ?? []
        var values: [String: Any] = ["segments": segments,
                "channels": Channel.allCases.map { ["value": $0.rawValue, "selected": channels.contains($0.rawValue)] },
                "languages": (filter.conditions["locale"] ?? []).sorted().joined(separator: ","),
                "campaignID": filter.campaignID.map(String.init) ?? "", "variant": filter.variant ?? "",
                "filterQuery": query(filter), "dimensions": dimensions, "firstSegment": filter.segments.first?.description ?? ""]
        // Only with a filter: the templates show "only …" and the clearing link when it is there.
        if !filter.isEmpty { values["segment"] = filter.description }
        return values
    }

    /// The filter as query parameters (`&segment=plan%3Apaid&campaign_id=3`), to append to a link.
    static func query(_ filter: ReportFilter) -> String {
        var q = ""
        for s in filter.segments { q += "&segment=" + encode(s.description) }
        if let id = filter.campaignID { q += "&campaign_id=\(id)" }
        if let v = filter.variant { q += "&variant=" + encode(v) }
        return q
    }

    /// The report of one breakdown row: the filter so far plus `by:value`.
    static func drill(_ filter: ReportFilter, by: String, value: String, base: String) -> String {
        var f = filter
        f.removeAll(by)
        f.add(ResponseSegment(dimension: by, value: value))
        return base + query(f)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}
