import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Crypto
import Foundation
import Hummingbird
import NPS

/// `/widget/v1/*`: what `/widget.js` calls from customers' pages (docs/widget.md).
///
/// The host page says who the user is; the server decides whether to ask (eligibility lives
/// here, not in the page) and remembers the display by a random token, so later calls need no
/// identity. Identities are signed by the host's backend: HMAC-SHA256 of the user id with the
/// workspace's widget secret, checked in constant time.
struct WidgetController {
    let store: AdvocateStore
    let limiter: PublicRateLimiter

    static let bodyLimit = 64 * 1024

    func addRoutes(to router: Router<AppContext>) {
        // CORS first, so a browser can read the 429 too.
        let group = router.group("widget/v1").add(middleware: WidgetCORSMiddleware()).add(middleware: WidgetRateLimitMiddleware(limiter: limiter))
        group.post("check", use: check)
        group.post("answer", use: answer)
        group.post("dismiss", use: dismiss)
        for path in ["check", "answer", "dismiss"] {
            group.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
        }
    }

    // MARK: - check

    @Sendable func check(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let r = InputReader(try await request.jsonBody(limit: Self.bodyLimit))
        let slug = r.string("workspace", required: true, maxCharacters: 100, nullable: false)
        let user = r.object("user") { u -> (ContactInput, Timestamp?) in
            let id = u.string("id", required: true, maxCharacters: Limits.externalIDCharacters, nullable: false)
            if let id, !Identifiers.isValidExternalID(id) { u.fail("id", "must be 1 to \(Limits.externalIDCharacters) characters without control characters") }
            var contact = ContactInput(externalID: id)
            if let email = u.string("email", maxCharacters: Limits.emailCharacters) {
                if let e = Identifiers.normalizedEmail(email) { contact.email = e } else { u.fail("email", "must be an e-mail address") }
            }
            contact.name = u.string("name", maxCharacters: Limits.nameCharacters)
            contact.properties = u.properties("properties", allowNull: false)
            let createdAt = u.timestamp("created_at")
            return (contact, createdAt)
        }
        if !r.has("user") { r.fail("user", "is required: {\"id\": …}") }
        let signature = r.string("signature", maxCharacters: 128)
        let languages = r.string("locale", maxCharacters: 500)
        let event = r.string("event", maxCharacters: 100)
        if let event, !WidgetSettings.isEventName(event) {
            r.fail("event", "must be 1 to 100 letters, digits, '.', '_', '-' or ':'")
        }
        try r.finish()
        guard let slug, let (input, createdAt) = user, let externalID = input.externalID else { throw Problem.badRequest("user.id is required") }

        guard let workspace = try await store.workspace(slug: slug) else {
            throw Problem.notFound("no workspace \"\(slug)\"; check the workspace in Advocate.init")
        }
        let configuration = try await store.widgetConfiguration(workspaceID: workspace.id)
        if configuration.settings.requireSignature {
            guard let secret = configuration.secret else {
                throw Problem(status: .forbidden, detail: "the workspace has no widget secret yet: create one with POST /api/v1/widget/secret")
            }
            guard let signature else {
                throw Problem(status: .unauthorized, detail: "signature is required: HMAC-SHA256 of user.id with the workspace's widget secret, in hex")
            }
            guard Self.verify(signature: signature, userID: externalID, secret: secret) else {
                throw Problem(status: .forbidden, detail: "the signature does not match user.id (HMAC-SHA256 with the widget secret, lowercase hex)")
            }
        }
        guard configuration.settings.enabled, let surveyID = configuration.settings.surveyID else {
            return JSONResponse.make(.object(["show": .bool(false), "reason": .string(WidgetHideReason.disabled.rawValue)]))
        }
        var contactInput = input
        if let createdAt {
            contactInput.properties = (contactInput.properties ?? [:]).merging(["signed_up_at": .string(createdAt.rfc3339)]) { _, new in new }
        }
        let contact = try await store.upsertContact(workspaceID: workspace.id, contactInput).contact
        let tags = (languages ?? "").split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
        guard let survey = try await store.survey(workspaceID: workspace.id, id: surveyID) else {
            return JSONResponse.make(.object(["show": .bool(false), "reason": .string(WidgetHideReason.disabled.rawValue)]))
        }
        let catalog = Catalog.best(for: [contact.locale] + tags.map(Optional.some) + [survey.defaultLocale])
        let token = InvitationToken.make()
        switch try await store.openWidgetDisplay(workspaceID: workspace.id, contact: contact, event: event, locale: catalog.locale,
                                                 tokenHash: token.hash) {
        case .failure(let reason):
            return JSONResponse.make(.object(["show": .bool(false), "reason": .string(reason.rawValue)]))
        case .success:
            return JSONResponse.make(.object(["show": .bool(true), "display": .string(token.token),
                                              "survey": Self.surveyPayload(survey, catalog: catalog)]))
        }
    }

    static func verify(signature: String, userID: String, secret: String) -> Bool {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(userID.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let expected = mac.map { String(format: "%02x", $0) }.joined()
        return ConstantTime.equal(expected.utf8, signature.lowercased().utf8)
    }

    /// Everything the widget shows, in the respondent's language.
    static func surveyPayload(_ survey: Survey, catalog: Catalog) -> JSONValue {
        let product = survey.productName
        func text(_ key: String) -> JSONValue { .string(catalog.text(key, ["product": product])) }
        let categories = NPS.Category.allCases
        return .object([
            "lang": .string(catalog.locale),
            "dir": .string(catalog.direction),
            "numerals": .array((0...10).map { .string(catalog.number($0)) }),
            "scale_style": .string(survey.settings.scaleStyle.rawValue),
            "brand_color": .string(survey.settings.brandColor),
            "strings": .object([
                "question": text("question"),
                "low": text("scale.low"),
                "high": text("scale.high"),
                "score_name": .array((0...10).map { .string(catalog.text("scale.score_name", ["score": catalog.number($0)])) }),
                "followup": .object(Dictionary(uniqueKeysWithValues: categories.map { ($0.rawValue, text("followup.\($0.rawValue)")) })),
                "comment_label": text("page.comment_label"),
                "send": text("page.submit"),
                "skip": text("page.skip"),
                "dismiss": text("widget.dismiss"),
                "close": text("widget.close"),
                "label": text("widget.label"),
                "thanks_title": text("thanks.title"),
                "thanks": .object(Dictionary(uniqueKeysWithValues: categories.map { ($0.rawValue, text("thanks.\($0.rawValue)")) })),
                "comment_too_long": .string(catalog.text("page.comment_too_long", ["limit": catalog.number(Limits.commentCharacters)])),
                "comment_limit": .integer(Int64(Limits.commentCharacters)),
            ]),
        ])
    }

    // MARK: - answer and dismiss

    @Sendable func answer(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let r = InputReader(try await request.jsonBody(limit: Self.bodyLimit))
        let token = r.string("display", required: true, maxCharacters: 100, nullable: false)
        let score = r.integer("score", required: true, in: 0...10)
        let comment = r.string("comment", maxCharacters: Limits.commentCharacters)
        try r.finish()
        let display = try await findDisplay(token)
        guard let score, let category = Score(Int(score))?.category else { throw Problem.badRequest("score is required") }
        let trimmed = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        var change = AnswerChange(score: Int(score), locale: display.locale, human: true)
        if let trimmed { change.comment = .some(trimmed.isEmpty ? nil : trimmed); change.complete = true }
        _ = try await store.saveAnswer(change, for: .widget(display))
        return JSONResponse.make(.object(["category": .string(category.rawValue)]))
    }

    @Sendable func dismiss(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let r = InputReader(try await request.jsonBody(limit: Self.bodyLimit))
        let token = r.string("display", required: true, maxCharacters: 100, nullable: false)
        try r.finish()
        try await store.dismissWidget(try await findDisplay(token))
        return Response(status: .noContent)
    }

    /// Answers are taken for a week after the widget was shown.
    static let displayLifetimeDays = 7

    private func findDisplay(_ token: String?) async throws -> WidgetDisplay {
        guard let token, InvitationToken.isWellFormed(token),
              let display = try await store.widgetDisplay(tokenHash: InvitationToken.hash(token)) else {
            throw Problem.notFound("no such widget display; the widget must call /widget/v1/check first")
        }
        guard store.clock.now() < display.shownAt.adding(days: Self.displayLifetimeDays) else {
            throw Problem(status: .gone, detail: "this widget display has expired; check again")
        }
        return display
    }
}

/// Lets customers' pages on any origin call the widget endpoints (no cookies are involved:
/// the display token is the only credential), including their error responses.
struct WidgetCORSMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try ProblemMiddleware<AppContext>.problem(for: error, context: context).response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        if request.method == .options {
            response.headers[.accessControlAllowMethods] = "POST, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Content-Type"
            response.headers[.accessControlMaxAge] = "86400"
        }
        return response
    }
}
