import Foundation
import NPS

/// The `slack` webhook format: an event as a Slack-compatible incoming-webhook message (Slack,
/// Mattermost and Rocket.Chat accept this shape): a line of text, and for responses an
/// attachment in the category's colour with the comment, the score, the contact, the channel
/// and a link to the response page.
public enum SlackMessage {
    /// The message for an event body as `WebhookPayload` builds it. `publicURL` (no trailing
    /// slash) makes the link to `/app/responses/{id}`; without it the message has no link.
    public static func body(event: JSONValue, publicURL: String?) -> String {
        let type = text(event["type"]).flatMap(WebhookEventType.init(rawValue:))
        guard type != .contactUnsubscribed else {
            let who = contactText(event["data"]?["contact"]) ?? text(event["data"]?["email"]) ?? "Someone"
            return JSONValue.object(["text": .string("\(escaped(who)) unsubscribed from surveys")]).serialized()
        }
        let response = event["data"]?["response"]
        guard case .integer(let value)? = response?["score"], let score = Score(Int(value)) else {
            return JSONValue.object(["text": .string("Advocate event \(escaped(text(event["type"]) ?? "unknown"))")]).serialized()
        }
        let who = contactText(response?["contact"]).map(escaped) ?? "an anonymous respondent"
        let what: String
        switch type {
        case .responseUpdated: what = "Changed answer"
        case .alertFired: what = "Alert \u{201C}\(escaped(text(event["data"]?["rule"]?["name"]) ?? ""))\u{201D}"
        case .caseCreated: what = "New case"
        case .caseUpdated: what = "Case changed"
        default: what = "New answer"
        }
        let line = "\(what): \(score.value)/10, \(score.category.rawValue), from \(who)"
        var fields: [JSONValue] = [field("Score", "\(score.value) (\(score.category.rawValue))")]
        if let contact = contactText(response?["contact"]) { fields.append(field("Contact", escaped(contact))) }
        if let channel = text(response?["channel"]) { fields.append(field("Channel", channel)) }
        var attachment: [String: JSONValue] = [
            "color": .string(InvitationEmail.colors(score: score.value, style: .categories).background),
            "fallback": .string(line),
            "fields": .array(fields),
        ]
        if let comment = text(response?["comment"]), !comment.isEmpty { attachment["text"] = .string(escaped(comment)) }
        if let publicURL, case .integer(let id)? = response?["id"] {
            attachment["title"] = .string("Open response \(id)")
            attachment["title_link"] = .string("\(publicURL)/app/responses/\(id)")
        }
        // A case: who owns it and by when, linked to its page (Slack's <url|text> markup).
        if let followUp = event["data"]?["case"], case .integer(let id)? = followUp["id"] {
            let label = "Case \(id): \(text(followUp["status"]) ?? "open"), \(text(followUp["owner"]).map(escaped) ?? "unassigned"), due \(text(followUp["due_at"]) ?? "")"
            fields.append(field("Case", publicURL.map { "<\($0)/app/cases/\(id)|\(label)>" } ?? label))
            attachment["fields"] = .array(fields)
        }
        return JSONValue.object(["text": .string(line), "attachments": .array([.object(attachment)])]).serialized()
    }

    /// Slack reads `<`, `>` and `&` as markup (links, @channel mentions): respondents' text must not be.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func field(_ title: String, _ value: String) -> JSONValue {
        .object(["title": .string(title), "value": .string(value), "short": .bool(true)])
    }

    private static func text(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { s } else { nil }
    }

    /// "Ana (ana@example.com)", the name, the address or the external id alone; nil for nobody.
    private static func contactText(_ contact: JSONValue?) -> String? {
        switch (text(contact?["name"]), text(contact?["email"])) {
        case (let name?, let email?): "\(name) (\(email))"
        case (let name?, nil): name
        case (nil, let email?): email
        case (nil, nil): text(contact?["external_id"])
        }
    }
}
