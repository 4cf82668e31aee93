import NPS

/// The versioned JSON bodies of webhook events. Version 1:
/// `{"id", "type", "version": 1, "created_at", "data": {…}}`, where `data` holds the response
/// (as the API shows it) or the unsubscribed address. Fields may be added within a version,
/// never renamed or removed.
public enum WebhookPayload {
    public static let version: Int64 = 1

    /// The body of an event, serialised once: the signature covers these exact bytes.
    public static func body(eventID: String, type: WebhookEventType, at: Timestamp, data: JSONValue) -> String {
        JSONValue.object([
            "id": .string(eventID),
            "type": .string(type.rawValue),
            "version": .integer(version),
            "created_at": .string(at.rfc3339),
            "data": data,
        ]).serialized()
    }

    /// `data` of response events.
    public static func responseData(_ response: Response, contact: Contact?) -> JSONValue {
        .object(["response": response.json(contact: contact)])
    }

    /// `data` of `contact.unsubscribed`: the address, and the contact that has it if any.
    public static func unsubscribedData(email: String, contact: Contact?) -> JSONValue {
        .object([
            "email": .string(email),
            "contact": contact.map(\.reference) ?? .null,
        ])
    }
}

extension Response {
    /// The response as the API and webhooks show it.
    public func json(contact: Contact?) -> JSONValue {
        .object([
            "id": .integer(id),
            "survey_id": .integer(surveyID),
            "contact": contact?.reference ?? .null,
            "score": .integer(Int64(score.value)),
            "category": .string(category.rawValue),
            "comment": comment.map(JSONValue.string) ?? .null,
            "properties": .object(properties),
            "channel": .string(channel.rawValue),
            "locale": locale.map(JSONValue.string) ?? .null,
            "tags": .array(tags.map(JSONValue.string)),
            "source_id": sourceID.map(JSONValue.string) ?? .null,
            "created_at": .string(createdAt.rfc3339),
            "updated_at": .string(updatedAt.rfc3339),
        ])
    }
}

extension Contact {
    /// Who a response or event is about, in short.
    var reference: JSONValue {
        .object(["id": .integer(id), "external_id": externalID.map(JSONValue.string) ?? .null,
                 "email": email.map(JSONValue.string) ?? .null, "name": name.map(JSONValue.string) ?? .null])
    }
}
