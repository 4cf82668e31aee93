/// When each contact of a campaign gets its first e-mail.
///
/// Large audiences are spread over `spreadDays` days so that answers (and support tickets from
/// detractors) arrive at a pace a team can handle, and so one day's mood does not set the score.
/// Contacts are dealt to days in the order of a seeded hash of their id, contact `i` of `n` to day
/// `⌊i·N/n⌋`: the days get equal shares (within one), the split does not follow id order (old
/// customers are not all surveyed first), and the same seed gives the same days.
///
/// Without a local time, day `d` sends at `start + d` days. With one, each contact receives the
/// e-mail at the first instant at or after `start + d` days at which its own clock shows that
/// time (the contact's `timeZone` when it is a valid IANA zone, else the survey's), so nothing is
/// scheduled before `start`. Day lengths are whole 24-hour days, as in `Timestamp.adding(days:)`.
///
/// The deal depends on the whole audience (`n`), so it is computed once when the campaign starts.
public struct SendSchedule: Sendable, Hashable {
    /// Accepted values of `spreadDays`.
    public static let allowedSpreadDays = 0...Limits.campaignSpreadDays

    /// The earliest send; day 0 begins here.
    public let start: Timestamp
    /// Over how many days first sends are spread; 0 and 1 both put everyone on day 0.
    public let spreadDays: Int
    /// The local time of day at which to deliver, or nil to send at the start of each day's window.
    public let localTime: LocalTime?
    /// The zone used for contacts without a valid zone of their own.
    public let surveyTimeZone: SurveyTimeZone
    /// The campaign's seed (the same one sampling and variants use; each has its own stream).
    public let seed: UInt64

    /// A schedule; nil when `spreadDays` is outside `allowedSpreadDays`.
    public init?(start: Timestamp, spreadDays: Int = 0, localTime: LocalTime? = nil,
                 surveyTimeZone: SurveyTimeZone, seed: UInt64) {
        guard Self.allowedSpreadDays.contains(spreadDays) else { return nil }
        self.start = start
        self.spreadDays = spreadDays
        self.localTime = localTime
        self.surveyTimeZone = surveyTimeZone
        self.seed = seed
    }

    /// One contact's first send.
    public struct Send: Sendable, Hashable {
        /// The contact.
        public let contactID: Int64
        /// Its day of the spread, 0 ..< max(spreadDays, 1).
        public let day: Int
        /// When to send.
        public let sendAt: Timestamp

        /// A send; public so callers can build expectations and fixtures.
        public init(contactID: Int64, day: Int, sendAt: Timestamp) {
            self.contactID = contactID
            self.day = day
            self.sendAt = sendAt
        }
    }

    /// The sends for `contacts`, ordered by time and then contact id (the order of the input does
    /// not matter; a contact listed twice is scheduled once).
    public func sends(for contacts: [Contact]) -> [Send] {
        var ids: Set<Int64> = []
        var zoneOf: [Int64: String] = [:]
        for contact in contacts where ids.insert(contact.id).inserted {
            zoneOf[contact.id] = contact.timeZone
        }
        let dayOf = days(for: ids)
        // Contacts sharing a zone and a day share a send time; computing it once per pair keeps a
        // 100,000-contact campaign to a few hundred time-zone look-ups.
        var zones: [String: SurveyTimeZone] = [:]
        var times: [ZoneDay: Timestamp] = [:]
        var sends: [Send] = []
        sends.reserveCapacity(dayOf.count)
        for (id, day) in dayOf {
            var zone = surveyTimeZone
            if localTime != nil, let identifier = zoneOf[id] {
                if let known = zones[identifier] {
                    zone = known
                } else {
                    zone = SurveyTimeZone(validated: identifier) ?? surveyTimeZone
                    zones[identifier] = zone
                }
            }
            let key = ZoneDay(zone: zone.identifier, day: day)
            let sendAt = times[key] ?? sendTime(day: day, in: zone)
            times[key] = sendAt
            sends.append(Send(contactID: id, day: day, sendAt: sendAt))
        }
        return sends.sorted { ($0.sendAt, $0.contactID) < ($1.sendAt, $1.contactID) }
    }

    /// The day of the spread of each contact id (duplicates count once).
    public func days(for contactIDs: some Sequence<Int64>) -> [Int64: Int] {
        let ordered = Set(contactIDs).map { id in
            (hash: CampaignDraw.hash(seed: seed, stream: .sendOrder, contactID: id), id: id)
        }.sorted { ($0.hash, $0.id) < ($1.hash, $1.id) }
        let n = ordered.count
        var result: [Int64: Int] = [:]
        result.reserveCapacity(n)
        for (i, entry) in ordered.enumerated() {
            result[entry.id] = spreadDays <= 1 ? 0 : i * spreadDays / n
        }
        return result
    }

    /// When a contact on `day` whose zone is `timeZone` (an IANA identifier; invalid or nil means
    /// the survey's zone) is sent to.
    public func sendTime(day: Int, timeZone: String?) -> Timestamp {
        let zone = localTime == nil ? surveyTimeZone : timeZone.flatMap { SurveyTimeZone(validated: $0) } ?? surveyTimeZone
        return sendTime(day: day, in: zone)
    }

    private struct ZoneDay: Hashable {
        var zone: String
        var day: Int
    }

    private func sendTime(day: Int, in zone: SurveyTimeZone) -> Timestamp {
        let windowStart = start.adding(days: day)
        guard let localTime else { return windowStart }
        // The first occurrence at or after the window start is on the window's local day or the
        // next; the day after that only matters where a whole local day is skipped.
        let firstDay = zone.day(containing: windowStart)
        for offset in 0...2 {
            let d = firstDay.advanced(by: offset)
            let candidates = zone.instants(of: localTime, on: d)
            // Both occurrences of a repeated hour are candidates: the first is used unless the
            // window opens between them. A skipped time is taken at the jump.
            for t in candidates.isEmpty ? [zone.instant(of: localTime, on: d)] : candidates where t >= windowStart {
                return t
            }
        }
        return windowStart  // unreachable: day + 1 always reads later than the window start
    }
}
