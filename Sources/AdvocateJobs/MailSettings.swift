import Mail

/// How invitations are sent: validated once at start-up from `--smtp-url`, `--mail-from`,
/// `--public-url` and the DKIM options.
public struct MailSettings: Sendable {
    /// The From address (and the envelope sender).
    public var from: MailAddress
    /// What links in messages point to, without a trailing slash (`https://nps.example.com`).
    public var publicURL: String
    /// Signs every message when set.
    public var dkim: DKIMSigner?

    public init(from: MailAddress, publicURL: String, dkim: DKIMSigner?) {
        self.from = from
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.dkim = dkim
    }

    /// Checks a public URL: absolute http(s), a host, no query or fragment. Nil when it is
    /// usable, else what is wrong.
    public static func problem(withPublicURL url: String) -> String? {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            return "--public-url must start with https:// (or http:// for local testing), got \"\(url)\""
        }
        let rest = url.drop(while: { $0 != ":" }).dropFirst(3)
        let host = rest.prefix(while: { $0 != "/" && $0 != ":" })
        if host.isEmpty { return "--public-url needs a host name, got \"\(url)\"" }
        if url.contains("?") || url.contains("#") { return "--public-url must not have a query or fragment, got \"\(url)\"" }
        if url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            return "--public-url must be ASCII without spaces (use punycode for international names), got \"\(url)\""
        }
        return nil
    }
}
