import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Hummingbird

/// The respondent pages' two cookies:
///
/// - `advocate_csrf`: a random value every form repeats in a hidden field (double submit), so
///   another site cannot post answers from a respondent's browser;
/// - `advocate_respondent`: a random id for the browser, so an anonymous link takes one answer
///   per browser (only its hash is stored, with the response).
struct RespondentCookies: Sendable {
    /// `Secure` when the public URL is https.
    let secure: Bool

    static let csrfName = "advocate_csrf"
    static let respondentName = "advocate_respondent"

    /// The browser's form token (or a new one) and the cookies the response must set.
    struct Session {
        var csrf: String
        var cookies: [Cookie]
    }

    func session(_ request: Request, respondent: Bool) -> Session {
        var cookies: [Cookie] = []
        let csrf: String
        if let value = request.cookies[Self.csrfName]?.value, InvitationToken.isWellFormed(value) {
            csrf = value
        } else {
            csrf = InvitationToken.make().token
            cookies.append(Cookie(name: Self.csrfName, value: csrf, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
        if respondent, respondentKey(request) == nil {
            cookies.append(Cookie(name: Self.respondentName, value: InvitationToken.make().token, maxAge: 400 * 86_400, path: "/l/",
                                  secure: secure, httpOnly: true, sameSite: .lax))
        }
        return Session(csrf: csrf, cookies: cookies)
    }

    /// Whether the form repeats the browser's form token.
    func verify(_ request: Request, form: [String: String]) -> Bool {
        guard let cookie = request.cookies[Self.csrfName]?.value, let field = form["csrf"] else { return false }
        return ConstantTime.equal(cookie.utf8, field.utf8)
    }

    /// The stored form of the browser's respondent id, if it has one.
    func respondentKey(_ request: Request) -> String? {
        guard let value = request.cookies[Self.respondentName]?.value, InvitationToken.isWellFormed(value) else { return nil }
        return InvitationToken.hash(value)
    }
}
