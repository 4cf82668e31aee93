/// One contact named in an invitations request.
public enum InvitationContactReference: Sendable, Hashable {
    case externalID(String)
    case email(String)
}

/// A validated `POST /api/v1/surveys/{id}/invitations` body.
public struct InvitationRequest: Sendable, Hashable {
    public var contacts: [InvitationContactReference]
    public var channel: Channel
    /// Nil: now.
    public var sendAt: Timestamp?
    public var reminders: Int
    public var reminderDays: Int
    public var throttleDays: Int

    /// Channels this endpoint sends on.
    public static let channels: [Channel] = [.email]

    /// Reads the body; `now` bounds `send_at` (not in the past by more than a minute, at most
    /// `InvitationLimits.maxScheduleDays` ahead).
    public static func decode(_ json: JSONValue, now: Timestamp) throws(ValidationError) -> InvitationRequest {
        let r = InputReader(json)
        var request = InvitationRequest(contacts: [], channel: .email, sendAt: nil, reminders: 0,
                                        reminderDays: InvitationLimits.defaultReminderDays,
                                        throttleDays: InvitationLimits.defaultThrottleDays)
        if let channel = r.string("channel", maxCharacters: 20, nullable: false) {
            if let c = Channel(rawValue: channel), channels.contains(c) { request.channel = c } else {
                r.fail("channel", "must be \(channels.map(\.rawValue).joined(separator: " or ")), got \"\(channel)\"")
            }
        }
        if let at = r.timestamp("send_at") {
            if at.milliseconds < now.milliseconds - 60_000 {
                r.fail("send_at", "must not be in the past (omit it to send now)")
            } else if at > now.adding(days: InvitationLimits.maxScheduleDays) {
                r.fail("send_at", "must be at most \(InvitationLimits.maxScheduleDays) days ahead")
            } else {
                request.sendAt = at
            }
        }
        if let n = r.integer("reminders", in: 0...Int64(InvitationLimits.maxReminders)) { request.reminders = Int(n) }
        if let n = r.integer("reminder_days", in: 1...30) { request.reminderDays = Int(n) }
        if let n = r.integer("throttle_days", in: 0...3_650) { request.throttleDays = Int(n) }
        switch r.value("contacts") {
        case nil, .null?:
            r.fail("contacts", "is required: a list of {\"external_id\": …} or {\"email\": …}")
        case .array(let items)?:
            if items.isEmpty { r.fail("contacts", "must name at least one contact") }
            if items.count > InvitationLimits.contactsPerRequest {
                r.fail("contacts", "must name at most \(InvitationLimits.contactsPerRequest) contacts per request, got \(items.count)")
                break
            }
            for (i, item) in items.enumerated() {
                let c = InputReader(item, path: "contacts[\(i)]")
                let externalID = c.string("external_id", maxCharacters: Limits.externalIDCharacters, nullable: false, allowEmpty: false)
                let email = c.string("email", maxCharacters: Limits.emailCharacters, nullable: false, allowEmpty: false)
                c.rejectUnknownFields()
                switch (externalID, email) {
                case (let id?, nil):
                    if Identifiers.isValidExternalID(id) { request.contacts.append(.externalID(id)) } else {
                        c.fail("external_id", "must not contain control characters")
                    }
                case (nil, let e?):
                    if let normalized = Identifiers.normalizedEmail(e) { request.contacts.append(.email(normalized)) } else {
                        c.fail("email", "is not a valid e-mail address: \"\(e)\"")
                    }
                case (.some, .some):
                    c.fail("", "must give external_id or email, not both (update the contact through /api/v1/contacts first)")
                case (nil, nil):
                    if c.issues.isEmpty { c.fail("", "must give external_id or email") }
                }
                r.absorb(c.issues)
            }
        case let other?:
            r.fail("contacts", "must be an array, got \(other.typeName)")
        }
        try r.finish()
        return request
    }
}
