/// What a survey measures, which decides its defaults (cadence, anonymity).
public enum SurveyKind: String, Sendable, Hashable, CaseIterable {
    /// The relationship NPS asked of every customer on a cadence.
    case relationship
    /// Asked after an event (ticket closed, order delivered).
    case transactional
    /// Employee NPS.
    case employee
}

/// An NPS survey: the question about a product, asked of contacts.
public struct Survey: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// Owning workspace.
    public var workspaceID: Int64
    /// Internal name shown to the team.
    public var name: String
    /// The product named in the question ("How likely are you to recommend {product}…").
    public var productName: String
    /// Relationship, transactional or employee.
    public var kind: SurveyKind
    /// Respondent language when nothing better is known (BCP 47).
    public var defaultLocale: String
    /// Zone whose calendar days, weeks and months the reports use.
    public var timeZone: SurveyTimeZone
    /// Length of a survey round in days: a contact's answers within one round are one response.
    public var roundDays: Int
    /// Look, extra questions and thank-you links of its pages.
    public var settings: SurveySettings
    /// When it was created.
    public var createdAt: Timestamp
    /// When it last changed.
    public var updatedAt: Timestamp

    public init(id: Int64, workspaceID: Int64, name: String, productName: String, kind: SurveyKind,
                defaultLocale: String, timeZone: SurveyTimeZone, roundDays: Int,
                settings: SurveySettings = SurveySettings(), createdAt: Timestamp, updatedAt: Timestamp) {
        self.settings = settings
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.productName = productName
        self.kind = kind
        self.defaultLocale = defaultLocale
        self.timeZone = timeZone
        self.roundDays = roundDays
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Default round length: the 90-day re-survey interval recommended for NPS.
    public static let defaultRoundDays = 90
}
