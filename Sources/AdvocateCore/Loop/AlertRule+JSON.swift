import NPS

/// The JSON form of conditions and actions: the API's and the stored one (docs/alerts.md).
///
/// A condition names its `field` and one test: `{"field": "score", "in": [8, 6, 2, 1, 0]}`,
/// `{"field": "property", "name": "mrr", "at_least": 5000}`, `{"field": "comment", "present": true}`.
extension AlertCondition {
    public var json: JSONValue {
        switch self {
        case .scoreIn(let scores): return .object(["field": .string("score"), "in": .array(scores.sorted(by: >).map { .integer(Int64($0)) })])
        case .scoreRange(let low, let high):
            var o: [String: JSONValue] = ["field": .string("score")]
            if let low { o["at_least"] = .integer(Int64(low)) }
            if let high { o["at_most"] = .integer(Int64(high)) }
            return .object(o)
        case .category(let c): return .object(["field": .string("category"), "in": .array(c.map(\.rawValue).sorted().map(JSONValue.string))])
        case .property(let name, let test):
            var o: [String: JSONValue] = ["field": .string("property"), "name": .string(name)]
            switch test {
            case .equals(let v): o["equals"] = v
            case .oneOf(let vs): o["in"] = .array(vs)
            case .atLeast(let d): o["at_least"] = JSONValue.number(d)
            case .atMost(let d): o["at_most"] = JSONValue.number(d)
            }
            return .object(o)
        case .theme(let names): return .object(["field": .string("theme"), "in": .array(names.sorted().map(JSONValue.string))])
        case .comment(let present): return .object(["field": .string("comment"), "present": .bool(present)])
        case .channel(let c): return .object(["field": .string("channel"), "in": .array(c.map(\.rawValue).sorted().map(JSONValue.string))])
        }
    }

    /// The fields conditions test, for messages.
    public static let fields = ["score", "category", "property", "theme", "comment", "channel"]

    /// Reads one condition, reporting every problem to `r` (which is the condition's object).
    public static func read(_ r: InputReader) -> AlertCondition? {
        guard let field = r.string("field", required: true, maxCharacters: 20) else { return nil }
        switch field {
        case "score":
            if r.has("in") {
                guard let values = strings(r, "in", allowed: nil, integers: true) else { return nil }
                let scores = Set(values.compactMap { Int($0) })
                guard scores.allSatisfy({ (0...10).contains($0) }) else { r.fail("in", "scores are 0 to 10"); return nil }
                return .scoreIn(scores)
            }
            let low = r.integer("at_least", in: 0...10).map(Int.init)
            let high = r.integer("at_most", in: 0...10).map(Int.init)
            guard low != nil || high != nil else { r.fail("", "a score condition needs \"in\", \"at_least\" or \"at_most\""); return nil }
            return .scoreRange(atLeast: low, atMost: high)
        case "category":
            guard let values = strings(r, "in", allowed: NPS.Category.allCases.map(\.rawValue)) else { return nil }
            return .category(Set(values.compactMap(NPS.Category.init(rawValue:))))
        case "channel":
            guard let values = strings(r, "in", allowed: Channel.allCases.map(\.rawValue)) else { return nil }
            return .channel(Set(values.compactMap(Channel.init(rawValue:))))
        case "theme":
            guard let values = strings(r, "in", allowed: nil) else { return nil }
            return .theme(Set(values))
        case "comment":
            guard let present = r.bool("present") else { r.fail("present", "is required: true or false"); return nil }
            return .comment(present: present)
        case "property":
            guard let name = r.string("name", required: true, maxCharacters: Limits.propertyNameCharacters) else { return nil }
            let tests = ["equals", "in", "at_least", "at_most"].filter(r.has)
            guard tests.count == 1, let test = tests.first else {
                r.fail("", "a property condition needs exactly one of equals, in, at_least, at_most"); return nil
            }
            let value = r.value(test)!
            switch (test, value) {
            case ("equals", .string), ("equals", .integer), ("equals", .double), ("equals", .bool): return .property(name: name, .equals(value))
            case ("in", .array(let items)) where !items.isEmpty && items.allSatisfy({ $0.segmentValue != nil }):
                return .property(name: name, .oneOf(items))
            case ("at_least", _) where value.isNumber: return .property(name: name, .atLeast(value.numericValue!))
            case ("at_most", _) where value.isNumber: return .property(name: name, .atMost(value.numericValue!))
            default:
                r.fail(test, test.hasPrefix("at_") ? "must be a number" : test == "in" ? "must be a non-empty array of strings, numbers or booleans"
                       : "must be a string, number or boolean")
                return nil
            }
        default:
            r.fail("field", "must be one of \(fields.joined(separator: ", ")), got \"\(field)\"")
            return nil
        }
    }

    /// A non-empty array of strings (or integers, as their text), each among `allowed` when given.
    private static func strings(_ r: InputReader, _ key: String, allowed: [String]?, integers: Bool = false) -> [String]? {
        guard case .array(let items)? = r.value(key), !items.isEmpty, items.count <= 100 else {
            r.fail(key, "is required: a non-empty array" + (allowed.map { " of \($0.joined(separator: ", "))" } ?? ""))
            return nil
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            switch item {
            case .integer(let n) where integers: out.append(String(n))
            case .string(let s) where !integers && !s.isEmpty && s.count <= 200 && (allowed?.contains(s) ?? true): out.append(s)
            default:
                r.fail("\(key)[\(i)]", integers ? "must be an integer" : allowed.map { "must be one of \($0.joined(separator: ", "))" } ?? "must be a non-empty string")
                return nil
            }
        }
        return out
    }
}

extension CaseOwnerRule {
    public var json: JSONValue {
        switch self {
        case .user(let email): return .object(["user": .string(email)])
        case .roundRobin(let group): return .object(["round_robin": .array(group.map(JSONValue.string))])
        case .property(let name, let fallback):
            return .object(["property": .string(name), "fallback": .array(fallback.map(JSONValue.string))])
        }
    }

    /// `{"user": e}`, `{"round_robin": [e, …]}` or `{"property": name, "fallback": [e, …]}`.
    static func read(_ r: InputReader) -> CaseOwnerRule? {
        if r.has("user") {
            guard let email = r.string("user", required: true, maxCharacters: 320) else { return nil }
            return .user(email.lowercased())
        }
        if r.has("round_robin") {
            guard let group = emailList(r, "round_robin", required: true), !group.isEmpty else { return nil }
            return .roundRobin(group)
        }
        if r.has("property") {
            guard let name = r.string("property", required: true, maxCharacters: Limits.propertyNameCharacters) else { return nil }
            return .property(name, fallback: emailList(r, "fallback", required: false) ?? [])
        }
        r.fail("", "needs one of user, round_robin, property")
        return nil
    }

    /// Everybody the rule names as an owner (each must be a member who can work cases).
    public var namedMembers: [String] {
        switch self {
        case .user(let e): [e]
        case .roundRobin(let g): g
        case .property(_, let f): f
        }
    }
}

extension AlertActions {
    public var json: JSONValue {
        var o: [String: JSONValue] = ["emails": .array(emails.map(JSONValue.string)), "slack_url": slackURL.map(JSONValue.string) ?? .null, "webhooks": .bool(webhooks)]
        if createCase {
            o["case"] = .object(["owner": caseOwner?.json ?? .null, "due_hours": .integer(Int64(dueHours))])
        } else {
            o["case"] = .null
        }
        return .object(o)
    }

    /// Reads `actions`; at least one action is required.
    public static func read(_ r: InputReader) -> AlertActions? {
        var actions = AlertActions()
        if let caseValue = r.value("case"), caseValue != .null {
            let nested = InputReader(caseValue, path: r.name("case"))
            actions.createCase = true
            actions.caseOwner = nested.object("owner", CaseOwnerRule.read)
            actions.dueHours = nested.integer("due_hours", in: 1...24 * 90).map(Int.init) ?? defaultDueHours
            nested.rejectUnknownFields()
            r.absorb(nested.issues)
        }
        actions.emails = emailList(r, "emails", required: false) ?? []
        actions.slackURL = r.string("slack_url", maxCharacters: 2_000, allowEmpty: false)
        actions.webhooks = r.bool("webhooks") ?? false
        if actions.isEmpty && r.issues.isEmpty { r.fail("", "needs at least one action: case, emails, slack_url or webhooks") }
        return r.issues.isEmpty ? actions : nil
    }
}

/// A short array of e-mail addresses, lowercased.
private func emailList(_ r: InputReader, _ key: String, required: Bool) -> [String]? {
    guard let value = r.value(key), value != .null else {
        if required { r.fail(key, "is required") }
        return nil
    }
    guard case .array(let items) = value, items.count <= 50 else { r.fail(key, "must be an array of at most 50 e-mail addresses"); return nil }
    var out: [String] = []
    for (i, item) in items.enumerated() {
        guard case .string(let s) = item, s.count <= 320, let at = s.firstIndex(of: "@"), at != s.startIndex, s.index(after: at) != s.endIndex,
              !s.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," }) else {
            r.fail("\(key)[\(i)]", "must be an e-mail address"); return nil
        }
        out.append(s.lowercased())
    }
    return out
}

extension JSONValue {
    var isNumber: Bool {
        switch self {
        case .integer, .double: true
        default: false
        }
    }

    /// An integral double as an integer, so `5000` stays `5000` (not `5000.0`) in what we return.
    public static func number(_ d: Double) -> JSONValue {
        d.rounded() == d && abs(d) < 9e15 ? .integer(Int64(d)) : .double(d)
    }
}
