// MARK: - Extra header fields

/// A header field added to a message beyond the ones the composer writes itself.
public struct MailHeader: Sendable, Equatable {
    /// The field name, e.g. `X-Survey`.
    public let name: String
    /// Unstructured text; non-ASCII becomes RFC 2047 encoded-words.
    public let value: String

    /// A header field. The name must be printable ASCII without a colon or spaces
    /// (RFC 5322 `ftext`); the value must not contain line breaks or other controls, so a value
    /// taken from user data can never inject another header.
    public init(name: String, value: String) throws(MailComposeError) {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E && $0 != ":" }) else {
            throw .invalidHeaderName(name)
        }
        if let bad = value.unicodeScalars.first(where: { MailAddress.isControl($0) && $0 != "\t" }) {
            throw .controlCharacterInHeader(name: name, scalar: bad.value)
        }
        self.name = name
        self.value = value
    }
}
