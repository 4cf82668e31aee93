import AdvocateCore
import AdvocateStore
import NPS

/// The JSON shapes Delighted's API answered with, built from Advocate's own model: a person is a
/// contact, a survey response a response, an unsubscribe or bounce a suppression. Ids are strings
/// and times Unix seconds, as Delighted's clients expect.
enum DelightedRepresentation {
    static func seconds(_ t: Timestamp) -> JSONValue { .integer(t.milliseconds / 1_000) }
    static func seconds(_ t: Timestamp?) -> JSONValue { t.map(seconds) ?? .null }

    static func person(_ c: Contact, activity: ContactActivity? = nil) -> JSONValue {
        .object([
            "id": .string(String(c.id)),
            "email": .optional(c.email),
            "name": .optional(c.name),
            "phone_number": .null,
            "created_at": seconds(c.createdAt),
            "last_sent_at": seconds(activity?.lastSentAt),
            "last_responded_at": seconds(activity?.lastRespondedAt),
            "next_survey_scheduled_at": seconds(activity?.nextScheduled?.at),
        ])
    }

    /// - Parameter person: the expanded person, or nil for the id alone.
    static func surveyResponse(_ r: AdvocateCore.Response, person: Contact?, expandPerson: Bool, notes: [ResponseNote],
                               permalinkBase: String) -> JSONValue {
        let personValue: JSONValue
        if expandPerson, let person { personValue = self.person(person) } else { personValue = r.contactID.map { .string(String($0)) } ?? .null }
        return .object([
            "id": .string(String(r.id)),
            "person": personValue,
            "survey_type": .string("nps"),
            "score": .integer(Int64(r.score.value)),
            "comment": .optional(r.comment),
            "permalink": .string("\(permalinkBase)/api/v1/responses/\(r.id)"),
            "created_at": seconds(r.createdAt),
            "updated_at": seconds(r.updatedAt),
            "person_properties": .object(r.properties),
            "notes": .array(notes.map { n in
                .object(["id": .string(String(n.id)), "text": .string(n.text), "user_email": .optional(n.author),
                         "created_at": seconds(n.createdAt)])
            }),
            "tags": .array(r.tags.map(JSONValue.string)),
            "additional_answers": .array([]),
        ])
    }

    /// Delighted's metrics: the NPS as a whole number, and each category's count and share.
    static func metrics(_ counts: [Int]) -> JSONValue {
        let tally = Tally(scoreCounts: counts)
        func percent(_ part: Int) -> JSONValue {
            tally.n == 0 ? .double(0) : .double((Double(part) * 1_000 / Double(tally.n)).rounded() / 10)
        }
        return .object([
            "nps": .integer(Int64(tally.nps.map(Display.roundedPoints) ?? 0)),
            "promoter_count": .integer(Int64(tally.promoters)),
            "promoter_percent": percent(tally.promoters),
            "passive_count": .integer(Int64(tally.passives)),
            "passive_percent": percent(tally.passives),
            "detractor_count": .integer(Int64(tally.detractors)),
            "detractor_percent": percent(tally.detractors),
            "response_count": .integer(Int64(tally.n)),
        ])
    }

    static func suppression(_ s: Suppression, contact: Contact?, timeKey: String) -> JSONValue {
        .object([
            "person_id": contact.map { .string(String($0.id)) } ?? .null,
            "email": .string(s.email),
            "name": .optional(contact?.name),
            timeKey: seconds(s.createdAt),
        ])
    }

    static func scheduledRequest(_ next: (id: Int64, at: Timestamp, createdAt: Timestamp)?, properties: Properties) -> JSONValue {
        guard let next else { return .null }
        return .object([
            "id": .string(String(next.id)),
            "created_at": seconds(next.createdAt),
            "survey_scheduled_at": seconds(next.at),
            "properties": .object(properties),
        ])
    }
}
