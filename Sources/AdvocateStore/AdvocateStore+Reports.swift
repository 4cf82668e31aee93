import AdvocateCore
import NPS
import SQLKit

extension AdvocateStore {
    /// A survey's report for local days `from`…`to` (each end optional): the overall daily series
    /// folded into trend buckets, and a breakdown by `by` (a property, `channel`, `locale`, or
    /// `tenure`, the time from the property `signed_up_at` to the answer; numeric properties are
    /// grouped by quartile). The one way every caller (API, CLI, pages, benchmark) builds a report.
    ///
    /// With `filter` (and/or `segment`) the report is of the answers that pass it. The rollup keeps
    /// one dimension per row, so it answers a filter of one segment without a breakdown; anything
    /// more, and a breakdown by tenure or by a property with many values, is counted from the
    /// survey's answers held as columns (`filteredCounts`).
    public func report(survey: Survey, from: CalendarDay?, to: CalendarDay?, interval: TrendInterval, by: String?,
                       segment: (dimension: String, value: String)? = nil, filter: ReportFilter = ReportFilter(),
                       method: IntervalMethod = .adjustedWald) async throws -> SurveyReport {
        var filter = filter
        if let segment { filter.add(ResponseSegment(dimension: segment.dimension, value: segment.value)) }
        let kind: BreakdownKind = by == "tenure" ? .tenure : .values
        // `tenure` reads the sign-up dates; `language` is the built-in `locale`.
        let dimension = by.map { ReportDimension.stored(forRequested: $0 == "tenure" ? ReportBuilder.signedUpProperty : $0 == "language" ? "locale" : $0) }
        var overall: [DailyScoreCounts]
        var segments: [DailyScoreCounts]?
        let tenure = kind == .tenure
        if !(filter.isEmpty || (filter.rollupSegment != nil && by == nil)) {
            (overall, segments) = try await filteredCounts(surveyID: survey.id, filter: filter, from: from, to: to, by: dimension, tenure: tenure)
        } else if breakdownFromColumns(surveyID: survey.id, dimension: dimension, kind: kind),
                  let columns = try await answerColumns(surveyID: survey.id, from: from, to: to) {
            (overall, segments) = Self.counts(columns, filter: filter, from: from, to: to, by: dimension, tenure: tenure)
        } else {
            if let one = filter.rollupSegment {
                overall = try await dailyCounts(surveyID: survey.id, dimension: ReportDimension.stored(forRequested: one.dimension),
                                                segment: one.value, from: from, to: to)
                for i in overall.indices { overall[i].segment = nil }
            } else {
                overall = try await dailyCounts(surveyID: survey.id, dimension: ReportDimension.overall, from: from, to: to)
            }
            if let dimension, tenure {
                // Each answer's day with its sign-up date: rows per day and date, then grouped.
                segments = ReportBuilder.regroup(try await dailyCounts(surveyID: survey.id, dimension: dimension, from: from, to: to), kind: .tenure).rows
            } else if let dimension {
                segments = try await segmentTotals(surveyID: survey.id, dimension: dimension, from: from, to: to)
            }
        }
        var order: [String]?
        if tenure {
            // Counted in their groups already.
            order = ReportBuilder.tenureOrder
        } else if var rows = segments {
            let grouping: BreakdownKind = ReportBuilder.isNumeric(Set(rows.compactMap(\.segment))) ? .quartiles : .values
            (rows, order) = ReportBuilder.regroup(rows, kind: grouping)
            segments = rows
        }
        let range: ClosedRange<CalendarDay>? = if let from, let to, from <= to { from...to } else { nil }
        return ReportBuilder.build(overall: overall, segments: segments, interval: interval, range: range, breakdownOrder: order, method: method)
    }

    /// Whether an unfiltered breakdown is counted from the answer columns rather than the
    /// rollup: by tenure (the rollup has a row per day and sign-up date, and each must be
    /// bucketed), and by a property with many values when the columns are held already (the
    /// rollup's rows grow with the values: MRR, sessions…).
    private func breakdownFromColumns(surveyID: Int64, dimension: String?, kind: BreakdownKind) -> Bool {
        guard let dimension else { return false }
        if kind == .tenure { return true }
        return (database.answerColumns.entry(surveyID)?.columns.valueCount(dimension) ?? 0) > Self.manyValues
    }

    /// More distinct values than this make a breakdown cheaper from the answer columns.
    static let manyValues = 50

    /// Daily counts of the answers passing `filter`, overall and (with `by`, a stored dimension)
    /// each value's total — or, with `tenure`, each tenure group's (`by` is then the sign-up
    /// property): from the survey's answers held as columns in memory (`AnswerColumns`),
    /// brought up to date first; from the responses of the period when campaign or variant is
    /// asked (the invitation's) or the columns disagree with the rollup.
    func filteredCounts(surveyID: Int64, filter: ReportFilter, from: CalendarDay?, to: CalendarDay?,
                        by: String?, tenure: Bool = false) async throws -> (overall: [DailyScoreCounts], segments: [DailyScoreCounts]?) {
        if filter.campaignID == nil, filter.variant == nil, let columns = try await answerColumns(surveyID: surveyID, from: from, to: to) {
            return Self.counts(columns, filter: filter, from: from, to: to, by: by, tenure: tenure)
        }
        var counted = try await filteredCountsFromResponses(surveyID: surveyID, filter: filter, from: from, to: to, by: by)
        if tenure, let rows = counted.segments { counted.segments = ReportBuilder.regroup(rows, kind: .tenure).rows }
        return counted
    }

    private static func counts(_ columns: AnswerColumns, filter: ReportFilter, from: CalendarDay?, to: CalendarDay?,
                               by: String?, tenure: Bool) -> (overall: [DailyScoreCounts], segments: [DailyScoreCounts]?) {
        let counted = columns.counts(conditions: filter.storedConditions, from: from?.daysSinceEpoch, to: to?.daysSinceEpoch, by: by, tenure: tenure)
        let days = counted.overall.map { DailyScoreCounts(day: CalendarDay(daysSinceEpoch: $0.key), counts: $0.value) }.sorted { $0.day < $1.day }
        // A breakdown needs each group's total only: dated at the period's first day.
        let first = days.first?.day ?? CalendarDay(daysSinceEpoch: 0)
        return (days, by == nil ? nil : counted.bySegment.map { DailyScoreCounts(day: first, segment: $0.key, counts: $0.value) })
    }

    /// `filteredCounts` read from the responses of the period themselves.
    func filteredCountsFromResponses(surveyID: Int64, filter: ReportFilter, from: CalendarDay?, to: CalendarDay?,
                                     by: String?) async throws -> (overall: [DailyScoreCounts], segments: [DailyScoreCounts]?) {
        // The properties column is the bulk of a row: read it only when something looks inside.
        let needsProperties = !filter.decidedInSQL || (by.map { !$0.hasPrefix("@") } ?? false)
        let properties: SQLQueryString = needsProperties ? "r.properties" : "'{}'"
        let query: SQLQueryString = """
            SELECT r.day, r.score, r.channel, r.locale, \(properties) AS properties FROM responses r\(filter.invitationJoin)
            WHERE r.survey_id = \(bind: surveyID) AND r.status = 'counted'\(Self.dayRange(from, to, column: "r.day"))\(filter.narrowing)
            """
        return try await database.read { sql in
            var overall: [Int: ScoreCounts] = [:]
            var bySegment: [SegmentDay: ScoreCounts] = [:]
            for row in try await sql.raw(query).all() {
                guard let score = Score(try row.decode(column: "score", as: Int.self)) else { continue }
                let day = try row.decode(column: "day", as: Int.self)
                let channel = Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api
                let locale = try row.decode(column: "locale", as: String?.self)
                let props = needsProperties ? Properties(jsonText: try row.decode(column: "properties", as: String.self)) : [:]
                guard filter.contains(channel: channel, locale: locale, properties: props) else { continue }
                overall[day, default: ScoreCounts()].add(score)
                if let by, let value = ReportDimension.pairs(channel: channel, locale: locale, properties: props).first(where: { $0.0 == by })?.1 {
                    bySegment[SegmentDay(segment: value, day: day), default: ScoreCounts()].add(score)
                }
            }
            let days = overall.map { DailyScoreCounts(day: CalendarDay(daysSinceEpoch: $0.key), counts: $0.value) }.sorted { $0.day < $1.day }
            let segments = by == nil ? nil : bySegment.map { DailyScoreCounts(day: CalendarDay(daysSinceEpoch: $0.key.day), segment: $0.key.segment, counts: $0.value) }
            return (days, segments)
        }
    }

    /// A segment's value on a local day (days since the epoch).
    private struct SegmentDay: Hashable {
        var segment: String
        var day: Int
    }

    /// Daily score counts of a survey for one dimension (the whole survey when `dimension` is
    /// `ReportDimension.overall`), between two local days inclusive.
    ///
    /// Reads the rollup only: the cost is days × segments, whatever the number of responses.
    public func dailyCounts(surveyID: Int64, dimension: String, segment: String? = nil, from: CalendarDay?, to: CalendarDay?) async throws -> [DailyScoreCounts] {
        let one: SQLQueryString = segment.map { " AND segment = \(bind: $0)" } ?? ""
        let query: SQLQueryString = """
            SELECT segment, day, \(unsafeRaw: Self.packedCounts(summed: false)) AS counts FROM nps_rollups
            WHERE survey_id = \(bind: surveyID) AND dimension = \(bind: dimension)\(one)\(Self.dayRange(from, to))
            """
        let overall = dimension == ReportDimension.overall
        return try await database.read { sql in
            try await sql.raw(query).all().map { row in
                DailyScoreCounts(day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                                 segment: overall ? nil : try row.decode(column: "segment", as: String.self),
                                 counts: try Self.unpackCounts(row))
            }
        }
    }

    /// Each segment's counts summed over the days between `from` and `to`, one row per segment,
    /// dated at the segment's first day in the range.
    ///
    /// A breakdown needs only these totals; summing in the database returns one row per segment
    /// instead of one per segment and day (8 instead of 5,840 for 8 countries over two years).
    public func segmentTotals(surveyID: Int64, dimension: String, from: CalendarDay?, to: CalendarDay?) async throws -> [DailyScoreCounts] {
        let query: SQLQueryString = """
            SELECT segment, MIN(day) AS day, \(unsafeRaw: Self.packedCounts(summed: true)) AS counts FROM nps_rollups
            WHERE survey_id = \(bind: surveyID) AND dimension = \(bind: dimension)\(Self.dayRange(from, to))
            GROUP BY segment
            """
        return try await database.read { sql in
            try await sql.raw(query).all().map { row in
                DailyScoreCounts(day: CalendarDay(daysSinceEpoch: try row.decode(column: "day", as: Int.self)),
                                 segment: try row.decode(column: "segment", as: String.self),
                                 counts: try Self.unpackCounts(row))
            }
        }
    }

    /// The dimensions a survey's answers can be broken down by (properties seen, `channel`, `locale`).
    ///
    /// One index seek per dimension: `DISTINCT` read every rollup row of the survey (days × values
    /// of every property, hundreds of thousands with a million answers) on every report page.
    public func reportDimensions(surveyID: Int64) async throws -> [String] {
        try await database.read { sql in
            var dimensions: [String] = []
            var after = ReportDimension.overall
            while let row = try await sql.raw("""
                SELECT MIN(dimension) AS d FROM nps_rollups WHERE survey_id = \(bind: surveyID) AND dimension > \(bind: after)
                """).first(), let next = try row.decode(column: "d", as: String?.self) {
                dimensions.append(next.hasPrefix("@") ? String(next.dropFirst()) : next)
                after = next
            }
            return dimensions.sorted()
        }
    }

    static func dayRange(_ from: CalendarDay?, _ to: CalendarDay?, column: String = "day") -> SQLQueryString {
        var q: SQLQueryString = ""
        if let from { q += " AND \(unsafeRaw: column) >= \(bind: from.daysSinceEpoch)" }
        if let to { q += " AND \(unsafeRaw: column) <= \(bind: to.daysSinceEpoch)" }
        return q
    }

    /// The eleven counts as one text column, "s0,s1,…,s10". Decoding one column instead of
    /// eleven made the report over two years of daily rows several times faster: SQLKit's
    /// per-column decode, not the database, was the cost. Fixed SQL, no input: safe as raw.
    private static func packedCounts(summed: Bool) -> String {
        (0...10).map { summed ? "CAST(CAST(SUM(s\($0)) AS BIGINT) AS TEXT)" : "CAST(s\($0) AS TEXT)" }
            .joined(separator: " || ',' || ")
    }

    private static func unpackCounts(_ row: any SQLRow) throws -> ScoreCounts {
        let text = try row.decode(column: "counts", as: String.self)
        var counts = [Int64](repeating: 0, count: 11)
        var index = 0
        var value: Int64 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ",") {
                guard index < 10 else { break }
                counts[index] = value
                index += 1
                value = 0
            } else {
                guard byte >= 48 && byte <= 57 else { throw StoreError.corrupt("rollup counts are not numbers: \(text)") }
                value = value &* 10 &+ Int64(byte - 48)
            }
        }
        guard index == 10 else { throw StoreError.corrupt("rollup counts are not eleven numbers: \(text)") }
        counts[10] = value
        return ScoreCounts(counts)
    }
}

extension AdvocateStore {
    /// The key drivers of every commenter of a survey on local days `from`…`to`, summed from
    /// `driver_rollups` (theme 0 is every commenter): days × themes rows, whatever the number of comments.
    func driverRollup(surveyID: Int64, from: CalendarDay?, to: CalendarDay?) async throws -> (drivers: [KeyDriver], commenters: Tally) {
        let query: SQLQueryString = """
            SELECT theme_id, CAST(SUM(promoters) AS BIGINT) AS p, CAST(SUM(passives) AS BIGINT) AS pa, CAST(SUM(detractors) AS BIGINT) AS d
            FROM driver_rollups WHERE survey_id = \(bind: surveyID)\(Self.dayRange(from, to)) GROUP BY theme_id
            """
        return try await database.read { sql in
            var commenters = Tally.empty
            var mentioning: [Int64: Tally] = [:]
            for row in try await sql.raw(query).all() {
                let tally = Tally(promoters: try row.decode(column: "p", as: Int.self), passives: try row.decode(column: "pa", as: Int.self),
                                  detractors: try row.decode(column: "d", as: Int.self))
                let theme = try row.decode(column: "theme_id", as: Int64.self)
                if theme == 0 { commenters = tally } else if tally.n > 0 { mentioning[theme] = tally }
            }
            return (KeyDrivers.drivers(commenters: commenters, mentioning: mentioning), commenters)
        }
    }

    /// The funnel of a survey's invitations made between two instants on quarter hours (any
    /// local day's bounds), summed from `funnel_rollups`; nil when a bound is not on one.
    func funnelRollup(surveyID: Int64, from: Timestamp?, to: Timestamp?) async throws -> CampaignFunnel? {
        let slot = RollupTriggers.funnelSlotMilliseconds
        if let from, from.milliseconds % slot != 0 { return nil }
        if let to, to.milliseconds % slot != 0 { return nil }
        var condition: SQLQueryString = "survey_id = \(bind: surveyID)"
        if let from { condition += " AND slot >= \(bind: from.milliseconds / slot)" }
        if let to { condition += " AND slot < \(bind: to.milliseconds / slot)" }
        let columns = ["invited", "sent", "bounced", "opened", "clicked", "answered", "promoters", "passives", "detractors", "commented"]
        let query: SQLQueryString = """
            SELECT \(unsafeRaw: columns.map { "CAST(COALESCE(SUM(\($0)), 0) AS BIGINT) AS \($0)" }.joined(separator: ", "))
            FROM funnel_rollups WHERE \(condition)
            """
        return try await database.read { sql in
            guard let row = try await sql.raw(query).first() else { return CampaignFunnel(variant: "") }
            var f = CampaignFunnel(variant: "")
            f.invited = try row.decode(column: "invited", as: Int.self)
            f.sent = try row.decode(column: "sent", as: Int.self)
            f.bounced = try row.decode(column: "bounced", as: Int.self)
            f.opened = try row.decode(column: "opened", as: Int.self)
            f.clicked = try row.decode(column: "clicked", as: Int.self)
            f.answered = try row.decode(column: "answered", as: Int.self)
            f.commented = try row.decode(column: "commented", as: Int.self)
            f.tally = Tally(promoters: try row.decode(column: "promoters", as: Int.self), passives: try row.decode(column: "passives", as: Int.self),
                            detractors: try row.decode(column: "detractors", as: Int.self))
            return f
        }
    }

    /// The funnel of a survey's invitations made between two instants, of the contacts and
    /// invitations passing `filter`: channel, language, campaign and variant are the invitation's,
    /// properties the contact's (an invitation has no answer-time properties yet). Unfiltered from
    /// the rollup, filtered from the invitations and contacts held as columns when they can.
    public func surveyFunnel(surveyID: Int64, from: Timestamp?, to: Timestamp?, filter: ReportFilter) async throws -> CampaignFunnel {
        guard !filter.isEmpty else {
            if let rolled = try await funnelRollup(surveyID: surveyID, from: from, to: to) { return rolled }
            return try await surveyFunnel(surveyID: surveyID, from: from, to: to)
        }
        if let counted = try await funnelFromColumns(surveyID: surveyID, from: from, to: to, filter: filter) { return counted }
        return try await funnelFromRows(surveyID: surveyID, from: from, to: to, filter: filter)
    }

    /// `surveyFunnel` with a filter, counted from every invitation of the period with its contact.
    func funnelFromRows(surveyID: Int64, from: Timestamp?, to: Timestamp?, filter: ReportFilter) async throws -> CampaignFunnel {
        var condition: SQLQueryString = "i.survey_id = \(bind: surveyID)"
        if let from { condition += " AND i.created_at >= \(bind: from.milliseconds)" }
        if let to { condition += " AND i.created_at < \(bind: to.milliseconds)" }
        if let campaignID = filter.campaignID { condition += " AND i.campaign_id = \(bind: campaignID)" }
        if let variant = filter.variant { condition += " AND i.variant = \(bind: variant)" }
        var contactFilter = filter
        contactFilter.campaignID = nil
        contactFilter.variant = nil
        condition += contactFilter.segmentNarrowing(channel: "i.channel", locale: "i.locale", properties: "c.properties")
        let query: SQLQueryString = """
            SELECT i.channel, i.locale, i.status, i.messages_sent, i.opened_at, i.clicked_at, c.properties, r.score, r.comment
            FROM invitations i JOIN contacts c ON c.id = i.contact_id
            LEFT JOIN responses r ON r.invitation_id = i.id AND r.status = 'counted'
            WHERE \(condition)
            """
        let filterOnContact = contactFilter
        return try await database.read { sql in
            var f = CampaignFunnel(variant: "")
            for row in try await sql.raw(query).all() {
                let channel = Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api
                let properties = Properties(jsonText: try row.decode(column: "properties", as: String.self))
                guard filterOnContact.contains(channel: channel, locale: try row.decode(column: "locale", as: String?.self), properties: properties) else { continue }
                let status = try row.decode(column: "status", as: String.self)
                f.invited += 1
                if try row.decode(column: "messages_sent", as: Int.self) > 0 || status == "bounced" { f.sent += 1 }
                if status == "bounced" { f.bounced += 1 }
                if try row.decode(column: "opened_at", as: Int64?.self) != nil { f.opened += 1 }
                if try row.decode(column: "clicked_at", as: Int64?.self) != nil { f.clicked += 1 }
                if let value = try row.decode(column: "score", as: Int?.self), let score = Score(value) {
                    f.answered += 1
                    f.tally.add(score)
                    if try row.decode(column: "comment", as: String?.self) != nil { f.commented += 1 }
                }
            }
            return f
        }
    }
}

extension AdvocateStore {
    /// Counted answers (of one survey, or the whole workspace) by known contacts, with the
    /// contact's `churned_at` when it carries one: what churn by category is computed from.
    public func answeredContacts(workspaceID: Int64, surveyID: Int64?) async throws -> [AnsweredContact] {
        let survey: SQLQueryString = surveyID.map { " AND r.survey_id = \(bind: $0)" } ?? ""
        return try await database.read { sql in
            var churnedAt: [Int64: Timestamp?] = [:]
            var answers: [AnsweredContact] = []
            for row in try await sql.raw("""
                SELECT r.contact_id, r.score, r.created_at, c.properties FROM responses r JOIN contacts c ON c.id = r.contact_id
                WHERE r.workspace_id = \(bind: workspaceID) AND c.workspace_id = \(bind: workspaceID) AND r.status = 'counted'\(survey)
                """).all() {
                guard let score = Score(try row.decode(column: "score", as: Int.self)) else { continue }
                let contact = try row.decode(column: "contact_id", as: Int64.self)
                if churnedAt[contact] == nil {
                    let properties = Properties(jsonText: try row.decode(column: "properties", as: String.self))
                    churnedAt[contact] = .some(properties["churned_at"]?.segmentValue.flatMap(CustomerRecord.instant))
                }
                answers.append(AnsweredContact(category: score.category, answeredAt: Timestamp(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
                                               churnedAt: churnedAt[contact] ?? nil))
            }
            return answers
        }
    }

    /// Every contact of the workspace with `mrr`, `signed_up_at` or `churned_at`: the calculators' data.
    public func customerRecords(workspaceID: Int64) async throws -> [CustomerRecord] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT properties FROM contacts WHERE workspace_id = \(bind: workspaceID)
                AND (properties LIKE '%"mrr":%' OR properties LIKE '%"signed_up_at":%' OR properties LIKE '%"churned_at":%')
                """).all().map { row in
                let p = Properties(jsonText: try row.decode(column: "properties", as: String.self))
                return CustomerRecord(monthlyRevenue: p["mrr"]?.segmentValue.flatMap(QuartileBounds.number),
                                      signedUpAt: p["signed_up_at"]?.segmentValue.flatMap(CustomerRecord.instant),
                                      churnedAt: p["churned_at"]?.segmentValue.flatMap(CustomerRecord.instant))
            }
        }
    }
}
