import HTTPTypes

extension HTTPField.Name {
    /// Respondent pages carry tokens in their URLs: never leak them in a Referer.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    /// Lets customers' pages load `/widget.js` even under a strict embedder policy.
    static let crossOriginResourcePolicy = HTTPField.Name("Cross-Origin-Resource-Policy")!
    /// RFC 8288 links: the next page of a cursor-paged list.
    static let link = HTTPField.Name("Link")!
    static let retryAfter = HTTPField.Name("Retry-After")!
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
