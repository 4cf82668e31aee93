import Foundation
import NPS

/// How a rule's conditions combine.
public enum AlertMatch: String, Sendable, Hashable, CaseIterable {
    /// Every condition holds.
    case all
    /// At least one condition holds.
    case any
}

/// A test on one contact or response property.
public enum PropertyTest: Sendable, Hashable {
    /// The value, compared as a report segment ("5000" and 5000 are equal, as in filters).
    case equals(JSONValue)
    /// One of the values.
    case oneOf([JSONValue])
    /// A number at least this (`mrr ≥ 5000`); a non-numeric value never passes.
    case atLeast(Double)
    /// A number at most this.
    case atMost(Double)
}

/// One thing a response must be for a rule to fire.
public enum AlertCondition: Sendable, Hashable {
    /// The score is one of these (SendGrid calls back on 8, 6, 2, 1 and 0).
    case scoreIn(Set<Int>)
    /// The score lies in a range (either end optional).
    case scoreRange(atLeast: Int?, atMost: Int?)
    case category(Set<NPS.Category>)
    /// A property of the response (the contact's at answer time merged with the response's own).
    case property(name: String, PropertyTest)
    /// The comment has at least one of these themes (by name).
    case theme(Set<String>)
    /// A comment is (or is not) there.
    case comment(present: Bool)
    case channel(Set<Channel>)
}

/// What a rule sees of a response: everything conditions can test, read once per evaluation.
public struct AlertSubject: Sendable, Hashable {
    public var surveyID: Int64
    public var score: Score
    public var comment: String?
    public var properties: Properties
    /// Names of the themes the comment has (rules' and people's decisions applied).
    public var themes: Set<String>
    public var channel: Channel

    public init(surveyID: Int64, score: Score, comment: String?, properties: Properties, themes: Set<String>, channel: Channel) {
        self.surveyID = surveyID
        self.score = score
        self.comment = comment
        self.properties = properties
        self.themes = themes
        self.channel = channel
    }
}

/// Who a rule's case goes to.
public enum CaseOwnerRule: Sendable, Hashable {
    /// Always this member.
    case user(String)
    /// Members in turn, so that nobody gets more than one case more than anybody else.
    case roundRobin([String])
    /// The member named by a contact property (`account_owner_email`); when it names nobody who
    /// can work cases, the fallback group in turn (or nobody).
    case property(String, fallback: [String])
}

/// What a rule does when it fires.
public struct AlertActions: Sendable, Hashable {
    /// Open a follow-up case (one per response, however many rules fire).
    public var createCase: Bool
    public var caseOwner: CaseOwnerRule?
    /// Hours from the answer to the case's due date.
    public var dueHours: Int
    /// Addresses told by e-mail.
    public var emails: [String]
    /// A Slack-compatible incoming webhook that gets a message.
    public var slackURL: String?
    /// Whether the workspace's webhooks receive `alert.fired`.
    public var webhooks: Bool

    public init(createCase: Bool = false, caseOwner: CaseOwnerRule? = nil, dueHours: Int = AlertActions.defaultDueHours,
                emails: [String] = [], slackURL: String? = nil, webhooks: Bool = false) {
        self.createCase = createCase
        self.caseOwner = caseOwner
        self.dueHours = dueHours
        self.emails = emails
        self.slackURL = slackURL
        self.webhooks = webhooks
    }

    /// The follow-up SLA of the seeds: every unhappy paying customer called back within 48 hours.
    public static let defaultDueHours = 48

    public var isEmpty: Bool { !createCase && emails.isEmpty && slackURL == nil && !webhooks }
}

/// A workspace's (or one survey's) rule: when a counted response meets its conditions, its
/// actions run, once per rule and response.
public struct AlertRule: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    /// Only this survey's responses; nil for every survey.
    public var surveyID: Int64?
    public var name: String
    public var match: AlertMatch
    public var conditions: [AlertCondition]
    public var actions: AlertActions
    public var enabled: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: Int64, workspaceID: Int64, surveyID: Int64?, name: String, match: AlertMatch, conditions: [AlertCondition],
                actions: AlertActions, enabled: Bool, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.surveyID = surveyID
        self.name = name
        self.match = match
        self.conditions = conditions
        self.actions = actions
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the rule fires for `subject`. A rule without conditions fires for every response
    /// of its survey(s) ("tell me about every answer").
    public func matches(_ subject: AlertSubject) -> Bool {
        guard enabled, surveyID == nil || surveyID == subject.surveyID else { return false }
        guard !conditions.isEmpty else { return true }
        switch match {
        case .all: return conditions.allSatisfy { $0.holds(for: subject) }
        case .any: return conditions.contains { $0.holds(for: subject) }
        }
    }
}

extension AlertCondition {
    /// Whether the condition holds; a missing property never does.
    public func holds(for s: AlertSubject) -> Bool {
        switch self {
        case .scoreIn(let scores): return scores.contains(s.score.value)
        case .scoreRange(let low, let high): return s.score.value >= (low ?? 0) && s.score.value <= (high ?? 10)
        case .category(let categories): return categories.contains(s.score.category)
        case .property(let name, let test):
            guard let value = s.properties[name] else { return false }
            return test.passes(value)
        case .theme(let names): return !names.isDisjoint(with: s.themes)
        case .comment(let present):
            let has = !(s.comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            return has == present
        case .channel(let channels): return channels.contains(s.channel)
        }
    }
}

extension PropertyTest {
    public func passes(_ value: JSONValue) -> Bool {
        switch self {
        case .equals(let expected): return Self.same(value, expected)
        case .oneOf(let values): return values.contains { Self.same(value, $0) }
        case .atLeast(let bound): return value.numericValue.map { $0 >= bound } ?? false
        case .atMost(let bound): return value.numericValue.map { $0 <= bound } ?? false
        }
    }

    /// Compared as report segments, so a CRM that sends numbers as strings still matches.
    private static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard let x = a.segmentValue, let y = b.segmentValue else { return false }
        return x == y
    }
}

extension JSONValue {
    /// The value as a number: numbers, and strings that are one ("5000"); nil otherwise.
    public var numericValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}
