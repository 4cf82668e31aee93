import Foundation
import NPS

/// A realistic, generated dataset for `advocate demo`: contacts with plan, country, industry,
/// company size, role, MRR, sign-up date and (for some) a churn date; answers over two years to
/// three surveys, in the contacts' languages, with comments that name the starter themes'
/// reasons; the invitations behind the e-mailed ones. Pure and deterministic: the same seed and
/// `now` give the same data, byte for byte.
///
/// What makes it worth looking at: paid plans score higher than free ones, enterprise highest;
/// detractors churn about five times as often as promoters; and a reliability release
/// `changeDaysAgo` days before `now` lifts the Relationship survey's NPS by about 15 points
/// (bugs stop being the top complaint), a real change the trend shows.
public struct DemoDataset: Sendable {
    public struct Contact: Sendable, Hashable {
        public var externalID: String
        public var email: String
        public var name: String
        public var locale: String
        /// plan, country, industry, company_size, role, mrr, signed_up_at.
        public var properties: Properties
        /// Set when the contact left, always after their last answer.
        public var churnedAt: Timestamp?
    }

    public struct Answer: Sendable, Hashable {
        /// Index into `surveys`.
        public var survey: Int
        /// Index into `contacts`.
        public var contact: Int
        public var score: Score
        public var comment: String?
        public var createdAt: Timestamp
        public var channel: Channel
        public var locale: String
        /// The answer's own properties (the device it was given on, time on page for in-app).
        public var properties: Properties
        /// "demo:N": the answer's own response (no round merges it) and the key its invitation names.
        public var sourceID: String
    }

    /// An e-mailed invitation: sent, maybe bounced, opened, clicked and answered.
    public struct Invitation: Sendable, Hashable {
        public var survey: Int
        public var contact: Int
        public var createdAt: Timestamp
        public var bounced: Bool
        public var openedAt: Timestamp?
        public var clickedAt: Timestamp?
        /// The answer it led to.
        public var answerSourceID: String?
    }

    public struct SurveySpec: Sendable, Hashable {
        public var name: String
        public var productName: String
        public var channel: Channel
        /// Share of all answers.
        public var share: Double
    }

    public static let surveys = [
        SurveySpec(name: "Relationship NPS", productName: "Acme Cloud", channel: .email, share: 0.7),
        SurveySpec(name: "After onboarding", productName: "Acme Cloud", channel: .inApp, share: 0.2),
        SurveySpec(name: "Support tickets", productName: "Acme Support", channel: .link, share: 0.1),
    ]

    public static let changeDaysAgo = 240

    public private(set) var contacts: [Contact] = []
    public private(set) var answers: [Answer] = []
    public private(set) var invitations: [Invitation] = []

    static let plans: [(name: String, weight: Double, mrr: ClosedRange<Double>, effect: Double)] = [
        ("free", 0.35, 0...0, -0.9), ("starter", 0.3, 29...99, -0.2), ("pro", 0.25, 149...499, 0.4), ("enterprise", 0.1, 1_200...6_000, 0.9),
    ]
    static let countries: [(code: String, locale: String, weight: Double, effect: Double)] = [
        ("US", "en", 0.24, 0), ("DE", "de", 0.16, -0.3), ("TR", "tr", 0.15, 0.3), ("BR", "pt", 0.12, 0.4),
        ("FR", "fr", 0.1, -0.2), ("KZ", "kk", 0.08, 0.2), ("SA", "ar", 0.08, 0.1), ("JP", "ja", 0.07, -0.5),
    ]
    static let industries = ["software", "retail", "finance", "healthcare", "education", "manufacturing", "media"]
    static let sizes = [("1-10", 0.3), ("11-50", 0.3), ("51-200", 0.22), ("201-1000", 0.12), ("1000+", 0.06)]
    static let roles = ["founder", "engineer", "product manager", "support lead", "marketer", "analyst"]
    static let firstNames = ["Ada", "Ayşe", "Mehmet", "Lena", "Jonas", "Maria", "João", "Camille", "Aigerim", "Nurlan", "Fatima", "Omar", "Yuki", "Haruto", "Emma", "Liam"]
    static let lastNames = ["Yılmaz", "Schmidt", "Silva", "Martin", "Nurlanov", "Al-Harbi", "Sato", "Smith", "Kaya", "Weber", "Santos", "Dubois"]

    /// Sentences in each language around a reason: what a promoter and a detractor write.
    static let templates: [String: (good: [String], bad: [String])] = [
        "en": (["Really happy with the {k}, thank you.", "The {k} is why we recommend you.", "Great {k}, keep it up!"],
               ["The {k} is a real problem for us.", "Disappointed with the {k} lately.", "Please fix the {k}, it costs us time."]),
        "de": (["{k}: wirklich sehr gut, danke!", "Wir empfehlen euch wegen {k}."], ["Mit {k} sind wir unzufrieden.", "{k} ist leider ein großes Problem."]),
        "tr": (["{k} konusunda çok memnunuz, teşekkürler.", "{k} harika, herkese öneririm."], ["{k} konusunda ciddi sorun yaşıyoruz.", "{k} yüzünden çok zaman kaybediyoruz."]),
        "pt": (["Gostamos muito de {k}, obrigado.", "{k} é ótimo, recomendo."], ["Temos problemas com {k}.", "{k} tem sido uma decepção."]),
        "fr": (["Très satisfaits de {k}, merci.", "{k} : vraiment excellent."], ["Nous avons des soucis avec {k}.", "{k} nous fait perdre du temps."]),
        "kk": (["{k} өте ұнайды, рақмет.", "{k} керемет, ұсынамын."], ["{k} бойынша қиындықтар бар.", "{k} көңілімізді қалдырды."]),
        "ar": (["{k} ممتاز، شكراً لكم.", "نوصي بكم بسبب {k}."], ["لدينا مشكلة مع {k}.", "{k} مخيب للآمال."]),
        "ja": (["{k}がとても良いです。", "{k}に満足しています。"], ["{k}に不満があります。", "{k}が問題です。"]),
    ]

    /// Reasons by category, before and after the release: (theme name, weight).
    static func reasons(_ category: NPS.Category, afterChange: Bool) -> [(String, Double)] {
        switch category {
        case .detractor:
            return [("Bugs and reliability", afterChange ? 0.12 : 0.4), ("Pricing", 0.3), ("Support speed", 0.2), ("Performance", 0.15), ("Documentation", 0.08)]
        case .passive:
            return [("Features", 0.35), ("Pricing", 0.25), ("Performance", 0.15), ("Onboarding", 0.15), ("Documentation", 0.1)]
        case .promoter:
            return [("Ease of use", 0.35), ("Support speed", 0.25), ("Features", 0.2), ("Onboarding", 0.12), ("Documentation", 0.08)]
        }
    }

    /// - Parameters:
    ///   - responses: answers to generate (about a quarter as many contacts).
    ///   - keywords: each starter theme's keywords by language (`StarterThemes`), to write comments with.
    public init(responses: Int, seed: UInt64, now: Timestamp, keywords: [String: [String: [String]]]) {
        var rng = SeededGenerator(seed: seed)
        let day = Timestamp.millisecondsPerDay
        let start = now.milliseconds - 730 * day
        let change = now.milliseconds - Int64(Self.changeDaysAgo) * day
        let contactCount = max(1, responses / 4)

        func pick<T>(_ items: [T], weight: (T) -> Double) -> T {
            let total = items.reduce(0) { $0 + weight($1) }
            var x = Double.random(in: 0..<total, using: &rng)
            for item in items {
                x -= weight(item)
                if x < 0 { return item }
            }
            return items[items.count - 1]
        }
        func normal() -> Double {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }

        // Contacts: who they are and how they feel about the product.
        var mood: [Double] = []
        // The instants, not the day in `signed_up_at`: every instant below is then an offset from
        // `now`, so two runs a few seconds apart give the same answers in the same order.
        var signedUpAt: [Int64] = []
        for i in 0..<contactCount {
            let plan = pick(Self.plans) { $0.weight }
            let country = pick(Self.countries) { $0.weight }
            let mrr = plan.mrr.upperBound == 0 ? 0 : (Double.random(in: plan.mrr, using: &rng)).rounded()
            // Whole days before `now`, so `signed_up_at` names the same day in two runs seconds apart.
            let signedUp = Timestamp(milliseconds: start - day * (Int64.random(in: 0..<(2 * 365), using: &rng) - Int64.random(in: 0..<700, using: &rng)))
            let first = Self.firstNames.randomElement(using: &rng)!, last = Self.lastNames.randomElement(using: &rng)!
            let properties: Properties = [
                "plan": .string(plan.name), "country": .string(country.code), "industry": .string(Self.industries.randomElement(using: &rng)!),
                "company_size": .string(pick(Self.sizes) { $0.1 }.0), "role": .string(Self.roles.randomElement(using: &rng)!),
                "mrr": .integer(Int64(mrr)), "signed_up_at": .string(SurveyTimeZone.utc.day(containing: signedUp).description),
            ]
            contacts.append(Contact(externalID: "demo-\(i + 1)", email: "customer\(i + 1)@demo.example", name: "\(first) \(last)",
                                    locale: country.locale, properties: properties, churnedAt: nil))
            signedUpAt.append(signedUp.milliseconds)
            mood.append(7.2 + plan.effect + country.effect + 1.3 * normal())
        }

        // Answers: spread over the two years, never before the contact signed up.
        var lastAnswer = [Int64](repeating: 0, count: contactCount)
        var scoreSum = [Double](repeating: 0, count: contactCount), scoreN = [Int](repeating: 0, count: contactCount)
        for n in 0..<responses {
            let surveyIndex = pick(Array(Self.surveys.indices)) { Self.surveys[$0].share }
            let survey = Self.surveys[surveyIndex]
            let c = Int.random(in: 0..<contactCount, using: &rng)
            let from = max(start, signedUpAt[c] + day)
            let at = from >= now.milliseconds - day ? now.milliseconds - Int64.random(in: 0..<day, using: &rng)
                                                    : Int64.random(in: from..<now.milliseconds, using: &rng)
            let after = at >= change
            var latent = mood[c] + 1.4 * normal()
            if after && surveyIndex == 0 { latent += 1.1 }
            if surveyIndex == 1 { latent += 0.3 }
            let score = Score(Int(min(10, max(0, latent.rounded()))))!
            let locale = contacts[c].locale
            var comment: String?
            if Double.random(in: 0..<1, using: &rng) < 0.38 {
                let theme = pick(Self.reasons(score.category, afterChange: after)) { $0.1 }.0
                let words = keywords[theme]?[locale] ?? keywords[theme]?["en"] ?? [theme.lowercased()]
                let word = words[Int.random(in: 0..<min(3, words.count), using: &rng)].replacingOccurrences(of: "*", with: "")
                let forms = Self.templates[locale] ?? Self.templates["en"]!
                let sentence = (score.category == .promoter ? forms.good : score.category == .detractor ? forms.bad : (Bool.random(using: &rng) ? forms.good : forms.bad))
                    .randomElement(using: &rng)!
                comment = sentence.replacingOccurrences(of: "{k}", with: word)
            }
            var own: Properties = ["device": .string(pick([("desktop", 0.62), ("mobile", 0.3), ("tablet", 0.08)]) { $0.1 }.0)]
            if survey.channel == .inApp {
                own["time_on_page"] = .integer(Int64(max(3, (40 * exp(0.8 * normal())).rounded())))
                own["sessions"] = .integer(Int64(Int.random(in: 1...60, using: &rng)))
            }
            answers.append(Answer(survey: surveyIndex, contact: c, score: score, comment: comment, createdAt: Timestamp(milliseconds: at),
                                  channel: survey.channel, locale: locale, properties: own, sourceID: "demo:\(n + 1)"))
            lastAnswer[c] = max(lastAnswer[c], at)
            scoreSum[c] += Double(score.value); scoreN[c] += 1
        }
        answers.sort { ($0.createdAt.milliseconds, $0.sourceID) < ($1.createdAt.milliseconds, $1.sourceID) }

        // Churn: unhappy customers leave more often, some time after their last answer.
        for c in 0..<contactCount where scoreN[c] > 0 {
            let mean = scoreSum[c] / Double(scoreN[c])
            let p = mean < 7 ? 0.4 : mean < 9 ? 0.16 : 0.07
            guard Double.random(in: 0..<1, using: &rng) < p else { continue }
            let at = lastAnswer[c] + Int64.random(in: (5 * day)..<(240 * day), using: &rng)
            if at < now.milliseconds { contacts[c].churnedAt = Timestamp(milliseconds: at) }
        }

        // The e-mailed survey's invitations: each answer's, and as many again unanswered.
        for a in answers where a.channel == .email {
            let sent = a.createdAt.milliseconds - Int64.random(in: (600_000)..<(3 * day), using: &rng)
            invitations.append(Invitation(survey: a.survey, contact: a.contact, createdAt: Timestamp(milliseconds: sent), bounced: false,
                                          openedAt: Timestamp(milliseconds: sent + 300_000), clickedAt: a.createdAt, answerSourceID: a.sourceID))
            for _ in 0..<(Double.random(in: 0..<1, using: &rng) < 0.55 ? 1 : 2) {
                let other = Int.random(in: 0..<contactCount, using: &rng)
                let bounced = Double.random(in: 0..<1, using: &rng) < 0.03
                let opened = !bounced && Double.random(in: 0..<1, using: &rng) < 0.45
                let clicked = opened && Double.random(in: 0..<1, using: &rng) < 0.15
                let when = sent + Int64.random(in: -day..<day, using: &rng)
                guard when < now.milliseconds else { continue }
                invitations.append(Invitation(survey: a.survey, contact: other, createdAt: Timestamp(milliseconds: when), bounced: bounced,
                                              openedAt: opened ? Timestamp(milliseconds: when + 3_600_000) : nil,
                                              clickedAt: clicked ? Timestamp(milliseconds: when + 3_700_000) : nil, answerSourceID: nil))
            }
        }
        invitations.sort { $0.createdAt.milliseconds < $1.createdAt.milliseconds }
    }

    /// A contact's properties as they are after the fact, with `churned_at` when they left.
    public func finalProperties(of contact: Contact) -> Properties {
        var p = contact.properties
        if let c = contact.churnedAt { p["churned_at"] = .string(SurveyTimeZone.utc.day(containing: c).description) }
        return p
    }
}
