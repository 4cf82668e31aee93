/// Why a contact of a campaign's audience gets no invitation. Raw values are the API's names.
///
/// A campaign has reasons a direct invitation request does not (sampling, audience, a bounce on
/// record), so this is its own type; the reasons both have use the same raw values as
/// `InvitationSkipReason`, so the API speaks one language.
public enum CampaignSkipReason: String, Sendable, Hashable, CaseIterable {
    /// Unsubscribed, or on the workspace's suppression list.
    case suppressed
    /// An earlier e-mail to the address bounced permanently.
    case bounced
    /// Invited or answered too recently (`Throttle`).
    case throttled
    /// No e-mail address to send to.
    case noEmail = "no_email"
    /// In the audience but not drawn (`SamplingPlan`).
    case notSampled = "not_sampled"
    /// Matches none of the sampling plan's groups.
    case outsideAudience = "outside_audience"
    /// Already invited by this campaign.
    case duplicate
}

/// The decision for one contact: send, or skip for one reason.
public enum CampaignDecision: Sendable, Hashable {
    /// Invite.
    case send
    /// Do not invite, for this reason.
    case skip(CampaignSkipReason)

    /// Combines the checks of one contact into one decision, so that the dry run and the real run
    /// cannot disagree about which reason a skipped contact is counted under.
    ///
    /// Order: who the campaign is about (audience, sample), whether it already has this contact,
    /// whether e-mail can reach it at all (address, suppression, bounce), and last the throttle,
    /// the only reason that passes with time.
    public static func decide(sampling: SamplingPlan.Outcome, isDuplicate: Bool, hasEmail: Bool,
                              isSuppressed: Bool, hasBounced: Bool, throttle: Throttle.Decision) -> CampaignDecision {
        switch sampling {
        case .outsideAudience: return .skip(.outsideAudience)
        case .notSampled: return .skip(.notSampled)
        case .included: break
        }
        if isDuplicate { return .skip(.duplicate) }
        if !hasEmail { return .skip(.noEmail) }
        if isSuppressed { return .skip(.suppressed) }
        if hasBounced { return .skip(.bounced) }
        if case .throttled = throttle { return .skip(.throttled) }
        return .send
    }
}

/// The counts of a campaign's dry run: how many contacts would be sent to, and why the others not.
public struct CampaignAudiencePreview: Sendable, Hashable {
    /// Contacts that would get an invitation.
    public private(set) var wouldSend: Int = 0
    /// Contacts skipped, by reason; reasons with no contact are absent.
    public private(set) var skipped: [CampaignSkipReason: Int] = [:]

    /// No contacts yet.
    public init() {}

    /// The tally of `decisions`.
    public init(_ decisions: some Sequence<CampaignDecision>) {
        for decision in decisions { add(decision) }
    }

    /// Counts one more contact.
    public mutating func add(_ decision: CampaignDecision) {
        switch decision {
        case .send: wouldSend += 1
        case .skip(let reason): skipped[reason, default: 0] += 1
        }
    }

    /// Contacts skipped for `reason` (0 when none).
    public func count(_ reason: CampaignSkipReason) -> Int { skipped[reason] ?? 0 }

    /// All contacts counted, sent or skipped.
    public var total: Int { wouldSend + skipped.values.reduce(0, +) }
}
