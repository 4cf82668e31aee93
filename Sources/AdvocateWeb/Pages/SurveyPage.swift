import AdvocateCore
import AdvocateStore
import Hummingbird
import NPS

/// One rendering of a respondent page: the question (no score yet), the answer form (a score
/// chosen: follow-up question and extra questions), or the category's thank-you page.
struct SurveyPage {
    let visit: SurveyVisit
    let catalog: Catalog
    /// The page's own path (`/r/{token}` or `/l/{token}`): forms post back to it.
    let path: String
    let csrf: String
    /// Show the answer form even when the respondent has finished (they chose to change it).
    var editing = false
    /// A score chosen but not saved yet (a score link clicked over a counted answer, or a form refused).
    var pendingScore: Int?
    /// The comment as typed in a refused form, shown again instead of the saved one.
    var draftComment: String?
    var notice: String?
    var error: String?
    var commentError = false
    /// Where the page's interaction beacon posts, when a provisional score awaits a human signal.
    var beacon: String?

    init(visit: SurveyVisit, catalog: Catalog, path: String, csrf: String) {
        self.visit = visit
        self.catalog = catalog
        self.path = path
        self.csrf = csrf
    }

    private var survey: Survey { visit.survey }
    private var settings: SurveySettings { survey.settings }
    private var product: String { visit.productName }

    func render(_ renderer: PageRenderer, status: HTTPResponse.Status = .ok, cookies: [Cookie]) -> Response {
        var response: Response
        if let answer = visit.answer, answer.completedAt != nil, !editing, pendingScore == nil, error == nil {
            response = renderer.render("thanks", thanksValues(answer), catalog: catalog, title: catalog.text("thanks.title"),
                                       brandColor: settings.brandColor, status: status)
        } else {
            response = renderer.render("survey", surveyValues(), catalog: catalog, title: catalog.text("page.title", ["product": product]),
                                       brandColor: settings.brandColor, script: beacon != nil, status: status)
        }
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    // MARK: - The question and answer form

    func surveyValues() -> [String: Any] {
        let answer = visit.answer
        let score = pendingScore ?? answer?.score
        var values: [String: Any] = [
            "product": product,
            "question": catalog.text("question", ["product": product]),
            "action": path,
            "csrf": csrf,
            "low": catalog.text("scale.low"),
            "high": catalog.text("scale.high"),
            "scores": (0...10).map { n -> [String: Any] in
                [
                    "value": n,
                    "digit": catalog.number(n),
                    "label": scoreLabel(n),
                    "style": settings.scaleStyle == .neutral ? "neutral" : Score(n)!.category.rawValue,
                    "pressed": n == score ? "true" : "false",
                ]
            },
        ]
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        if let beacon { values["beacon"] = beacon }
        guard let score, let category = Score(score)?.category else { return values }
        values["hasScore"] = true
        values["score"] = score
        // "You chose 7 … then confirm" only where the button confirms (a one-click or pending score).
        if answer?.status != .counted || pendingScore != nil {
            values["chosen"] = catalog.text("page.score_selected", ["score": catalog.number(score)])
        }
        values["followup"] = followup(category)
        values["limit"] = Limits.commentCharacters
        values["comment"] = draftComment ?? answer?.comment ?? ""
        values["commentError"] = commentError
        values["send"] = answer?.status == .counted && pendingScore == nil ? catalog.text("page.submit") : catalog.text("page.confirm_score")
        values["questions"] = settings.questions(for: category).map { question(for: $0, answer: answer?.answers[$0.id]) }
        return values
    }

    private func scoreLabel(_ n: Int) -> String {
        let name = catalog.text("scale.score_name", ["score": catalog.number(n)])
        switch n {
        case 0: return catalog.text("scale.score_label", ["score": name, "anchor": catalog.text("scale.low")])
        case 10: return catalog.text("scale.score_label", ["score": name, "anchor": catalog.text("scale.high")])
        default: return name
        }
    }

    private func followup(_ category: NPS.Category) -> String {
        catalog.text("followup.\(category.rawValue)", ["product": product])
    }

    private func question(for q: ExtraQuestion, answer: JSONValue?) -> [String: Any] {
        var values: [String: Any] = [
            "id": q.id,
            "prompt": q.prompt.resolve(catalog.locale),
            "optional": catalog.text("page.optional"),
            "isText": q.kind == .text,
            "isChoice": q.kind == .singleChoice,
            "isRating": q.kind == .rating,
            "maxLength": SurveySettings.textAnswerCharacters,
        ]
        switch q.kind {
        case .text:
            if case .string(let s)? = answer { values["value"] = s } else { values["value"] = "" }
        case .singleChoice:
            values["options"] = q.options.enumerated().map { i, option -> [String: Any] in
                let stored = option.resolve("en")
                return ["index": i, "text": option.resolve(catalog.locale), "checked": answer == .string(stored)]
            }
        case .rating:
            values["options"] = (0...10).map { n -> [String: Any] in
                ["index": n, "text": catalog.number(n), "checked": answer == .integer(Int64(n))]
            }
        }
        return values
    }

    // MARK: - Thank-you

    func thanksValues(_ answer: RespondentAnswer) -> [String: Any] {
        let category = Score(answer.score)?.category ?? .passive
        var values: [String: Any] = [
            "product": product,
            "thanksTitle": catalog.text("thanks.title"),
            "message": catalog.text("thanks.\(category.rawValue)", ["product": product]),
            "action": path,
            "csrf": csrf,
            "editURL": "\(path)?edit=1",
            "changeScore": catalog.text("page.change_score"),
        ]
        if let notice { values["notice"] = notice }
        switch category {
        case .detractor:
            values["detractor"] = true
            values["optOut"] = catalog.text("thanks.detractor_optout")
            values["noContact"] = answer.noContact
            values["save"] = catalog.text("page.submit")
        case .passive:
            break
        case .promoter:
            values["promoter"] = true
            values["reviews"] = settings.reviewSites.map { site -> [String: Any] in
                ["prompt": catalog.text("thanks.promoter_review", ["site": site.name]),
                 "label": catalog.text("thanks.promoter_review_button", ["site": site.name]), "url": site.url]
            }
            if let template = settings.referralURL {
                values["referral"] = ShareLinks.referral(template, externalID: visit.contact?.externalID, contactID: visit.contact?.id)
                values["referralPrompt"] = catalog.text("thanks.promoter_referral", ["product": product])
            }
            let text = settings.shareText?.resolve(catalog.locale) ?? catalog.text("thanks.share_text", ["product": product])
            let url = settings.shareURL
            values["sharePrompt"] = catalog.text("thanks.promoter_share", ["product": product])
            values["shareX"] = ShareLinks.xIntent(text: text, url: url)
            values["shareXLabel"] = catalog.text("thanks.share_x")
            values["shareLinkedIn"] = ShareLinks.linkedInIntent(text: text, url: url)
            values["shareLinkedInLabel"] = catalog.text("thanks.share_linkedin")
        }
        return values
    }
}
