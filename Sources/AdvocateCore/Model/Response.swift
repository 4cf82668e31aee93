import NPS

/// How an answer reached us.
public enum Channel: String, Sendable, Hashable, CaseIterable {
    case api, email, link, inApp = "in_app", sms, `import`
}

/// One contact's answer to one survey in one round (or one anonymous answer).
public struct Response: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// Owning workspace.
    public var workspaceID: Int64
    /// The survey answered.
    public var surveyID: Int64
    /// Who answered; nil for anonymous answers.
    public var contactID: Int64?
    /// The 0–10 answer.
    public var score: Score
    /// The answer to the follow-up question.
    public var comment: String?
    /// The contact's properties at answer time merged with the response's own (which win).
    public var properties: Properties
    /// How it arrived.
    public var channel: Channel
    /// Language the respondent answered in.
    public var locale: String?
    /// When the round's first answer was given.
    public var createdAt: Timestamp
    /// When the latest answer in the round was given.
    public var updatedAt: Timestamp
    /// Local calendar day of `createdAt` in the survey's time zone (what reports group by).
    public var day: CalendarDay
    /// Labels people (or the tool it was imported from) put on it.
    public var tags: [String] = []
    /// Where it was imported from ("delighted:123"), which keeps a re-run import from repeating it.
    public var sourceID: String?

    public init(id: Int64, workspaceID: Int64, surveyID: Int64, contactID: Int64?, score: Score,
                comment: String?, properties: Properties, channel: Channel, locale: String?,
                createdAt: Timestamp, updatedAt: Timestamp, day: CalendarDay, tags: [String] = [], sourceID: String? = nil) {
        self.tags = tags
        self.sourceID = sourceID
        self.id = id
        self.workspaceID = workspaceID
        self.surveyID = surveyID
        self.contactID = contactID
        self.score = score
        self.comment = comment
        self.properties = properties
        self.channel = channel
        self.locale = locale
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.day = day
    }

    /// Promoter, passive or detractor.
    public var category: NPS.Category { score.category }
}

/// A response's tags as stored: a JSON array of strings.
public enum ResponseTags {
    public static func encode(_ tags: [String]) -> String {
        JSONValue.array(tags.map(JSONValue.string)).serialized()
    }

    public static func decode(_ text: String) -> [String] {
        guard case .array(let items)? = try? JSONValue.parse(text) else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }
}

/// Survey rounds decide whether a new answer updates an earlier one.
///
/// A round is the period in which a contact is asked once: answers a contact gives to the same
/// survey within `roundDays` of the round's first answer are one response (the latest answer
/// wins), so a respondent who changes their mind, or a client that retries, never counts twice.
/// An answer `roundDays` or more after the round's first answer starts a new round.
public enum SurveyRound {
    /// Whether an answer at `instant` belongs to the round that began at `roundStart`.
    public static func contains(_ instant: Timestamp, roundStart: Timestamp, roundDays: Int) -> Bool {
        let length = Int64(roundDays) * Timestamp.millisecondsPerDay
        let delta = instant.milliseconds - roundStart.milliseconds
        return delta > -length && delta < length
    }
}
