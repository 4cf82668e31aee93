import AdvocateCore
import Foundation

/// The dashboard's rule form, turned into the API's JSON body (so one reader validates both) and
/// back. Conditions are rows of field, property name, test and value (lists separated by commas):
/// any rule the API accepts has a form, and every form is a rule the API would read the same way.
struct AlertRuleForm {
    struct Row: Equatable {
        var field = ""
        var name = ""
        var test = ""
        var value = ""
    }

    var name = ""
    /// A survey's id, or empty for every survey.
    var survey = ""
    var match = "all"
    var enabled = true
    var rows: [Row] = []
    var openCase = false
    /// `none`, `user`, `round_robin` or `property`.
    var ownerKind = "none"
    /// The member, the group (commas) or the property's name.
    var owner = ""
    var fallback = ""
    var dueHours = String(AlertActions.defaultDueHours)
    var emails = ""
    var slackURL = ""
    var webhooks = false

    /// Blank rows a form offers for new conditions.
    static let blankRows = 3
    static let maxRows = 50
    static let fields = ["score", "category", "property", "theme", "comment", "channel"]
    static let tests: [(value: String, label: String)] = [
        ("in", "is one of"), ("equals", "equals"), ("at_least", "is at least"), ("at_most", "is at most"), ("between", "is between"),
        ("present", "is there"), ("absent", "is missing"),
    ]
    static let ownerKinds: [(value: String, label: String)] = [
        ("none", "nobody (unassigned)"), ("user", "one member"), ("round_robin", "members in turn"), ("property", "the member a contact property names"),
    ]

    init() {}

    /// The form as posted.
    init(fields f: [String: String]) {
        name = f["name"] ?? ""
        survey = f["survey"] ?? ""
        match = f["match"] ?? "all"
        enabled = f["enabled"] == "true"
        for i in 0..<Self.maxRows {
            guard let field = f["c\(i)_field"] else { break }
            rows.append(Row(field: field, name: f["c\(i)_name"] ?? "", test: f["c\(i)_test"] ?? "", value: f["c\(i)_value"] ?? ""))
        }
        openCase = f["case"] == "true"
        ownerKind = f["owner_kind"] ?? "none"
        owner = f["owner"] ?? ""
        fallback = f["fallback"] ?? ""
        dueHours = f["due_hours"] ?? ""
        emails = f["emails"] ?? ""
        slackURL = f["slack_url"] ?? ""
        webhooks = f["webhooks"] == "true"
    }

    /// A saved rule's form.
    init(rule: AlertRule) {
        name = rule.name
        survey = rule.surveyID.map(String.init) ?? ""
        match = rule.match.rawValue
        enabled = rule.enabled
        rows = rule.conditions.map(Self.row)
        openCase = rule.actions.createCase
        dueHours = String(rule.actions.dueHours)
        switch rule.actions.caseOwner {
        case nil: ownerKind = "none"
        case .user(let e)?: (ownerKind, owner) = ("user", e)
        case .roundRobin(let g)?: (ownerKind, owner) = ("round_robin", g.joined(separator: ", "))
        case .property(let name, let f)?: (ownerKind, owner, fallback) = ("property", name, f.joined(separator: ", "))
        }
        emails = rule.actions.emails.joined(separator: ", ")
        slackURL = rule.actions.slackURL ?? ""
        webhooks = rule.actions.webhooks
    }

    private static func row(_ c: AlertCondition) -> Row {
        func list(_ items: [String]) -> String { items.joined(separator: ", ") }
        switch c {
        case .scoreIn(let s): return Row(field: "score", test: "in", value: list(s.sorted(by: >).map(String.init)))
        case .scoreRange(let low?, let high?): return Row(field: "score", test: "between", value: "\(low), \(high)")
        case .scoreRange(let low?, nil): return Row(field: "score", test: "at_least", value: String(low))
        case .scoreRange(_, let high): return Row(field: "score", test: "at_most", value: String(high ?? 10))
        case .category(let set): return Row(field: "category", test: "in", value: list(set.map(\.rawValue).sorted()))
        case .channel(let set): return Row(field: "channel", test: "in", value: list(set.map(\.rawValue).sorted()))
        case .theme(let names): return Row(field: "theme", test: "in", value: list(names.sorted()))
        case .comment(let present): return Row(field: "comment", test: present ? "present" : "absent")
        case .property(let name, let test):
            switch test {
            case .equals(let v): return Row(field: "property", name: name, test: "equals", value: v.segmentValue ?? "")
            case .oneOf(let vs): return Row(field: "property", name: name, test: "in", value: list(vs.compactMap(\.segmentValue)))
            case .atLeast(let d): return Row(field: "property", name: name, test: "at_least", value: JSONValue.number(d).segmentValue ?? "")
            case .atMost(let d): return Row(field: "property", name: name, test: "at_most", value: JSONValue.number(d).segmentValue ?? "")
            }
        }
    }

    // MARK: - To the API's body

    /// The body `POST /api/v1/alert-rules` would take, and for each of its conditions the form's
    /// row number (blank rows are left out), so problems name the row people see.
    func body() -> (json: JSONValue, rowNumbers: [Int]) {
        var o: [String: JSONValue] = ["name": .string(name.trimmingCharacters(in: .whitespaces)), "match": .string(match), "enabled": .bool(enabled)]
        o["survey_id"] = survey.isEmpty ? .null : Int64(survey).map(JSONValue.integer) ?? .string(survey)
        var conditions: [JSONValue] = []
        var numbers: [Int] = []
        for (i, row) in rows.enumerated() where !row.field.isEmpty {
            conditions.append(Self.condition(row))
            numbers.append(i + 1)
        }
        o["conditions"] = .array(conditions)
        var actions: [String: JSONValue] = ["webhooks": .bool(webhooks)]
        if openCase {
            var c: [String: JSONValue] = ["due_hours": Self.number(dueHours)]
            switch ownerKind {
            case "user": c["owner"] = .object(["user": .string(owner.trimmingCharacters(in: .whitespaces))])
            case "round_robin": c["owner"] = .object(["round_robin": .array(Self.list(owner).map(JSONValue.string))])
            case "property":
                c["owner"] = .object(["property": .string(owner.trimmingCharacters(in: .whitespaces)), "fallback": .array(Self.list(fallback).map(JSONValue.string))])
            default: c["owner"] = .null
            }
            actions["case"] = .object(c)
        }
        let addresses = Self.list(emails)
        if !addresses.isEmpty { actions["emails"] = .array(addresses.map(JSONValue.string)) }
        let slack = slackURL.trimmingCharacters(in: .whitespaces)
        if !slack.isEmpty { actions["slack_url"] = .string(slack) }
        o["actions"] = .object(actions)
        return (.object(o), numbers)
    }

    private static func condition(_ row: Row) -> JSONValue {
        var o: [String: JSONValue] = ["field": .string(row.field)]
        if row.field == "property" { o["name"] = .string(row.name.trimmingCharacters(in: .whitespaces)) }
        let scores = row.field == "score"
        switch row.test {
        case "in": o["in"] = .array(list(row.value).map { scores ? number($0) : .string($0) })
        case "equals": o["equals"] = .string(row.value.trimmingCharacters(in: .whitespaces))
        case "at_least", "at_most": o[row.test] = number(row.value)
        case "between":
            let ends = list(row.value.replacingOccurrences(of: "–", with: ",").replacingOccurrences(of: "-", with: ","))
            o["at_least"] = number(ends.first ?? "")
            o["at_most"] = number(ends.count > 1 ? ends[1] : "")
        case "present", "absent": o["present"] = .bool(row.test == "present")
        default: o[row.test.isEmpty ? "test" : row.test] = .string(row.value)
        }
        return .object(o)
    }

    /// A number where the text is one; the text otherwise, so the reader says what is wrong.
    private static func number(_ text: String) -> JSONValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let i = Int64(t) { return .integer(i) }
        if let d = Double(t), d.isFinite { return .double(d) }
        return .string(t)
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    // MARK: - Problems in the form's words

    /// A reader's issue as the form's labels say it: `conditions[1].in` is "Condition 2 (value)".
    static func describe(_ issue: ValidationIssue, rowNumbers: [Int]) -> String {
        var field = issue.field
        var place = ""
        if field.hasPrefix("conditions["), let close = field.firstIndex(of: "]"), let i = Int(field.dropFirst(11).prefix(upTo: close)) {
            place = "Condition \(i < rowNumbers.count ? rowNumbers[i] : i + 1)"
            field = String(field[field.index(after: close)...]).trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let part = field.isEmpty || field == "name" || field == "field" ? field : "value"
            return part.isEmpty ? "\(place): \(issue.message)" : "\(place) (\(part == "field" ? "field" : part == "name" ? "property" : "value")): \(issue.message)"
        }
        let labels: [(prefix: String, label: String)] = [
            ("actions.slack_url", "Slack URL"), ("actions.case.owner.property", "Owner property"), ("actions.case.owner", "Case owner"),
            ("actions.case.due_hours", "Due in hours"), ("actions.case", "Case"), ("actions.emails", "E-mail"), ("actions", "Actions"),
            ("survey_id", "Survey"), ("name", "Name"), ("match", "Match"),
        ]
        place = labels.first { field.hasPrefix($0.prefix) }?.label ?? field
        return place.isEmpty ? issue.message : "\(place): \(issue.message)"
    }
}
