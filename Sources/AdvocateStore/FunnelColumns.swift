import AdvocateCore
import NPS

/// A survey's invitations held in memory for the funnel of a filtered report: per invitation its
/// quarter hour, contact, channel and language (as codes), what became of it (sent, bounced,
/// opened, clicked) and its counted answer's category and comment. Held by UTC day of creation,
/// each day replaced whole when read again, so that a day the funnel rollup disagrees with is
/// simply read again (`AdvocateStore.funnelColumns`): an open or a click moves no `updated_at`.
/// Pure.
struct FunnelColumns: Sendable {
    struct Invitation: Sendable, Hashable {
        /// The quarter hour of creation (`RollupTriggers.funnelSlotMilliseconds`).
        var slot: Int64
        var contactID: Int64
        var channel: UInt16
        /// 0: no language.
        var locale: UInt16
        var flags: UInt8
        /// The counted answer's category: 0 none, 1 promoter, 2 passive, 3 detractor.
        var answer: UInt8
    }

    static let sent: UInt8 = 1, bounced: UInt8 = 2, opened: UInt8 = 4, clicked: UInt8 = 8, commented: UInt8 = 16
    static let slotsPerDay: Int64 = 96

    /// Per UTC day (slot / 96), its invitations.
    private var days: [Int64: [Invitation]] = [:]
    /// Per UTC day, the funnel of all its invitations: a day wholly in a period is checked
    /// against the rollup without a pass over its invitations.
    private var dayFunnels: [Int64: CampaignFunnel] = [:]
    /// Channel and language texts by code (0: none).
    private var labels: [String] = [""]
    private var labelCodes: [String: UInt16] = [:]

    mutating func code(_ text: String?) -> UInt16 {
        guard let text else { return 0 }
        if let known = labelCodes[text] { return known }
        let code = UInt16(clamping: labels.count)
        labels.append(text)
        labelCodes[text] = code
        return code
    }

    /// The invitation of a row: its flags from the stored fields, as the funnel counts them.
    mutating func invitation(slot: Int64, contactID: Int64, channel: String, locale: String?, status: String, messagesSent: Int,
                             opened: Bool, clicked: Bool, score: Score?, commented: Bool) -> Invitation {
        var flags: UInt8 = 0
        if messagesSent > 0 || status == "bounced" { flags |= Self.sent }
        if status == "bounced" { flags |= Self.bounced }
        if opened { flags |= Self.opened }
        if clicked { flags |= Self.clicked }
        var answer: UInt8 = 0
        if let score {
            switch score.category {
            case .promoter: answer = 1
            case .passive: answer = 2
            case .detractor: answer = 3
            }
            if commented { flags |= Self.commented }
        }
        // An unknown channel counts as `api`, as the funnel read from rows takes it.
        return Invitation(slot: slot, contactID: contactID, channel: code((Channel(rawValue: channel) ?? .api).rawValue), locale: code(locale),
                          flags: flags, answer: answer)
    }

    /// Replaces what is held for a UTC day.
    mutating func replace(day: Int64, with invitations: [Invitation]) {
        days[day] = invitations.isEmpty ? nil : invitations
        var f = CampaignFunnel(variant: "")
        for invitation in invitations { Self.add(invitation, to: &f) }
        dayFunnels[day] = invitations.isEmpty ? nil : f
    }

    /// The funnel of the invitations made in slots `from..<to` (each end optional) whose channel
    /// is one of `channels` and language one of `locales` (nil: any) and whose contact `passes`.
    func funnel(from: Int64?, to: Int64?, channels: Set<String>?, locales: Set<String>?, contact passes: (Int64) -> Bool) -> CampaignFunnel {
        let acceptsChannel = accepting(channels), acceptsLocale = accepting(locales)
        var f = CampaignFunnel(variant: "")
        forEach(from: from, to: to) { invitation in
            guard acceptsChannel[Int(invitation.channel)], acceptsLocale[Int(invitation.locale)], passes(invitation.contactID) else { return }
            Self.add(invitation, to: &f)
        }
        return f
    }

    /// Every invitation's funnel per UTC day of the slots `from..<to`, as `funnel_rollups` sums
    /// them; days without any left out.
    func dailyFunnels(from: Int64?, to: Int64?) -> [Int64: CampaignFunnel] {
        var perDay: [Int64: CampaignFunnel] = [:]
        let low = from ?? Int64.min, high = to ?? Int64.max
        var partial: [Int64: [Invitation]] = [:]
        for (day, funnel) in dayFunnels {
            let first = day * Self.slotsPerDay, last = first + Self.slotsPerDay - 1
            if first >= low && last < high {
                perDay[day] = funnel
            } else if last >= low && first < high {
                partial[day] = days[day]
            }
        }
        // Days cut by the period (its ends in a zone off UTC): their invitations one by one.
        var current: (day: Int64, funnel: CampaignFunnel)?
        Self.forEach(partial, from: from, to: to) { invitation in
            let day = Self.day(of: invitation.slot)
            if let held = current, held.day != day { perDay[held.day] = held.funnel }
            if current?.day != day { current = (day, CampaignFunnel(variant: "")) }
            Self.add(invitation, to: &current!.funnel)
        }
        if let held = current { perDay[held.day] = held.funnel }
        return perDay
    }

    /// The UTC day of a slot.
    static func day(of slot: Int64) -> Int64 { slot >= 0 ? slot / slotsPerDay : (slot - slotsPerDay + 1) / slotsPerDay }

    private func forEach(from: Int64?, to: Int64?, _ body: (Invitation) -> Void) {
        Self.forEach(days, from: from, to: to, body)
    }

    private static func forEach(_ days: [Int64: [Invitation]], from: Int64?, to: Int64?, _ body: (Invitation) -> Void) {
        let low = from ?? Int64.min, high = to ?? Int64.max
        let firstDay = from.map(Self.day(of:)) ?? Int64.min, lastDay = to.map { Self.day(of: $0 - 1) } ?? Int64.max
        for (day, invitations) in days where day >= firstDay && day <= lastDay {
            for invitation in invitations where invitation.slot >= low && invitation.slot < high { body(invitation) }
        }
    }

    private func accepting(_ texts: Set<String>?) -> [Bool] {
        guard let texts else { return [Bool](repeating: true, count: labels.count) }
        return labels.enumerated().map { code, label in code != 0 && texts.contains(label) }
    }

    private static func add(_ invitation: Invitation, to f: inout CampaignFunnel) {
        f.invited += 1
        if invitation.flags & sent != 0 { f.sent += 1 }
        if invitation.flags & bounced != 0 { f.bounced += 1 }
        if invitation.flags & opened != 0 { f.opened += 1 }
        if invitation.flags & clicked != 0 { f.clicked += 1 }
        if invitation.answer != 0 {
            f.answered += 1
            switch invitation.answer {
            case 1: f.tally.promoters += 1
            case 2: f.tally.passives += 1
            default: f.tally.detractors += 1
            }
            if invitation.flags & commented != 0 { f.commented += 1 }
        }
    }
}
