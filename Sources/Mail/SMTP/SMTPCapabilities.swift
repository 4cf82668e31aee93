// MARK: - Capabilities

/// What the server said it supports in its EHLO reply (RFC 5321 section 4.1.1.1).
public struct SMTPCapabilities: Sendable, Equatable {
    /// Extension keywords, upper-cased, with their parameters.
    public let extensions: [String: [String]]
    /// False when the server only understood HELO.
    public let isExtended: Bool

    /// No extensions: the server answered HELO only.
    public static let none = SMTPCapabilities(extensions: [:], isExtended: false)

    init(extensions: [String: [String]], isExtended: Bool) {
        self.extensions = extensions
        self.isExtended = isExtended
    }

    /// Reads an EHLO reply: the first line greets, each later line is `KEYWORD params…`.
    init(ehlo reply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            var words = line.split(separator: " ").map(String.init)
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst().uppercased()
            // Old servers write "AUTH=LOGIN PLAIN".
            if let equals = keyword.firstIndex(of: "="), keyword.hasPrefix("AUTH=") {
                words.insert(String(keyword[keyword.index(after: equals)...]), at: 0)
                keyword = "AUTH"
            }
            extensions[keyword, default: []] += words
        }
        self.init(extensions: extensions, isExtended: true)
    }

    /// RFC 3207.
    public var startTLS: Bool { extensions["STARTTLS"] != nil }
    /// RFC 2920.
    public var pipelining: Bool { extensions["PIPELINING"] != nil }
    /// RFC 6152.
    public var eightBitMIME: Bool { extensions["8BITMIME"] != nil }
    /// RFC 6531.
    public var smtpUTF8: Bool { extensions["SMTPUTF8"] != nil }
    /// RFC 1870: the largest message the server takes, when it says (0 means no limit).
    public var sizeLimit: Int? { extensions["SIZE"].map { $0.first.flatMap { Int($0) } ?? 0 } }
    /// RFC 4954: offered SASL mechanisms, upper-cased.
    public var authMechanisms: Set<String> { Set((extensions["AUTH"] ?? []).map { $0.uppercased() }) }
}
