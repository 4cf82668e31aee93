/// Cases and alert events as the API and webhooks show them.
extension FollowUpCase {
    /// `overdue` only when the time is known (the API); webhook bodies leave it to the receiver.
    public func json(now: Timestamp? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .integer(id), "response_id": .integer(responseID), "survey_id": .integer(surveyID),
            "rule_id": ruleID.map(JSONValue.integer) ?? .null, "owner": ownerEmail.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "outcome": outcome.map { .string($0.rawValue) } ?? .null,
            "due_at": .string(dueAt.rfc3339), "first_contact_at": firstContactAt.map { .string($0.rfc3339) } ?? .null,
            "resolved_at": resolvedAt.map { .string($0.rfc3339) } ?? .null, "responded_at": .string(respondedAt.rfc3339),
            "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
        ]
        if let now { o["overdue"] = .bool(isOverdue(at: now)) }
        return .object(o)
    }
}

extension CaseEvent {
    public var json: JSONValue {
        .object(["id": .integer(id), "kind": .string(kind.rawValue), "author": author.map(JSONValue.string) ?? .null,
                 "text": .string(text), "at": .string(at.rfc3339)])
    }
}

extension WebhookPayload {
    /// `data` of `alert.fired`, `case.created` and `case.updated`: the rule (for alerts), the
    /// response with its contact, and the case if there is one.
    public static func loopData(rule: AlertRule?, response: Response, contact: Contact?, followUp: FollowUpCase?) -> JSONValue {
        var o: [String: JSONValue] = ["response": response.json(contact: contact), "case": followUp.map { $0.json() } ?? .null]
        if let rule { o["rule"] = .object(["id": .integer(rule.id), "name": .string(rule.name)]) }
        return .object(o)
    }
}
