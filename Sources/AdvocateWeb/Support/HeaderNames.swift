import HTTPTypes

extension HTTPField.Name {
    /// Respondent pages carry tokens in their URLs: never leak them in a Referer.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    /// Lets customers' pages load `/widget.js` even under a strict embedder policy.
    static let crossOriginResourcePolicy = HTTPField.Name("Cross-Origin-Resource-Policy")!
}
