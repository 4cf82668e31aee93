import NPS

/// The e-mail a case's owner sends the respondent, drafted from the answer's category in the
/// respondent's language and edited before it goes: an apology and a question for detractors,
/// thanks with review and referral links and a post ready to share for promoters, a neutral note
/// for passives.
public struct CaseReply: Sendable, Hashable {
    public var subject: String
    public var text: String
    /// The language the draft is in (a catalog's tag), and its direction, for the form that edits it.
    public var language: String
    public var isRightToLeft: Bool

    public init(subject: String, text: String, language: String = "en", isRightToLeft: Bool = false) {
        self.subject = subject
        self.text = text
        self.language = language
        self.isRightToLeft = isRightToLeft
    }

    /// Longest subject and body accepted.
    public static let maxSubjectCharacters = 200
    public static let maxTextCharacters = 20_000

    /// What the promoter template can offer besides thanks (from the survey's thank-you settings).
    public struct PromoterLinks: Sendable, Hashable {
        public var reviewSites: [ReviewSite]
        public var referralURL: String?
        public var sharePost: String?
        public init(reviewSites: [ReviewSite] = [], referralURL: String? = nil, sharePost: String? = nil) {
            self.reviewSites = reviewSites
            self.referralURL = referralURL
            self.sharePost = sharePost
        }
    }

    /// The language a reply speaks: the one the respondent answered in, else the contact's, else
    /// the survey's default, else English.
    public static func catalog(responseLocale: String?, contactLocale: String?, surveyLocale: String?) -> Catalog {
        Catalog.best(for: [responseLocale, contactLocale, surveyLocale])
    }

    /// The draft for an answer of `score` (with `comment`) about `productName`, signed by
    /// `sender`, in `catalog`'s language (its `reply.*` strings).
    public static func draft(score: Score, comment: String?, productName: String, contactName: String?, sender: String?,
                             links: PromoterLinks = PromoterLinks(), catalog: Catalog = .english) -> CaseReply {
        let hello = contactName.map { catalog.text("email.greeting", ["name": $0]) } ?? catalog.text("email.greeting_anonymous")
        let signature = sender.map { "\n\n\($0)" } ?? ""
        let quoted = comment.flatMap { $0.isEmpty ? nil : "\n\n" + catalog.text("reply.quote", ["comment": $0]) } ?? ""
        let product = ["product": productName]
        let rated = ["product": productName, "score": catalog.number(score.value)]
        let subject: String
        var paragraphs: [String]
        switch score.category {
        case .detractor:
            subject = catalog.text("reply.detractor.subject", product)
            paragraphs = [catalog.text("reply.detractor.text", product) + quoted, catalog.text("reply.detractor.question")]
        case .passive:
            subject = catalog.text("reply.passive.subject", product)
            paragraphs = [catalog.text("reply.passive.text", rated) + quoted, catalog.text("reply.passive.question")]
        case .promoter:
            subject = catalog.text("reply.promoter.subject", product)
            paragraphs = [catalog.text("reply.promoter.text", rated) + quoted]
            if !links.reviewSites.isEmpty {
                paragraphs.append(catalog.text("reply.promoter.reviews") + "\n" + links.reviewSites.map { "- \($0.name): \($0.url)" }.joined(separator: "\n"))
            }
            if let referral = links.referralURL { paragraphs.append(catalog.text("reply.promoter.referral", ["product": productName, "url": referral])) }
            let post = links.sharePost ?? catalog.text("reply.promoter.default_post", product)
            paragraphs.append(catalog.text("reply.promoter.post") + "\n" + post)
        }
        return CaseReply(subject: subject, text: ([hello] + paragraphs).joined(separator: "\n\n") + signature, language: catalog.locale,
                         isRightToLeft: catalog.isRightToLeft)
    }
}
