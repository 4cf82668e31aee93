// MARK: - Message

/// An e-mail to compose: addresses, subject, a text body and optionally an HTML alternative.
///
/// `compose(date:utcOffsetMinutes:using:)` renders it as RFC 5322 / MIME bytes. Time and
/// randomness (Message-ID, MIME boundary) are passed in, so output is reproducible in tests.
public struct MailMessage: Sendable {
    /// The author (`From:`).
    public var from: MailAddress
    /// The recipients shown in `To:` (at least one).
    public var to: [MailAddress]
    /// Any text; non-ASCII is RFC 2047 encoded. Line breaks and other controls are refused.
    public var subject: String
    /// The `text/plain` part.
    public var text: String
    /// The `text/html` part; when nil the message is a single `text/plain` part.
    public var html: String?
    /// `List-Unsubscribe` (RFC 2369) and, for one-click, `List-Unsubscribe-Post` (RFC 8058).
    public var unsubscribe: ListUnsubscribe?
    /// More header fields, after the standard ones, in order.
    public var extraHeaders: [MailHeader]

    /// A message; every part but the addresses can be set later.
    public init(from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil,
                unsubscribe: ListUnsubscribe? = nil, extraHeaders: [MailHeader] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.unsubscribe = unsubscribe
        self.extraHeaders = extraHeaders
    }

    /// Where and how a recipient unsubscribes.
    public struct ListUnsubscribe: Sendable, Equatable {
        /// URIs for `List-Unsubscribe`, most preferred first (`https:` and/or `mailto:`).
        public var uris: [String]
        /// Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), which requires an
        /// `https:` URI that unsubscribes on a POST without further interaction.
        public var oneClick: Bool

        /// An unsubscribe header for `uris`, one-click when `oneClick`.
        public init(uris: [String], oneClick: Bool) {
            self.uris = uris
            self.oneClick = oneClick
        }
    }
}

/// A composed message: the bytes to sign and send, and the Message-ID they carry.
public struct ComposedMessage: Sendable, Equatable {
    /// The whole message, headers and body, with CRLF line ends; 7-bit unless an address needs
    /// SMTPUTF8.
    public let bytes: [UInt8]
    /// The `Message-ID` value including angle brackets, e.g. `<3f…@example.com>`, for matching
    /// bounces and replies later.
    public let messageID: String
}
