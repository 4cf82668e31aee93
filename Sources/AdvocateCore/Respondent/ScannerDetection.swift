/// Why a hit on a one-click score link was taken for a machine rather than a person.
public enum ScannerSignal: String, Sendable, Hashable, CaseIterable {
    /// The User-Agent names a link scanner or a preview bot.
    case userAgent = "user_agent"
    /// A HEAD request: browsers never send one for a link a person opened.
    case head
    /// Several different score links of one invitation within a few seconds: a person clicks one.
    case burst
    /// Within seconds of the message's delivery: mail gateways scan links as the message arrives.
    case tooSoonAfterDelivery = "too_soon_after_delivery"
}

/// One earlier hit on an invitation's score links.
public struct ScoreLinkHit: Sendable, Hashable {
    public var score: Int
    public var at: Timestamp
    public init(score: Int, at: Timestamp) { self.score = score; self.at = at }
}

/// Tells link scanners (Safe Links, Proofpoint, Mimecast, Barracuda, preview bots) from people.
///
/// Corporate mail gateways open every link of a message, often on arrival, often all of them at
/// once, sometimes with a browser-like User-Agent. Counting those hits would fill reports with
/// answers nobody gave, so a one-click hit is only *provisional* until a human signal (see
/// docs/respondent.md), and a hit that looks like a scanner is flagged and never counted.
public enum ScannerDetection {
    /// Different score links of one invitation hit within this window are a burst.
    public static let burstWindowMilliseconds: Int64 = 10_000
    /// Hits this soon after the message was accepted are taken for gateway scans.
    public static let deliveryWindowMilliseconds: Int64 = 15_000

    /// Lower-case fragments of User-Agents that link scanners and preview bots send. Headless
    /// browsers are not on it: some people's tools run them, and the behavioural signals (bursts,
    /// hits on delivery, no interaction) catch the sandboxes that do.
    public static let scannerAgentFragments: [String] = [
        "safelinks", "safe links", "microsoft office", "ms-office", "microsoft url", "bingpreview", "bingbot",
        "proofpoint", "urldefense", "ppops", "mimecast", "barracuda", "forcepoint", "websense", "symantec",
        "messagelabs", "trend micro", "trendmicro", "fortiguard", "fortinet", "sophos", "ironport",
        "zscaler", "checkpoint", "check point", "avanan", "paloalto", "palo alto", "sonicwall", "trustwave",
        "spamtitan", "mailguard", "vade secure", "vaderetro", "hornetsecurity", "libraesva", "googleimageproxy", "google-safety",
        "googlebot", "google-inspectiontool", "yahoo! slurp", "slackbot", "twitterbot", "facebookexternalhit",
        "linkedinbot", "whatsapp", "telegrambot", "discordbot", "skypeuripreview", "applebot",
        "python-requests", "python-urllib", "aiohttp", "go-http-client", "java/", "okhttp", "libwww-perl",
        "wget", "curl/", "httpclient", "scanner", "crawler", "spider", "bot/",
    ]

    /// Whether a User-Agent belongs to a scanner or bot. A missing one counts as a machine too:
    /// every browser sends one.
    public static func isScannerAgent(_ userAgent: String?) -> Bool {
        guard let ua = userAgent?.lowercased(), !ua.isEmpty else { return true }
        return scannerAgentFragments.contains { ua.contains($0) }
    }

    /// The signals of a hit on score link `score`, strongest first; empty means it may be a person.
    /// - Parameters:
    ///   - earlierHits: the invitation's recent hits on its score links (any order).
    ///   - deliveredAt: when the message was accepted by the mail server, if it was sent by us.
    public static func signals(method: String, userAgent: String?, score: Int, at now: Timestamp,
                               earlierHits: [ScoreLinkHit], deliveredAt: Timestamp?) -> [ScannerSignal] {
        var found: [ScannerSignal] = []
        if method.uppercased() == "HEAD" { found.append(.head) }
        if isScannerAgent(userAgent) { found.append(.userAgent) }
        if earlierHits.contains(where: { $0.score != score && abs(now.milliseconds - $0.at.milliseconds) < burstWindowMilliseconds }) {
            found.append(.burst)
        }
        if let deliveredAt, now.milliseconds - deliveredAt.milliseconds < deliveryWindowMilliseconds {
            found.append(.tooSoonAfterDelivery)
        }
        return found
    }
}
