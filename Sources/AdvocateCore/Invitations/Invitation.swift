/// Where an invitation stands.
public enum InvitationStatus: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its send time (or for a retry after a temporary failure).
    case scheduled
    /// The first message was accepted by the mail server.
    case sent
    /// The address refused the message permanently (a hard bounce); it is now suppressed.
    case bounced
    /// Not sent after all: the address was suppressed, or sending failed for good.
    case cancelled
    /// The contact answered the survey through this invitation.
    case answered
}

/// One contact asked to answer one survey on one channel. Its messages (the first and up to
/// two reminders) are sent by the job runner; its token (kept only as a hash) ties the answer
/// to it.
public struct Invitation: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// Owning workspace.
    public var workspaceID: Int64
    /// The survey asked.
    public var surveyID: Int64
    /// Who is asked.
    public var contactID: Int64
    /// The campaign that made it, if any.
    public var campaignID: Int64?
    /// The A/B variant it was assigned, if any.
    public var variant: String?
    /// How it is delivered.
    public var channel: Channel
    /// The address it goes to (copied when created: a later change of the contact's address does
    /// not redirect a scheduled invitation).
    public var email: String?
    /// Language of the message when known (else the contact's, then the survey's).
    public var locale: String?
    /// Where it stands.
    public var status: InvitationStatus
    /// When the first message is due.
    public var sendAt: Timestamp
    /// When the first message was accepted by the mail server.
    public var sentAt: Timestamp?
    /// Messages accepted so far (first message plus reminders).
    public var messagesSent: Int
    /// Reminders to send to a non-respondent (0…2).
    public var reminders: Int
    /// Days between messages.
    public var reminderDays: Int
    /// Message-ID of the latest message.
    public var messageID: String?
    /// Why the latest attempt failed, when it did.
    public var lastError: String?
    /// When it was created.
    public var createdAt: Timestamp
    /// When it last changed.
    public var updatedAt: Timestamp
    /// The product this invitation asks about, when not the survey's (Delighted's
    /// `question_product_name`: one survey, asked about the order or plan at hand).
    public var productName: String?

    public init(id: Int64, workspaceID: Int64, surveyID: Int64, contactID: Int64, campaignID: Int64? = nil,
                variant: String? = nil, channel: Channel, email: String?, locale: String?, status: InvitationStatus,
                sendAt: Timestamp, sentAt: Timestamp? = nil, messagesSent: Int = 0, reminders: Int = 0,
                reminderDays: Int = InvitationLimits.defaultReminderDays, messageID: String? = nil,
                lastError: String? = nil, createdAt: Timestamp, updatedAt: Timestamp, productName: String? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.surveyID = surveyID
        self.contactID = contactID
        self.campaignID = campaignID
        self.variant = variant
        self.channel = channel
        self.email = email
        self.locale = locale
        self.status = status
        self.sendAt = sendAt
        self.sentAt = sentAt
        self.messagesSent = messagesSent
        self.reminders = reminders
        self.reminderDays = reminderDays
        self.messageID = messageID
        self.productName = productName
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The rules of invitation sending that every path (API, campaign, trigger) shares.
public enum InvitationLimits {
    /// Most reminders per invitation: never more than three e-mails per contact and round.
    public static let maxReminders = 2
    /// Days between messages unless told otherwise.
    public static let defaultReminderDays = 3
    /// The per-contact throttle unless the workspace sets another: no new invitation within this
    /// many days of the last one sent or the last answer, across all surveys and channels.
    public static let defaultThrottleDays = 90
    /// Most contacts in one invitations request.
    public static let contactsPerRequest = 10_000
    /// How far ahead an invitation may be scheduled.
    public static let maxScheduleDays = 366
}

/// Why a contact was not invited. The raw values are what the API reports.
public enum InvitationSkipReason: String, Sendable, Hashable, CaseIterable {
    /// The address is on the suppression list (unsubscribed, bounced, complained).
    case suppressed
    /// Invited or answered within the throttle period.
    case throttled
    /// The contact has no e-mail address.
    case noEmail = "no_email"
    /// The same contact appears earlier in the same request.
    case duplicate
    /// No contact with that external id exists (and none can be made from an e-mail alone).
    case unknownContact = "unknown_contact"
}

/// Why an address is on the suppression list.
public enum SuppressionReason: String, Sendable, Hashable, CaseIterable {
    /// The person unsubscribed (one-click, the visible link, or through the API on their behalf).
    case unsubscribed
    /// A message to the address bounced permanently.
    case bounced
    /// The person marked a message as spam.
    case complained
}

/// An address that no channel may send a survey to.
public struct Suppression: Sendable, Hashable {
    /// Owning workspace.
    public var workspaceID: Int64
    /// The address, lower-cased.
    public var email: String
    /// Why it is suppressed.
    public var reason: SuppressionReason
    /// What happened (the bounce reply, the source of an unsubscribe).
    public var detail: String?
    /// When.
    public var createdAt: Timestamp

    public init(workspaceID: Int64, email: String, reason: SuppressionReason, detail: String?, createdAt: Timestamp) {
        self.workspaceID = workspaceID
        self.email = email
        self.reason = reason
        self.detail = detail
        self.createdAt = createdAt
    }
}
