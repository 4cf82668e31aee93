/// Where a campaign stands.
public enum CampaignStatus: String, Sendable, Hashable, CaseIterable {
    /// Being prepared: can be changed, previewed, launched or deleted.
    case draft
    /// Its invitations are scheduled (and, with a cadence, it keeps inviting).
    case launched
    /// Stopped: invitations not yet sent were cancelled.
    case cancelled
}

/// A planned round of survey e-mail to an audience: the seeds' "every paid customer and a
/// sample of free ones, reminded once, subject lines A/B tested".
public struct Campaign: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: Int64
    public var surveyID: Int64
    public var name: String
    public var status: CampaignStatus
    public var definition: CampaignDefinition
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var launchedAt: Timestamp?

    public init(id: Int64, workspaceID: Int64, surveyID: Int64, name: String, status: CampaignStatus,
                definition: CampaignDefinition, createdAt: Timestamp, updatedAt: Timestamp, launchedAt: Timestamp?) {
        self.id = id
        self.workspaceID = workspaceID
        self.surveyID = surveyID
        self.name = name
        self.status = status
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.launchedAt = launchedAt
    }
}
