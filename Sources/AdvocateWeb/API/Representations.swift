import AdvocateCore
import AdvocateStore
import NPS

/// The JSON shapes of the API, in one place so every endpoint shows a thing the same way.
enum Representation {
    static func survey(_ s: Survey) -> JSONValue {
        .object([
            "id": .integer(s.id),
            "name": .string(s.name),
            "product_name": .string(s.productName),
            "kind": .string(s.kind.rawValue),
            "default_locale": .string(s.defaultLocale),
            "time_zone": .string(s.timeZone.identifier),
            "round_days": .integer(Int64(s.roundDays)),
            "settings": s.settings.json,
            "created_at": .string(s.createdAt.rfc3339),
            "updated_at": .string(s.updatedAt.rfc3339),
        ])
    }

    static func contact(_ c: Contact) -> JSONValue {
        .object([
            "id": .integer(c.id),
            "external_id": .optional(c.externalID),
            "email": .optional(c.email),
            "name": .optional(c.name),
            "locale": .optional(c.locale),
            "time_zone": .optional(c.timeZone),
            "properties": .object(c.properties),
            "created_at": .string(c.createdAt.rfc3339),
            "updated_at": .string(c.updatedAt.rfc3339),
        ])
    }

    static func response(_ r: Response, contact: Contact?) -> JSONValue { r.json(contact: contact) }

    static func interval(_ i: Interval?) -> JSONValue {
        guard let i else { return .null }
        return .object(["low": .double(i.low), "high": .double(i.high), "level": .double(i.level), "method": .string(i.method.rawValue)])
    }

    static func summaryFields(_ s: NPSSummary) -> [String: JSONValue] {
        [
            "responses": .integer(Int64(s.tally.n)),
            "nps": .optional(s.nps),
            "interval": interval(s.interval),
            "small_sample": .bool(s.isSmallSample),
        ]
    }

    static func report(_ report: SurveyReport, surveyID: Int64, range: (CalendarDay?, CalendarDay?), interval trend: TrendInterval, by: String?) -> JSONValue {
        var fields = summaryFields(report.summary)
        fields["survey_id"] = .integer(surveyID)
        fields["from"] = .optional(range.0?.description)
        fields["to"] = .optional(range.1?.description)
        fields["promoters"] = .integer(Int64(report.summary.tally.promoters))
        fields["passives"] = .integer(Int64(report.summary.tally.passives))
        fields["detractors"] = .integer(Int64(report.summary.tally.detractors))
        fields["band"] = .optional(report.summary.band?.rawValue)
        fields["distribution"] = .array(report.distribution.counts.map { .integer($0) })
        fields["trend_interval"] = .string(trend.rawValue)
        fields["trend"] = .array(report.trend.map { point in
            var p = summaryFields(point.summary)
            p["start"] = .string(point.start.description)
            p["change_significant"] = point.changeSignificant.map { .bool($0) } ?? .null
            p["change_p_value"] = point.comparison.map { .double($0.pValue) } ?? .null
            return .object(p)
        })
        fields["by"] = .optional(by)
        fields["breakdown"] = report.breakdown.map { rows in
            .array(rows.map { row in
                var r = summaryFields(row.summary)
                r["value"] = .string(row.value)
                return .object(r)
            })
        } ?? .null
        return .object(fields)
    }

    static func page(_ items: [JSONValue], next: String?) -> JSONValue {
        .object(["data": .array(items), "next_cursor": .optional(next)])
    }
}

extension Representation {
    static func invitation(_ i: Invitation) -> JSONValue {
        .object([
            "id": .integer(i.id),
            "survey_id": .integer(i.surveyID),
            "contact_id": .integer(i.contactID),
            "campaign_id": i.campaignID.map { .integer($0) } ?? .null,
            "variant": .optional(i.variant),
            "channel": .string(i.channel.rawValue),
            "email": .optional(i.email),
            "locale": .optional(i.locale),
            "product_name": .optional(i.productName),
            "status": .string(i.status.rawValue),
            "send_at": .string(i.sendAt.rfc3339),
            "sent_at": .optional(i.sentAt?.rfc3339),
            "messages_sent": .integer(Int64(i.messagesSent)),
            "reminders": .integer(Int64(i.reminders)),
            "reminder_days": .integer(Int64(i.reminderDays)),
            "last_error": .optional(i.lastError),
            "created_at": .string(i.createdAt.rfc3339),
            "updated_at": .string(i.updatedAt.rfc3339),
        ])
    }

    static func contactReference(_ c: Contact?) -> JSONValue {
        guard let c else { return .null }
        return .object(["id": .integer(c.id), "external_id": .optional(c.externalID), "email": .optional(c.email)])
    }

    static func suppression(_ s: Suppression) -> JSONValue {
        .object([
            "email": .string(s.email),
            "reason": .string(s.reason.rawValue),
            "detail": .optional(s.detail),
            "created_at": .string(s.createdAt.rfc3339),
        ])
    }

    static func job(_ j: Job) -> JSONValue {
        var payload = j.payload
        payload["token"] = nil // a secret: it answers and unsubscribes as the contact
        return .object([
            "id": .integer(j.id),
            "kind": .string(j.kind),
            "state": .string(j.state.rawValue),
            "payload": .object(payload),
            "attempts": .integer(Int64(j.attempts)),
            "max_attempts": .integer(Int64(j.maxAttempts)),
            "available_at": .string(j.availableAt.rfc3339),
            "last_error": .optional(j.lastError),
            "created_at": .string(j.createdAt.rfc3339),
            "updated_at": .string(j.updatedAt.rfc3339),
            "finished_at": .optional(j.finishedAt?.rfc3339),
        ])
    }
}
