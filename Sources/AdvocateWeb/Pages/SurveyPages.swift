import AdvocateCore
import AdvocateJobs
import AdvocateStore
import Crypto
import Foundation
import Hummingbird
import NPS

/// The pages a respondent answers on (docs/respondent.md):
///
/// - `/r/{token}` and `/r/{token}/{score}`: an invitation's page and its one-click score links
///   (e-mail, or a personal link handed out by SMS or chat);
/// - `/l/{token}`: an anonymous link, one answer per browser.
///
/// Every step is a plain form POST followed by a redirect, so the pages work without JavaScript
/// and a reload never re-sends a form; each step saves at once, so a respondent who leaves after
/// the score still counts, and one who comes back changes the same response.
struct SurveyPages {
    let store: AdvocateStore
    let cookies: RespondentCookies
    let limiter: FixedWindowLimiter
    /// One-click links: per address and per invitation.
    let publicLimiter: PublicRateLimiter
    private let renderer = PageRenderer.shared

    init(store: AdvocateStore, secureCookies: Bool, publicLimiter: PublicRateLimiter) {
        self.store = store
        self.publicLimiter = publicLimiter
        self.cookies = RespondentCookies(secure: secureCookies)
        self.limiter = FixedWindowLimiter(clock: store.clock)
    }

    /// Largest form body: a full comment in a 4-byte script, extra answers and percent-encoding.
    static let formLimit = 128 * 1024

    func addRoutes(to router: Router<AppContext>) {
        router.get("r/:token", use: showInvitation)
        router.post("r/:token", use: submitInvitation)
        router.get("r/:token/:score", use: scoreLink)
        router.head("r/:token/:score", use: scoreLink)
        router.post("r/:token/beacon", use: beacon)
        router.get("l/:token", use: showLink)
        router.post("l/:token", use: submitLink)
    }

    // MARK: - Invitations

    @Sendable func showInvitation(_ request: Request, context: AppContext) async throws -> Response {
        let found = try await findInvitation(request, context: context)
        guard case .found(_, let visit, let catalog) = found else { return found.page(renderer) }
        let session = cookies.session(request, respondent: false)
        var page = SurveyPage(visit: visit, catalog: catalog, path: "/r/\(token(context))", csrf: session.csrf)
        page.editing = request.uri.queryParameters["edit"] != nil
        page.notice = notice(request, catalog: catalog, answer: visit.answer)
        if visit.answer?.status == .provisional { page.beacon = "/r/\(token(context))/beacon" }
        return page.render(renderer, cookies: session.cookies)
    }

    /// A one-click score link from an e-mail: saves the score as provisional (or flags a
    /// scanner's hit) and shows the page with the score chosen, asking for a comment and a confirmation.
    @Sendable func scoreLink(_ request: Request, context: AppContext) async throws -> Response {
        // Counted whether or not the token is real, so guessing tokens runs into the limit too.
        let addressWait = publicLimiter.refusal(endpoint: "click", address: context.remoteIP)
        if let addressWait, request.method == .head { return Self.tooMany(Response(status: .tooManyRequests), wait: addressWait) }
        let found = try await findInvitation(request, context: context)
        guard case .found(let invitation, var visit, let catalog) = found else { return found.page(renderer) }
        let path = "/r/\(token(context))"
        let session = cookies.session(request, respondent: false)
        if let wait = addressWait ?? publicLimiter.refusal(invitationID: invitation.id) {
            var page = SurveyPage(visit: visit, catalog: catalog, path: path, csrf: session.csrf)
            page.error = catalog.text("page.rate_limited")
            return Self.tooMany(page.render(renderer, status: .tooManyRequests, cookies: session.cookies), wait: wait)
        }
        guard let text = context.parameters.get("score"), let score = Int(text), (0...10).contains(score), String(score) == text else {
            var page = SurveyPage(visit: visit, catalog: catalog, path: path, csrf: session.csrf)
            page.error = catalog.text("page.required_score")
            return page.render(renderer, status: .badRequest, cookies: session.cookies)
        }
        let outcome = try await store.recordScoreLinkHit(invitation: invitation, score: score, method: request.method.rawValue,
                                                          userAgent: request.headers[.userAgent])
        if request.method == .head { return Response(status: .ok, headers: [.cacheControl: "no-store"]) }
        visit.answer = outcome.answer
        var page = SurveyPage(visit: visit, catalog: catalog, path: path, csrf: session.csrf)
        page.editing = true
        if let answer = outcome.answer, answer.status == .counted, answer.score != score { page.pendingScore = score }
        if outcome.answer?.status == .provisional { page.beacon = "\(path)/beacon" }
        return page.render(renderer, cookies: session.cookies)
    }

    /// A 429 with how long to wait; nothing was recorded.
    private static func tooMany(_ response: Response, wait: Int) -> Response {
        var response = response
        response.headers[.retryAfter] = String(wait)
        return response
    }

    /// The page's interaction beacon: a person is there, so a provisional score counts.
    @Sendable func beacon(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        guard let form = try? await request.formBody(limit: 4 * 1024), cookies.verify(request, form: form) else {
            throw Problem(status: .forbidden, detail: "the beacon must carry the page's form token")
        }
        let found = try await findInvitation(request, context: context)
        guard case .found(let invitation, let visit, _) = found, let answer = visit.answer, answer.status == .provisional else {
            return Response(status: .noContent)
        }
        _ = try await store.saveAnswer(AnswerChange(human: !ScannerDetection.isScannerAgent(request.headers[.userAgent])),
                                       for: .invitation(invitation))
        return Response(status: .noContent)
    }

    @Sendable func submitInvitation(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let form = await readForm(&request)
        let found = try await findInvitation(request, context: context)
        guard case .found(let invitation, let visit, let catalog) = found else { return found.page(renderer) }
        return try await submit(form, request: request, visit: visit, catalog: catalog, path: "/r/\(token(context))",
                                owner: .invitation(invitation), isNew: visit.answer == nil, rateKey: nil)
    }

    // MARK: - Anonymous links

    @Sendable func showLink(_ request: Request, context: AppContext) async throws -> Response {
        let found = try await findLink(request, context: context)
        guard case .found(_, let visit, let catalog) = found else { return found.page(renderer) }
        let session = cookies.session(request, respondent: true)
        var page = SurveyPage(visit: visit, catalog: catalog, path: "/l/\(token(context))", csrf: session.csrf)
        page.editing = request.uri.queryParameters["edit"] != nil
        page.notice = notice(request, catalog: catalog, answer: visit.answer)
        return page.render(renderer, cookies: session.cookies)
    }

    @Sendable func submitLink(_ request: Request, context: AppContext) async throws -> Response {
        var request = request
        let form = await readForm(&request)
        let found = try await findLink(request, context: context)
        guard case .found(let link, let visit, let catalog) = found else { return found.page(renderer) }
        guard let key = cookies.respondentKey(request) else {
            // No cookie, no way to keep this browser to one answer: start again with one.
            let session = cookies.session(request, respondent: true)
            var page = SurveyPage(visit: visit, catalog: catalog, path: "/l/\(token(context))", csrf: session.csrf)
            page.error = catalog.text("page.form_expired")
            return page.render(renderer, status: .forbidden, cookies: session.cookies)
        }
        return try await submit(form, request: request, visit: visit, catalog: catalog, path: "/l/\(token(context))",
                                owner: .link(link, respondentKey: key), isNew: visit.answer == nil,
                                rateKey: "\(link.id)|\(context.remoteIP ?? "unknown")")
    }

    // MARK: - The form

    private enum FormRead { case fields([String: String]), tooLarge, unreadable }

    private func readForm(_ request: inout Request) async -> FormRead {
        do {
            return .fields(try await request.formBody(limit: Self.formLimit))
        } catch let problem as Problem where problem.status == .contentTooLarge {
            return .tooLarge
        } catch {
            return .unreadable
        }
    }

    /// Validates the whole form first and saves it in one transaction: a refused form writes nothing.
    private func submit(_ read: FormRead, request: Request, visit: SurveyVisit, catalog: Catalog, path: String,
                        owner: AnswerOwner, isNew: Bool, rateKey: String?) async throws -> Response {
        let session = cookies.session(request, respondent: rateKey != nil)
        var page = SurveyPage(visit: visit, catalog: catalog, path: path, csrf: session.csrf)
        page.editing = true
        let issued = session.cookies
        func refuse(_ key: String, _ status: HTTPResponse.Status, _ values: [String: String] = [:]) -> Response {
            page.error = catalog.text(key, values)
            return page.render(renderer, status: status, cookies: issued)
        }
        let form: [String: String]
        switch read {
        case .tooLarge: return refuse("page.comment_too_long", .contentTooLarge, ["limit": catalog.number(Limits.commentCharacters)])
        case .unreadable: return refuse("page.invalid_input", .badRequest)
        case .fields(let f): form = f
        }
        guard cookies.verify(request, form: form) else { return refuse("page.form_expired", .forbidden) }

        if form["step"] == "contact" {
            guard visit.answer != nil else { return refuse("page.required_score", .badRequest) }
            _ = try await store.saveAnswer(AnswerChange(noContact: form["no_contact"] == "1", human: isHuman(request)), for: owner)
            return renderer.redirect(to: "\(path)?saved=contact")
        }

        guard let scoreText = form["pick"] ?? form["score"] else { return refuse("page.required_score", .badRequest) }
        guard let score = Int(scoreText), (0...10).contains(score), String(score) == scoreText else {
            return refuse("page.required_score", .badRequest)
        }
        page.pendingScore = score
        var change = AnswerChange(score: score, locale: catalog.locale, human: isHuman(request))
        if let comment = form["comment"] {
            let trimmed = comment.trimmingCharacters(in: .whitespacesAndNewlines)
            page.draftComment = comment
            if trimmed.unicodeScalars.count > Limits.commentCharacters {
                page.commentError = true
                return refuse("page.comment_too_long", .badRequest, ["limit": catalog.number(Limits.commentCharacters)])
            }
            if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" || $0.value == 0x7F }) {
                return refuse("page.invalid_input", .badRequest)
            }
            change.comment = .some(trimmed.isEmpty ? nil : trimmed)
        }
        for question in visit.survey.settings.questions(for: Score(score)!.category) {
            guard let value = form["q_\(question.id)"] else { continue }
            guard let answer = question.answer(from: value) else { return refuse("page.invalid_input", .badRequest) }
            change.answers[question.id] = answer
        }
        let sent = form["send"] != nil && form["pick"] == nil
        change.complete = sent
        if isNew, let rateKey, !limiter.take(rateKey) { return refuse("page.rate_limited", .tooManyRequests) }
        let wasComplete = visit.answer?.completedAt != nil
        _ = try await store.saveAnswer(change, for: owner)
        if sent { return renderer.redirect(to: wasComplete ? "\(path)?saved=updated" : path, cookies: issued) }
        return renderer.redirect(to: "\(path)?edit=1", cookies: issued)
    }

    private func isHuman(_ request: Request) -> Bool { !ScannerDetection.isScannerAgent(request.headers[.userAgent]) }

    private func notice(_ request: Request, catalog: Catalog, answer: RespondentAnswer?) -> String? {
        switch request.uri.queryParameters["saved"] {
        case "updated": catalog.text("thanks.updated")
        case "contact" where answer?.noContact == true: catalog.text("thanks.detractor_optout_saved")
        default: nil
        }
    }

    // MARK: - Lookup

    private func token(_ context: AppContext) -> String { context.parameters.get("token") ?? "" }

    private func findInvitation(_ request: Request, context: AppContext) async throws -> Lookup<Invitation> {
        let accept = request.headers[.acceptLanguage]
        let token = token(context)
        guard InvitationToken.isWellFormed(token), let (invitation, visit) = try await store.invitationVisit(tokenHash: InvitationToken.hash(token)) else {
            return .notFound(Catalog.best(for: [accept]))
        }
        let catalog = Catalog.best(for: [invitation.locale ?? visit.contact?.locale, accept, visit.survey.defaultLocale])
        let issued = invitation.sentAt ?? invitation.createdAt
        if store.clock.now() >= issued.adding(days: visit.survey.settings.tokenDays) { return .expired(catalog) }
        return .found(invitation, visit, catalog)
    }

    private func findLink(_ request: Request, context: AppContext) async throws -> Lookup<SurveyLink> {
        let accept = request.headers[.acceptLanguage]
        let token = token(context)
        guard InvitationToken.isWellFormed(token),
              let (link, visit) = try await store.linkVisit(tokenHash: InvitationToken.hash(token), respondentKey: cookies.respondentKey(request)) else {
            return .notFound(Catalog.best(for: [accept]))
        }
        let catalog = Catalog.best(for: [accept, visit.survey.defaultLocale])
        guard link.isOpen(at: store.clock.now()) else { return .expired(catalog) }
        return .found(link, visit, catalog)
    }
}

/// A token's lookup: what it opens, or the page that says why not.
enum Lookup<Owner> {
    case found(Owner, SurveyVisit, Catalog)
    case notFound(Catalog)
    case expired(Catalog)

    func page(_ renderer: PageRenderer) -> Response {
        switch self {
        case .found: fatalError("not an error")
        case .notFound(let catalog):
            return renderer.message(catalog: catalog, heading: catalog.text("page.not_found"), text: nil, status: .notFound)
        case .expired(let catalog):
            return renderer.message(catalog: catalog, heading: catalog.text("page.expired"), text: nil, status: .gone)
        }
    }
}
