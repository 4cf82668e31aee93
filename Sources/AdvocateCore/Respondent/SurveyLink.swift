/// An anonymous survey link for SMS, chat apps and QR codes: anyone who has it may answer, once
/// per browser. (A link for one known contact is an invitation on the `link` channel.)
public struct SurveyLink: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var surveyID: Int64
    /// What the team calls it ("QR on receipts"); answers carry it as the `link` property.
    public var name: String
    /// Where it is shared: link, sms.
    public var channel: Channel
    public var expiresAt: Timestamp?
    public var revokedAt: Timestamp?
    public var createdAt: Timestamp

    public init(id: Int64, workspaceID: Int64, surveyID: Int64, name: String, channel: Channel,
                expiresAt: Timestamp?, revokedAt: Timestamp?, createdAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.surveyID = surveyID
        self.name = name
        self.channel = channel
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.createdAt = createdAt
    }

    /// Whether it still takes answers at `now`.
    public func isOpen(at now: Timestamp) -> Bool { revokedAt == nil && (expiresAt.map { now < $0 } ?? true) }
}

/// Whether a stored response is in the reports.
public enum ResponseStatus: String, Sendable, Hashable, CaseIterable {
    /// A person's answer: counted.
    case counted
    /// A one-click score awaiting a human signal (interaction, comment or confirmation).
    case provisional
    /// Taken for a link scanner's hit: kept for the record, never counted, replaced by a later human answer.
    case flagged
}

/// What a respondent has answered so far, as their pages show it.
public struct RespondentAnswer: Sendable, Hashable {
    public var responseID: Int64
    public var score: Int
    public var comment: String?
    /// Answers to the survey's extra questions, by question id.
    public var answers: [String: JSONValue]
    public var status: ResponseStatus
    /// "Please don't contact me about this" (detractors' thank-you page).
    public var noContact: Bool
    /// When they finished the follow-up step.
    public var completedAt: Timestamp?
    public var flagReason: String?

    public init(responseID: Int64, score: Int, comment: String?, answers: [String: JSONValue], status: ResponseStatus,
                noContact: Bool, completedAt: Timestamp?, flagReason: String?) {
        self.responseID = responseID
        self.score = score
        self.comment = comment
        self.answers = answers
        self.status = status
        self.noContact = noContact
        self.completedAt = completedAt
        self.flagReason = flagReason
    }
}

/// A change a respondent makes on a page or in the widget; nil fields stay as they are.
public struct AnswerChange: Sendable, Hashable {
    public var score: Int?
    /// `.some(nil)` clears the comment.
    public var comment: String??
    /// Extra answers to set; a nil value removes one.
    public var answers: [String: JSONValue?]
    public var noContact: Bool?
    /// Marks the follow-up step done.
    public var complete: Bool
    /// The language the page was shown in.
    public var locale: String?
    /// False when the request came from a link scanner: the answer stays flagged.
    public var human: Bool

    public init(score: Int? = nil, comment: String?? = nil, answers: [String: JSONValue?] = [:], noContact: Bool? = nil,
                complete: Bool = false, locale: String? = nil, human: Bool = true) {
        self.score = score
        self.comment = comment
        self.answers = answers
        self.noContact = noContact
        self.complete = complete
        self.locale = locale
        self.human = human
    }
}
