import Foundation
import AdvocateCore
import AdvocateStore
import Hummingbird
import NPS

/// Reads query parameters, collecting every problem into one 400 answer.
struct QueryReader {
    private let parameters: [String: String]
    /// Every value of each name, in order (`expand[]=person&expand[]=notes`).
    private let allValues: [String: [String]]
    private var known: Set<String> = []
    private(set) var issues: [ValidationIssue] = []

    /// - Parameter ignoringEmpty: treat `name=` as absent (what an HTML form sends for an unused field).
    init(_ request: Request, ignoringEmpty: Bool = false) {
        var p: [String: String] = [:]
        var all: [String: [String]] = [:]
        for (k, v) in request.uri.queryParameters where !(ignoringEmpty && v.isEmpty) {
            // Hummingbird decodes values but not names: `expand%5B%5D` is `expand[]`.
            let name = String(k).removingPercentEncodingStrict ?? String(k)
            p[name] = String(v)
            all[name, default: []].append(String(v))
        }
        parameters = p
        allValues = all
    }

    /// Every value given for a repeatable parameter.
    mutating func strings(_ name: String, maxCharacters: Int = 200) -> [String] {
        known.insert(name)
        let values = allValues[name] ?? []
        if values.contains(where: { $0.count > maxCharacters }) {
            issues.append(.init(field: name, message: "must be at most \(maxCharacters) characters"))
            return []
        }
        return values
    }

    mutating func string(_ name: String, maxCharacters: Int = 200) -> String? {
        known.insert(name)
        guard let v = parameters[name] else { return nil }
        if v.count > maxCharacters { issues.append(.init(field: name, message: "must be at most \(maxCharacters) characters")); return nil }
        return v
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let s = string(name, maxCharacters: 20) else { return nil }
        guard let v = Int64(s), range.contains(v) else {
            issues.append(.init(field: name, message: "must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(s)\""))
            return nil
        }
        return v
    }

    mutating func limit(default value: Int = 100) -> Int {
        integer("limit", in: Int64(Limits.pageSize.lowerBound)...Int64(Limits.pageSize.upperBound)).map(Int.init) ?? value
    }

    mutating func cursor() -> Int64? {
        guard let s = string("cursor", maxCharacters: 40) else { return nil }
        guard let v = Cursor.decode(s) else {
            issues.append(.init(field: "cursor", message: "is not a cursor this API returned")); return nil
        }
        return v
    }

    mutating func day(_ name: String) -> CalendarDay? {
        guard let s = string(name, maxCharacters: 20) else { return nil }
        guard let d = CalendarDay(iso8601: s) else {
            issues.append(.init(field: name, message: "must be a date as YYYY-MM-DD, got \"\(s)\"")); return nil
        }
        return d
    }

    mutating func timestamp(_ name: String) -> Timestamp? {
        guard let s = string(name, maxCharacters: 40) else { return nil }
        if let t = Timestamp(rfc3339: s) { return t }
        if let d = CalendarDay(iso8601: s) { return d.start(in: .utc) }
        issues.append(.init(field: name, message: "must be a date (YYYY-MM-DD) or an RFC 3339 date-time, got \"\(s)\""))
        return nil
    }

    mutating func oneOf<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let s = string(name, maxCharacters: 40) else { return nil }
        guard let v = T(rawValue: s) else {
            issues.append(.init(field: name, message: "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s)\""))
            return nil
        }
        return v
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let s = string(name, maxCharacters: 10) else { return nil }
        switch s {
        case "true", "1": return true
        case "false", "0": return false
        default: issues.append(.init(field: name, message: "must be true or false, got \"\(s)\"")); return nil
        }
    }

    mutating func fail(_ name: String, _ message: String) { issues.append(.init(field: name, message: message)) }

    /// One segment of responses, `segment=plan:paid` (a property, `channel` or `locale`, and a value).
    mutating func segment() -> ResponseSegment? {
        guard let text = string("segment", maxCharacters: 300) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            fail("segment", "must be NAME:VALUE, e.g. plan:paid or channel:email")
            return nil
        }
        return ResponseSegment(dimension: parts[0], value: parts[1])
    }

    /// The filters of a report page: any number of `segment=NAME:VALUE` (AND across names, OR
    /// within one), `channel` and `language` (each repeatable, the same as `segment=channel:…` /
    /// `segment=locale:…`; `language=tr,kk` is two), `campaign_id` and `variant`.
    mutating func reportFilter() -> ReportFilter {
        var filter = ReportFilter()
        let segments = strings("segment", maxCharacters: 300).filter { !$0.isEmpty }
        if segments.count > Self.maxSegments { fail("segment", "at most \(Self.maxSegments) segments, got \(segments.count)") }
        for text in segments.prefix(Self.maxSegments) {
            let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                fail("segment", "must be NAME:VALUE, e.g. plan:paid or channel:email, got \"\(text)\"")
                continue
            }
            filter.add(ResponseSegment(dimension: parts[0], value: parts[1]))
        }
        for text in strings("channel", maxCharacters: 40) where !text.isEmpty {
            if Channel(rawValue: text) == nil {
                fail("channel", "must be one of \(Channel.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
            } else {
                filter.add(ResponseSegment(dimension: "channel", value: text))
            }
        }
        // The form's field takes several, separated by commas.
        for text in strings("language", maxCharacters: 200).flatMap({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
            where !text.isEmpty {
            if text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                filter.add(ResponseSegment(dimension: "locale", value: text))
            } else {
                fail("language", "must be a language tag such as en or pt-BR, got \"\(text)\"")
            }
        }
        filter.campaignID = integer("campaign_id", in: 1...Int64.max)
        if let variant = string("variant", maxCharacters: 100), !variant.isEmpty { filter.variant = variant }
        return filter
    }

    /// Most segments one report filter may combine.
    static let maxSegments = 20

    /// Throws a 400 when an endpoint that takes no query parameters is given any.
    static func requireNone(_ request: Request) throws {
        var q = QueryReader(request)
        try q.finish()
    }

    /// Throws a 400 listing every problem, including parameters this endpoint does not know.
    mutating func finish() throws {
        for name in parameters.keys.sorted() where !known.contains(name) {
            issues.append(.init(field: name, message: "unknown query parameter"))
        }
        guard issues.isEmpty else {
            throw Problem(status: .badRequest, title: "Invalid query",
                          detail: issues.map(\.description).joined(separator: "; "), issues: issues)
        }
    }
}

extension QueryReader {
    /// The filters a list of responses takes, the same in the API and on the dashboard:
    /// survey_id, category, score (0,1,2), channel, has_comment, from, to, q (text in the
    /// comment), tag and theme_id.
    mutating func responseFilter() -> ResponseFilter {
        var filter = ResponseFilter()
        filter.surveyID = integer("survey_id", in: 1...Int64.max)
        filter.category = oneOf("category", NPS.Category.self)
        if let s = string("score", maxCharacters: 40), !s.isEmpty {
            let parts = s.split(separator: ",", omittingEmptySubsequences: false)
            let scores = parts.compactMap { Int($0) }.filter { (0...10).contains($0) }
            if scores.count == parts.count { filter.scores = Set(scores) } else {
                fail("score", "must be scores 0 to 10 separated by commas, got \"\(s)\"")
            }
        }
        filter.channel = oneOf("channel", Channel.self)
        filter.hasComment = bool("has_comment")
        filter.from = timestamp("from")
        filter.to = timestamp("to")
        if let text = string("q", maxCharacters: 200), !text.isEmpty { filter.search = text }
        if let tag = string("tag", maxCharacters: 100), !tag.isEmpty { filter.tag = tag }
        filter.themeID = integer("theme_id", in: 1...Int64.max)
        return filter
    }
}

extension AppContext {
    /// A positive integer path parameter.
    func idParameter(_ name: String = "id") throws -> Int64 {
        guard let raw = parameters.get(name), let id = Int64(raw), id > 0 else {
            throw Problem.notFound("\(parameters.get(name).map { "\"\($0)\"" } ?? "that") is not a valid id")
        }
        return id
    }

    /// A percent-decoded text path parameter.
    func textParameter(_ name: String) throws -> String {
        guard let raw = parameters.get(name), let decoded = raw.removingPercentEncodingStrict, !decoded.isEmpty else {
            throw Problem.badRequest("the \(name) in the path is not valid percent-encoded UTF-8")
        }
        return decoded
    }
}

extension String {
    /// Percent-decoding that refuses malformed escapes and invalid UTF-8 instead of guessing.
    var removingPercentEncodingStrict: String? {
        var bytes: [UInt8] = []
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%") {
                guard it.count >= 2, let h = hexValue(it.popFirst()!), let l = hexValue(it.popFirst()!) else { return nil }
                bytes.append(h << 4 | l)
            } else {
                bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: return c - 48
    case 65...70: return c - 55
    case 97...102: return c - 87
    default: return nil
    }
}
