// MARK: - Results

/// What became of a message for one recipient.
public enum SMTPDeliveryOutcome: Sendable, Equatable {
    /// The server accepted responsibility for delivering it (2yz after the data).
    case delivered
    /// 4yz: try again later.
    case temporaryFailure(code: Int, text: String)
    /// 5yz: do not try again; the address bounced (or the message was refused).
    case permanentFailure(code: Int, text: String)

    /// The outcome a reply means: 2yz delivered, 5yz permanent, anything else temporary (an
    /// unexpected code should lead to a retry, never to a bounce).
    init(_ reply: SMTPReply) {
        if reply.isPositive {
            self = .delivered
        } else if reply.isPermanentNegative {
            self = .permanentFailure(code: reply.code, text: reply.text)
        } else {
            self = .temporaryFailure(code: reply.code, text: reply.text)
        }
    }
}

/// The outcome of one send for each recipient of the envelope.
public struct SMTPSendResult: Sendable, Equatable {
    /// One entry per envelope recipient, in envelope order.
    public let outcomes: [Outcome]

    /// A recipient and what became of the message for them.
    public struct Outcome: Sendable, Equatable {
        /// The envelope recipient.
        public let recipient: MailAddress
        /// What the server said about it.
        public let outcome: SMTPDeliveryOutcome
    }

    /// The outcome for `address` (`local@domain`, compared exactly), if it was a recipient.
    public subscript(address: String) -> SMTPDeliveryOutcome? {
        outcomes.first { $0.recipient.address == address }?.outcome
    }

    /// True when every recipient got the message.
    public var allDelivered: Bool { outcomes.allSatisfy { $0.outcome == .delivered } }
}
