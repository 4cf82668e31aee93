/// The e-mails about a person's account: a password reset link and an invitation to join a
/// workspace. Pure: the link's base and what the message says are given; nothing is looked up.
///
/// What a job stores is `payload` (the template's name and its fields) rather than the composed
/// message, so the link's base is the one the sending server is configured with.
public enum AccountEmail: Sendable, Hashable {
    /// "Choose a new password": `path` is `/reset/{token}`, valid `minutes`.
    case passwordReset(path: String, minutes: Int)
    /// "Join {workspace} on Advocate": `path` is `/join/{token}`, valid `days`.
    case memberInvitation(path: String, workspace: String, inviter: String, role: Role, days: Int)

    public static let jobKind = "account.email"

    /// The job's payload: what the message is, and to whom.
    public func payload(to recipient: String) -> Properties {
        switch self {
        case .passwordReset(let path, let minutes):
            ["template": .string("password_reset"), "to": .string(recipient), "path": .string(path), "minutes": .integer(Int64(minutes))]
        case .memberInvitation(let path, let workspace, let inviter, let role, let days):
            ["template": .string("member_invitation"), "to": .string(recipient), "path": .string(path), "workspace": .string(workspace),
             "inviter": .string(inviter), "role": .string(role.rawValue), "days": .integer(Int64(days))]
        }
    }

    /// The message a payload describes, and its recipient; nil when the payload is not one.
    public init?(payload: Properties) {
        func string(_ key: String) -> String? { if case .string(let s)? = payload[key] { s } else { nil } }
        func integer(_ key: String) -> Int? { if case .integer(let n)? = payload[key] { Int(n) } else { nil } }
        guard let path = string("path"), path.hasPrefix("/") else { return nil }
        switch string("template") {
        case "password_reset":
            guard let minutes = integer("minutes") else { return nil }
            self = .passwordReset(path: path, minutes: minutes)
        case "member_invitation":
            guard let workspace = string("workspace"), let inviter = string("inviter"), let role = string("role").flatMap(Role.init(rawValue:)),
                  let days = integer("days") else { return nil }
            self = .memberInvitation(path: path, workspace: workspace, inviter: inviter, role: role, days: days)
        default:
            return nil
        }
    }

    /// Subject, plain text and HTML, with links under `base` (`https://nps.example.com`).
    public func content(base: String) -> (subject: String, text: String, html: String) {
        switch self {
        case .passwordReset(let path, let minutes):
            let link = base + path
            let text = """
                Someone asked to reset the password of your Advocate account.

                Choose a new password here (the link works once, for \(minutes) minutes):
                \(link)

                If it was not you, ignore this message: your password stays as it is.
                """
            return ("Reset your Advocate password", text, Self.html(paragraphs: [
                "Someone asked to reset the password of your Advocate account.",
            ], link: link, button: "Choose a new password", after: [
                "The link works once, for \(minutes) minutes. If it was not you, ignore this message: your password stays as it is.",
            ]))
        case .memberInvitation(let path, let workspace, let inviter, let role, let days):
            let link = base + path
            let text = """
                \(inviter) invited you to the workspace \(workspace) on Advocate, as \(role.rawValue).

                Accept the invitation here (the link works for \(days) days):
                \(link)

                If you do not know why you got this, ignore it.
                """
            return ("Join \(workspace) on Advocate", text, Self.html(paragraphs: [
                "\(inviter) invited you to the workspace \(workspace) on Advocate, as \(role.rawValue).",
            ], link: link, button: "Accept the invitation", after: [
                "The link works for \(days) days. If you do not know why you got this, ignore it.",
            ]))
        }
    }

    private static func html(paragraphs: [String], link: String, button: String, after: [String]) -> String {
        let p = { (text: String) in "<p style=\"margin:0 0 16px\">\(HTMLText.escape(text))</p>" }
        return """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head>\
            <body style="font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2328">\
            \(paragraphs.map(p).joined())\
            <p style="margin:0 0 16px"><a href="\(HTMLText.escape(link))" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px">\(HTMLText.escape(button))</a></p>\
            \(after.map(p).joined())</body></html>
            """
    }
}
