/// A person who can be surveyed, identified inside a workspace by external id and/or e-mail.
public struct Contact: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// Owning workspace.
    public var workspaceID: Int64
    /// The id the customer's own systems use (CRM, app user id); unique in the workspace.
    public var externalID: String?
    /// E-mail address, stored lower-cased; unique in the workspace.
    public var email: String?
    /// Display name.
    public var name: String?
    /// Preferred language (BCP 47), e.g. `tr` or `zh-Hans`.
    public var locale: String?
    /// IANA time zone for scheduling sends at a local hour.
    public var timeZone: String?
    /// Any attributes: plan, MRR, country, signed-up-at, account owner…
    public var properties: Properties
    /// When it was created.
    public var createdAt: Timestamp
    /// When it last changed.
    public var updatedAt: Timestamp

    public init(id: Int64, workspaceID: Int64, externalID: String?, email: String?, name: String?,
                locale: String?, timeZone: String?, properties: Properties,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.externalID = externalID
        self.email = email
        self.name = name
        self.locale = locale
        self.timeZone = timeZone
        self.properties = properties
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
