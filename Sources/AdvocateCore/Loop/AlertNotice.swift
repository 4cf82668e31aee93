import NPS

/// The e-mail that tells a team an alert rule fired, written from the `alert.fired` event body.
public enum AlertNotice {
    /// Subject and text; `publicURL` (no trailing slash) adds links to the response and the case.
    public static func email(event: JSONValue, publicURL: String?) -> (subject: String, text: String) {
        let data = event["data"]
        let rule = string(data?["rule"]?["name"]) ?? "an alert rule"
        let response = data?["response"]
        let score = integer(response?["score"]).flatMap { Score(Int($0)) }
        let who = contactText(response?["contact"]) ?? "an anonymous respondent"
        let scoreText = score.map { "\($0.value)/10 (\($0.category.rawValue))" } ?? "an answer"
        var lines = ["Rule \"\(rule)\" fired: \(scoreText) from \(who)."]
        if let comment = string(response?["comment"]), !comment.isEmpty { lines.append("\nComment: \(comment)") }
        if let publicURL, let id = integer(response?["id"]) { lines.append("\nResponse: \(publicURL)/app/responses/\(id)") }
        if let followUp = data?["case"], let id = integer(followUp["id"]) {
            let owner = string(followUp["owner"]) ?? "nobody yet"
            lines.append("\nCase \(id), owner \(owner), due \(string(followUp["due_at"]) ?? "")" + (publicURL.map { ": \($0)/app/cases/\(id)" } ?? ""))
        }
        return ("[Advocate] \(rule): \(scoreText) from \(who)", lines.joined(separator: "\n"))
    }

    private static func string(_ v: JSONValue?) -> String? { if case .string(let s)? = v { s } else { nil } }
    private static func integer(_ v: JSONValue?) -> Int64? { if case .integer(let i)? = v { i } else { nil } }

    private static func contactText(_ contact: JSONValue?) -> String? {
        switch (string(contact?["name"]), string(contact?["email"])) {
        case (let name?, let email?): "\(name) (\(email))"
        case (let name?, nil): name
        case (nil, let email?): email
        case (nil, nil): string(contact?["external_id"])
        }
    }
}
