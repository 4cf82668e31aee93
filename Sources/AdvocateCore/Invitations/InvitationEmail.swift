import NPS

/// The content of one invitation e-mail: subject, plain text and HTML, in the contact's
/// language. Pure: the links and the catalog are given, nothing is looked up.
///
/// The HTML is table-based with inline styles only, because Outlook's Word engine ignores most
/// CSS layout and Gmail strips `<style>` in some views. Each of the eleven scores is a link
/// (`/r/{token}/{score}`), so one click answers; RTL languages get `dir="rtl"`, which lays the
/// cells out right to left, so the scale still reads 0 → 10 in reading order with each anchor
/// under its end.
public struct InvitationEmail: Sendable, Hashable {
    public var subject: String
    public var text: String
    public var html: String

    /// How the score buttons are coloured: the survey's setting, as on its pages.
    public typealias ScaleStyle = SurveySettings.ScaleStyle

    /// What the message says and where its links go.
    public struct Content: Sendable, Hashable {
        public var productName: String
        public var contactName: String?
        /// 0 for the first message, 1 and 2 for reminders.
        public var message: Int
        public var scaleStyle: ScaleStyle
        /// The brand colour of the header bar (`#rrggbb`), if the survey has one.
        public var brandColor: String?
        /// Replaces the catalog's subject (an A/B variant's subject), if given.
        public var subjectOverride: String?
        /// Replaces the catalog's introduction (an A/B variant's intro), if given.
        public var introOverride: String?
        /// The one-click link for a score.
        public var scoreURL: @Sendable (Int) -> String
        /// The visible unsubscribe link.
        public var unsubscribeURL: String
        /// A 1×1 open-tracking image, only when the campaign turned tracking on.
        public var openPixelURL: String?

        public init(productName: String, contactName: String?, message: Int, scaleStyle: ScaleStyle = .categories,
                    brandColor: String? = nil, subjectOverride: String? = nil, introOverride: String? = nil,
                    scoreURL: @escaping @Sendable (Int) -> String, unsubscribeURL: String, openPixelURL: String? = nil) {
            self.openPixelURL = openPixelURL
            self.productName = productName
            self.contactName = contactName
            self.message = message
            self.scaleStyle = scaleStyle
            self.brandColor = brandColor
            self.subjectOverride = subjectOverride
            self.introOverride = introOverride
            self.scoreURL = scoreURL
            self.unsubscribeURL = unsubscribeURL
        }

        public static func == (a: Content, b: Content) -> Bool {
            a.productName == b.productName && a.contactName == b.contactName && a.message == b.message
                && a.scaleStyle == b.scaleStyle && a.brandColor == b.brandColor && a.unsubscribeURL == b.unsubscribeURL
                && a.subjectOverride == b.subjectOverride && a.introOverride == b.introOverride && a.openPixelURL == b.openPixelURL
                && (0...10).allSatisfy { a.scoreURL($0) == b.scoreURL($0) }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(productName)
            hasher.combine(message)
            hasher.combine(unsubscribeURL)
        }
    }

    /// Background and text colour of a score's button. The pairs meet WCAG AA contrast (4.5:1)
    /// for the button's number.
    public static func colors(score: Int, style: ScaleStyle) -> (background: String, text: String) {
        guard style == .categories else { return ("#eef1f4", "#1d2733") }
        switch NPS.Category(score: Score(score) ?? Score(0)!) {
        case .detractor: return ("#c92a2a", "#ffffff")
        case .passive: return ("#f5c84c", "#1d2733")
        case .promoter: return ("#2b7a3b", "#ffffff")
        }
    }

    public init(_ content: Content, catalog: Catalog) {
        let product = ["product": content.productName]
        subject = content.subjectOverride
            ?? catalog.text(content.message == 0 ? "email.subject" : "email.subject_reminder", product)
        let greeting = content.contactName.map { catalog.text("email.greeting", ["name": $0]) }
            ?? catalog.text("email.greeting_anonymous")
        let intro = content.introOverride ?? catalog.text("email.intro", product)
        let question = catalog.text("question", product)
        let low = catalog.text("scale.low"), high = catalog.text("scale.high")
        let footer = catalog.text("email.footer", product)

        var text = "\(greeting)\n\n\(intro)\n\n\(question)\n\n\(catalog.text("email.instructions_text"))\n\n"
        for score in 0...10 {
            let anchor = score == 0 ? " (\(low))" : score == 10 ? " (\(high))" : ""
            text += "\(catalog.number(score))\(anchor): \(content.scoreURL(score))\n"
        }
        text += "\n\(footer)\n\(catalog.text("email.unsubscribe_text", ["url": content.unsubscribeURL]))\n"
        self.text = text

        let e = HTMLText.escape
        let dir = catalog.direction
        let start = catalog.isRightToLeft ? "right" : "left", end = catalog.isRightToLeft ? "left" : "right"
        let brand = content.brandColor.flatMap { SurveySettings.isHexColor($0) ? $0 : nil } ?? "#1d2733"
        let font = "font-family:Arial,Helvetica,sans-serif;"
        var buttons = ""
        for score in 0...10 {
            let (background, color) = Self.colors(score: score, style: content.scaleStyle)
            let label = score == 0 || score == 10
                ? catalog.text("scale.score_label", ["score": catalog.number(score), "anchor": score == 0 ? low : high])
                : catalog.text("scale.score_name", ["score": catalog.number(score)])
            buttons += """
                <td align="center" style="padding:2px;"><a href="\(e(content.scoreURL(score)))" title="\(e(label))" aria-label="\(e(label))" \
                style="display:block;min-width:28px;padding:10px 0;background-color:\(background);color:\(color);\(font)font-size:16px;\
                font-weight:bold;text-decoration:none;border-radius:4px;border:1px solid #c3ccd5;">\(catalog.number(score))</a></td>

                """
        }
        html = """
            <!DOCTYPE html>
            <html lang="\(e(catalog.locale))" dir="\(dir)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
            <title>\(e(subject))</title></head>
            <body style="margin:0;padding:0;background-color:#f4f6f8;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" dir="\(dir)" style="background-color:#f4f6f8;">
            <tr><td align="center" style="padding:24px 8px;">
            <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" dir="\(dir)" style="max-width:600px;width:100%;background-color:#ffffff;border-radius:6px;">
            <tr><td style="height:6px;background-color:\(brand);border-radius:6px 6px 0 0;font-size:0;line-height:0;">&nbsp;</td></tr>
            <tr><td dir="\(dir)" align="\(start)" style="padding:24px 24px 8px 24px;\(font)font-size:16px;line-height:24px;color:#1d2733;text-align:\(start);">
            <p style="margin:0 0 12px 0;">\(e(greeting))</p>
            <p style="margin:0 0 20px 0;">\(e(intro))</p>
            <p style="margin:0 0 16px 0;font-size:18px;line-height:26px;font-weight:bold;">\(e(question))</p>
            </td></tr>
            <tr><td style="padding:0 16px;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" dir="\(dir)">
            <tr>
            \(buttons)</tr>
            </table>
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" dir="\(dir)">
            <tr><td align="\(start)" style="padding:6px 2px 0 2px;\(font)font-size:13px;color:#4a5663;text-align:\(start);">\(e(low))</td>
            <td align="\(end)" style="padding:6px 2px 0 2px;\(font)font-size:13px;color:#4a5663;text-align:\(end);">\(e(high))</td></tr>
            </table>
            </td></tr>
            <tr><td dir="\(dir)" align="\(start)" style="padding:24px;\(font)font-size:12px;line-height:18px;color:#4a5663;text-align:\(start);">
            <p style="margin:0 0 8px 0;">\(e(footer))</p>
            <p style="margin:0;"><a href="\(e(content.unsubscribeURL))" style="color:#4a5663;text-decoration:underline;">\(e(catalog.text("email.unsubscribe")))</a></p>
            </td></tr>
            </table>
            </td></tr>
            </table>
            \(content.openPixelURL.map { #"<img src="\#(e($0))" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;">"# } ?? "")
            </body>
            </html>

            """
    }
}
