import AdvocateCore
import AdvocateStore
import Hummingbird

extension AccountPages {
    /// The session and form of a POST by someone with at least `role`: nil without a session; a
    /// 403 without the CSRF token or the role.
    func editor(_ request: Request, role: Role) async throws -> (Session, [String: String])? {
        var request = request
        guard let session = try await currentSession(request) else { return nil }
        let fields = try await request.formBody(limit: 256 * 1024)
        guard cookies.verify(request, form: fields) else { throw Problem(status: .forbidden, detail: "the form must carry its CSRF token") }
        guard session.membership.role >= role else {
            throw Problem(status: .forbidden, detail: "a \(session.membership.role.rawValue) cannot do this; it takes a \(role.rawValue) or above")
        }
        return (session, fields)
    }
}
