import NPS

/// Rules in words, for the dashboard's list: "category is detractor and mrr ≥ 5000".
extension AlertRule {
    public var conditionsInWords: String {
        guard !conditions.isEmpty else { return "every counted response" }
        return conditions.map(\.inWords).joined(separator: match == .all ? " and " : " or ")
    }

    public var actionsInWords: [String] {
        var out: [String] = []
        if actions.createCase {
            let owner: String
            switch actions.caseOwner {
            case nil: owner = "unassigned"
            case .user(let e)?: owner = "owned by \(e)"
            case .roundRobin(let g)?: owner = "in turn among \(g.joined(separator: ", "))"
            case .property(let name, let fallback)?:
                owner = "owned by the member in \(name)" + (fallback.isEmpty ? "" : ", else in turn among \(fallback.joined(separator: ", "))")
            }
            out.append("open a case, \(owner), due in \(actions.dueHours) h")
        }
        if !actions.emails.isEmpty { out.append("e-mail \(actions.emails.joined(separator: ", "))") }
        if actions.slackURL != nil { out.append("post to Slack") }
        if actions.webhooks { out.append("send alert.fired to webhooks") }
        return out
    }
}

extension AlertCondition {
    public var inWords: String {
        switch self {
        case .scoreIn(let s): return "score is " + Self.either(s.sorted(by: >).map(String.init))
        case .scoreRange(let low?, let high?): return "score is \(low) to \(high)"
        case .scoreRange(let low?, nil): return "score ≥ \(low)"
        case .scoreRange(_, let high): return "score ≤ \(high ?? 10)"
        case .category(let c): return "category is " + Self.either(c.map(\.rawValue).sorted())
        case .property(let name, .equals(let v)): return "\(name) is \(v.segmentValue ?? "?")"
        case .property(let name, .oneOf(let vs)): return "\(name) is " + Self.either(vs.map { $0.segmentValue ?? "?" })
        case .property(let name, .atLeast(let d)): return "\(name) ≥ \(JSONValue.number(d).segmentValue ?? "\(d)")"
        case .property(let name, .atMost(let d)): return "\(name) ≤ \(JSONValue.number(d).segmentValue ?? "\(d)")"
        case .theme(let names): return "theme is " + Self.either(names.sorted())
        case .comment(let present): return present ? "has a comment" : "has no comment"
        case .channel(let c): return "channel is " + Self.either(c.map(\.rawValue).sorted())
        }
    }

    private static func either(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
