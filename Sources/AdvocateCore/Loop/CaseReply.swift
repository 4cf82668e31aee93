import NPS

/// The e-mail a case's owner sends the respondent, drafted from the answer's category and
/// edited before it goes: an apology and a question for detractors, thanks with review and
/// referral links and a post ready to share for promoters, a neutral note for passives.
public struct CaseReply: Sendable, Hashable {
    public var subject: String
    public var text: String

    public init(subject: String, text: String) {
        self.subject = subject
        self.text = text
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

    /// The draft for an answer of `score` (with `comment`) about `productName`, signed by `sender`.
    public static func draft(score: Score, comment: String?, productName: String, contactName: String?, sender: String?,
                             links: PromoterLinks = PromoterLinks()) -> CaseReply {
        let hello = contactName.map { "Hi \($0)," } ?? "Hello,"
        let signature = sender.map { "\n\n\($0)" } ?? ""
        let quoted = comment.flatMap { $0.isEmpty ? nil : "\n\nYou wrote: “\($0)”" } ?? ""
        switch score.category {
        case .detractor:
            return CaseReply(subject: "Sorry about your experience with \(productName)", text: """
                \(hello)

                Thank you for telling us how \(productName) is working for you, and I am sorry it has fallen short.\(quoted)

                Could you tell me what would make the biggest difference for you? I read every answer and will get back to you personally.\(signature)
                """)
        case .passive:
            return CaseReply(subject: "Thanks for your feedback on \(productName)", text: """
                \(hello)

                Thank you for rating \(productName) \(score.value) out of 10.\(quoted)

                What is the one thing we could do to make it a 10 for you?\(signature)
                """)
        case .promoter:
            var extras: [String] = []
            if !links.reviewSites.isEmpty {
                extras.append("If you have a minute, a review helps others find us:\n" + links.reviewSites.map { "- \($0.name): \($0.url)" }.joined(separator: "\n"))
            }
            if let referral = links.referralURL { extras.append("Know someone who would like \(productName)? Share your referral link: \(referral)") }
            let post = links.sharePost ?? "I recommend \(productName)."
            extras.append("Or share a post, ready to go:\n\(post)")
            return CaseReply(subject: "Thank you from \(productName)", text: """
                \(hello)

                Thank you for rating \(productName) \(score.value) out of 10. It means a lot to the whole team.\(quoted)

                \(extras.joined(separator: "\n\n"))\(signature)
                """)
        }
    }
}
