import AdvocateCore
import AdvocateJobs
import AdvocateStore
import AdvocateTestSupport
import Foundation
import Hummingbird
import NPS
import SQLKit

/// A respondent's browser against the in-process app: keeps its cookies, sends its User-Agent,
/// posts forms as a browser does (repeating the page's form token).
final class RespondentBrowser: @unchecked Sendable {
    let api: APIHarness
    let userAgent: String
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    static let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

    init(_ api: APIHarness, userAgent: String = RespondentBrowser.chrome) {
        self.api = api
        self.userAgent = userAgent
    }

    private var headers: HTTPFields {
        var h: HTTPFields = [.userAgent: userAgent]
        if !cookies.isEmpty { h[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let acceptLanguage { h[.acceptLanguage] = acceptLanguage }
        return h
    }

    private func keep(_ r: APIResult) -> APIResult {
        for line in r.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
        return r
    }

    @discardableResult
    func get(_ path: String, method: HTTPRequest.Method = .get) async throws -> APIResult {
        keep(try await api.send(method, path, token: "", headers: headers))
    }

    /// Posts `fields` (and the form token unless `csrf` is false) as a form.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> APIResult {
        var all = fields
        if csrf, let token = cookies[RespondentCookiesName.csrf] { all.append(("csrf", token)) }
        let body = all.map { "\(ShareLinks.encodeComponent($0.0))=\(ShareLinks.encodeComponent($0.1))" }.joined(separator: "&")
        return try await postRaw(path, Array(body.utf8))
    }

    @discardableResult
    func postRaw(_ path: String, _ body: [UInt8]) async throws -> APIResult {
        var h = headers
        h[.contentType] = "application/x-www-form-urlencoded"
        return keep(try await api.send(.post, path, body: body, token: "", headers: h))
    }
}

enum RespondentCookiesName {
    static let csrf = "advocate_csrf"
}

extension APIResult {
    var html: String { String(decoding: bytes, as: UTF8.self) }
}

/// What the database holds for the responses of a survey, every status included.
struct StoredResponse: Sendable, Equatable {
    var id: Int64
    var score: Int
    var comment: String?
    var status: String
    var flagReason: String?
    var answers: String
    var noContact: Bool
    var channel: String
}

extension APIHarness {
    func storedResponses(surveyID: Int64) async throws -> [StoredResponse] {
        try await store.database.read { sql in
            try await sql.raw("SELECT * FROM responses WHERE survey_id = \(bind: surveyID) ORDER BY id").all().map { row in
                StoredResponse(id: try row.decode(column: "id", as: Int64.self), score: try row.decode(column: "score", as: Int.self),
                               comment: try row.decode(column: "comment", as: String?.self),
                               status: try row.decode(column: "status", as: String.self),
                               flagReason: try row.decode(column: "flag_reason", as: String?.self),
                               answers: try row.decode(column: "answers", as: String.self),
                               noContact: try row.decode(column: "no_contact", as: Int.self) != 0,
                               channel: try row.decode(column: "channel", as: String.self))
            }
        }
    }

    /// The survey's NPS report total (what the rollup counts).
    func reportedCount(surveyID: Int64) async throws -> Int {
        let r = try await send(.get, "/api/v1/surveys/\(surveyID)/report")
        if case .integer(let n)? = r.json["responses"] { return Int(n) }
        throw HarnessError("no n in report: \(String(decoding: r.bytes, as: UTF8.self))")
    }

    /// A contact and an e-mail invitation to `surveyID`, marked as sent `sentAgo` ago; its token.
    func sentInvitation(surveyID: Int64, externalID: String = "ada", locale: String? = nil,
                        sentAgoMilliseconds: Int64 = 3_600_000) async throws -> (token: String, invitationID: Int64) {
        _ = try await store.upsertContact(workspaceID: workspaceID, ContactInput(externalID: externalID, email: "\(externalID)@example.com",
                                                                                  name: "Ada", locale: locale))
        let pair = InvitationToken.make()
        let decisions = try await store.createInvitations(workspaceID: workspaceID, surveyID: surveyID, targets: [.externalID(externalID)],
                                                          options: InvitationOptions(sendAt: clock.now()), makeToken: { pair })
        guard case .invited(let invitation, _)? = decisions?.first else { throw HarnessError("not invited: \(String(describing: decisions))") }
        let sentAt = clock.now().adding(milliseconds: -sentAgoMilliseconds).milliseconds
        try await store.database.write { sql in
            try await sql.raw("UPDATE invitations SET status = 'sent', sent_at = \(bind: sentAt), messages_sent = 1 WHERE id = \(bind: invitation.id)").run()
        }
        return (pair.token, invitation.id)
    }
}
