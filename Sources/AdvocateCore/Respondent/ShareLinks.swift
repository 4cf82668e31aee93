/// The promoter's thank-you links: share intents and the personal referral link.
public enum ShareLinks {
    /// Percent-encodes everything but RFC 3986's unreserved characters, so a text with `&`, `#`,
    /// `+`, `=` or any script survives as one query value.
    public static func encodeComponent(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// X (Twitter) web intent with the post and, when given, the link.
    public static func xIntent(text: String, url: String?) -> String {
        var link = "https://twitter.com/intent/tweet?text=\(encodeComponent(text))"
        if let url { link += "&url=\(encodeComponent(url))" }
        return link
    }

    /// LinkedIn's share composer, pre-filled with the post followed by the link (LinkedIn's
    /// URL-only share endpoint drops any text).
    public static func linkedInIntent(text: String, url: String?) -> String {
        let post = url.map { "\(text) \($0)" } ?? text
        return "https://www.linkedin.com/feed/?shareActive=true&text=\(encodeComponent(post))"
    }

    /// The referral link with `{external_id}` and `{contact_id}` filled in, each URL-encoded;
    /// an empty value where the contact has none.
    public static func referral(_ template: String, externalID: String?, contactID: Int64?) -> String {
        template
            .replacing("{external_id}", with: encodeComponent(externalID ?? ""))
            .replacing("{contact_id}", with: contactID.map(String.init) ?? "")
    }
}
