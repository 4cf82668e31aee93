// MARK: - Envelope

/// Who the message is from and to at the SMTP level (`MAIL FROM` / `RCPT TO`), which may differ
/// from the headers (e.g. a bounce address).
public struct SMTPEnvelope: Sendable, Equatable {
    /// The reverse-path for bounces; nil sends `MAIL FROM:<>` (a null sender).
    public var sender: MailAddress?
    /// The recipients, at least one.
    public var recipients: [MailAddress]

    /// An envelope from `sender` to `recipients`.
    public init(sender: MailAddress?, recipients: [MailAddress]) {
        self.sender = sender
        self.recipients = recipients
    }
}
