import Foundation

/// Where a follow-up stands: open until someone reached the respondent, contacted until it is
/// settled, then resolved.
public enum CaseStatus: String, Sendable, Hashable, CaseIterable {
    case open, contacted, resolved

    private var rank: Int {
        switch self {
        case .open: 0
        case .contacted: 1
        case .resolved: 2
        }
    }

    /// Cases move forward (open → contacted → resolved, or open → resolved when nobody needs a
    /// call); a resolved case can be reopened. Moving back to open from contacted would erase
    /// that the customer was reached, which the SLA figures rely on.
    public func canMove(to next: CaseStatus) -> Bool {
        next == self || next.rank > rank || (self == .resolved && next == .open)
    }
}

/// How a resolved case ended.
public enum CaseOutcome: String, Sendable, Hashable, CaseIterable {
    case wonBack = "won_back", churned, noAction = "no_action"
}

/// A follow-up of one response: somebody owes the respondent an answer by `dueAt`.
public struct FollowUpCase: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var responseID: Int64
    public var surveyID: Int64
    /// The rule that opened it (nil once the rule is deleted).
    public var ruleID: Int64?
    /// The member who works it (an e-mail address); nil while unassigned.
    public var ownerEmail: String?
    public var status: CaseStatus
    public var outcome: CaseOutcome?
    public var dueAt: Timestamp
    /// When it first became contacted (kept if it is later resolved or reopened).
    public var firstContactAt: Timestamp?
    public var resolvedAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// When the response was given: the SLA clock starts there.
    public var respondedAt: Timestamp

    public init(id: Int64, workspaceID: Int64, responseID: Int64, surveyID: Int64, ruleID: Int64?, ownerEmail: String?, status: CaseStatus,
                outcome: CaseOutcome?, dueAt: Timestamp, firstContactAt: Timestamp?, resolvedAt: Timestamp?, createdAt: Timestamp,
                updatedAt: Timestamp, respondedAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.responseID = responseID
        self.surveyID = surveyID
        self.ruleID = ruleID
        self.ownerEmail = ownerEmail
        self.status = status
        self.outcome = outcome
        self.dueAt = dueAt
        self.firstContactAt = firstContactAt
        self.resolvedAt = resolvedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.respondedAt = respondedAt
    }

    /// Overdue: nobody has reached the respondent and the due date has passed.
    public func isOverdue(at now: Timestamp) -> Bool { status == .open && dueAt < now }

    /// Longest note.
    public static let maxNoteCharacters = 10_000
}

/// What happened to a case, in order: its history and its notes.
public struct CaseEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Opened by a rule (`text` names it).
        case created
        /// Status, outcome, owner or due date changed (`text` says from what to what).
        case changed
        case note
        /// An e-mail to the respondent (`text` is its subject and body).
        case reply
    }

    public var id: Int64
    public var caseID: Int64
    public var kind: Kind
    /// Who did it (a member's address, an API token's name); nil for Advocate itself.
    public var author: String?
    public var text: String
    public var at: Timestamp

    public init(id: Int64, caseID: Int64, kind: Kind, author: String?, text: String, at: Timestamp) {
        self.id = id
        self.caseID = caseID
        self.kind = kind
        self.author = author
        self.text = text
        self.at = at
    }
}

/// Assigning cases in turn.
public enum RoundRobin {
    /// The member whose turn `turn` is (turns count from 0 per rule, so over any run of
    /// `group.count` turns everybody gets exactly one). Nil for an empty group.
    public static func pick(_ group: [String], turn: Int64) -> String? {
        guard !group.isEmpty else { return nil }
        return group[Int(turn.magnitude % UInt64(group.count))]
    }
}

/// Who gets a case, before any turn is taken.
public enum CaseAssignment: Sendable, Hashable {
    /// This member, or nobody.
    case fixed(String?)
    /// The next in turn among these (members who can work cases, in the rule's order).
    case inTurn([String])

    /// Applies `rule` to the response's properties; only `members` (who can work cases,
    /// lowercased) may own one, so a departed colleague's name never holds a case.
    public static func resolve(_ rule: CaseOwnerRule?, properties: Properties, members: Set<String>) -> CaseAssignment {
        switch rule {
        case nil: return .fixed(nil)
        case .user(let email): return .fixed(members.contains(email) ? email : nil)
        case .roundRobin(let group): return .inTurn(group.filter(members.contains))
        case .property(let name, let fallback):
            if case .string(let value)? = properties[name] {
                let email = value.trimmingCharacters(in: .whitespaces).lowercased()
                if members.contains(email) { return .fixed(email) }
            }
            return .inTurn(fallback.filter(members.contains))
        }
    }
}
