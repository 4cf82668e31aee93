import Logging
import NIOConcurrencyHelpers
import NIOCore

// MARK: - MAIL FROM, RCPT TO, DATA

extension SMTPConnection {
    /// One mail transaction. With PIPELINING (RFC 2920) MAIL FROM, every RCPT TO and DATA go
    /// out in one write and their replies are read in order; without it, one by one.
    func transaction(_ message: [UInt8], envelope: SMTPEnvelope,
                     beforeDelivery: SMTPConnection.DeliveryCheck?) async throws -> SMTPSendResult {
        guard !envelope.recipients.isEmpty else { throw SMTPError.noRecipients }
        let mailFrom = try mailFromCommand(message, envelope: envelope)
        // Encode first: a message SMTP cannot carry fails before anything is sent.
        let data = try SMTPDataEncoder.encode(message, allocator: channel.allocator)
        let rcptTo = envelope.recipients.map { "RCPT TO:<\($0.address)>\r\n" }

        var recipientReplies: [SMTPReply] = []
        let dataReply: SMTPReply?
        if capabilities.pipelining {
            try await write(mailFrom + rcptTo.joined() + "DATA\r\n")
            let mailReply = try await nextReply(waitingFor: "the MAIL FROM reply", timeout: timeouts.command)
            for recipient in envelope.recipients {
                recipientReplies.append(try await nextReply(waitingFor: "the RCPT TO reply for \(recipient.address)", timeout: timeouts.command))
            }
            dataReply = try await nextReply(waitingFor: "the DATA reply", timeout: timeouts.command)
            guard mailReply.isPositive else {
                try await abandon(after: dataReply)
                throw SMTPError.senderRejected(mailReply)
            }
        } else {
            try await write(mailFrom)
            let mailReply = try await nextReply(waitingFor: "the MAIL FROM reply", timeout: timeouts.command)
            guard mailReply.isPositive else {
                try await abandon(after: nil)
                throw SMTPError.senderRejected(mailReply)
            }
            for (recipient, command) in zip(envelope.recipients, rcptTo) {
                try await write(command)
                recipientReplies.append(try await nextReply(waitingFor: "the RCPT TO reply for \(recipient.address)", timeout: timeouts.command))
            }
            if recipientReplies.contains(where: \.isPositive) {
                try await write("DATA\r\n")
                dataReply = try await nextReply(waitingFor: "the DATA reply", timeout: timeouts.command)
            } else {
                dataReply = nil
            }
        }

        var outcomes = recipientReplies.map(SMTPDeliveryOutcome.init)
        let accepted = outcomes.indices.filter { outcomes[$0] == .delivered }
        guard !accepted.isEmpty, let dataReply, dataReply.code == 354 else {
            // No recipient, or the server will not take the data: what it said to DATA is the
            // outcome for the recipients it had accepted.
            if let dataReply, !accepted.isEmpty {
                let refused = SMTPDeliveryOutcome(dataReply) == .delivered
                    ? SMTPDeliveryOutcome.temporaryFailure(code: dataReply.code, text: dataReply.text)
                    : SMTPDeliveryOutcome(dataReply)
                for index in accepted { outcomes[index] = refused }
            }
            try await abandon(after: dataReply)
            return result(envelope, outcomes)
        }

        if let beforeDelivery {
            // Everything but the terminating dot: until it arrives the server delivers nothing,
            // and if the connection drops it discards the message.
            var body = data
            try await write(body.readSlice(length: body.readableBytes - 3)!)
            let terminator = Terminator(channel: channel)
            guard await beforeDelivery(outcomes, { terminator.send() }) else {
                try? await channel.close().get()
                throw SMTPError.withheldByCaller
            }
            terminator.send()
        } else {
            try await write(data)
        }
        let final = try await nextReply(waitingFor: "the reply to the message data", timeout: timeouts.dataTermination)
        for index in accepted { outcomes[index] = SMTPDeliveryOutcome(final) }
        logger.debug("message sent", metadata: ["reply": "\(final)"])
        if !final.isPositive {
            try await reset()
        }
        return result(envelope, outcomes)
    }

    /// `MAIL FROM:<sender> [BODY=8BITMIME] [SMTPUTF8] [SIZE=n]`, after checking the server can
    /// take this message at all.
    private func mailFromCommand(_ message: [UInt8], envelope: SMTPEnvelope) throws -> String {
        let addresses = [envelope.sender].compactMap { $0 } + envelope.recipients
        let headerEnd = Self.headerEnd(of: message)
        let needsUTF8 = addresses.contains(where: \.requiresSMTPUTF8) || message[..<headerEnd].contains { $0 >= 0x80 }
        let eightBit = message.contains { $0 >= 0x80 }
        if needsUTF8 && !capabilities.smtpUTF8 { throw SMTPError.smtpUTF8NotOffered }
        if eightBit && !capabilities.eightBitMIME { throw SMTPError.eightBitMIMENotOffered }
        if let limit = capabilities.sizeLimit, limit > 0, message.count > limit {
            throw SMTPError.messageTooLarge(size: message.count, limit: limit)
        }
        var command = "MAIL FROM:<\(envelope.sender?.address ?? "")>"
        if eightBit { command += " BODY=8BITMIME" }
        if needsUTF8 { command += " SMTPUTF8" }
        if capabilities.sizeLimit != nil { command += " SIZE=\(message.count)" }
        return command + "\r\n"
    }

    /// Where the header section ends (the blank line), or the end of the message.
    private static func headerEnd(of message: [UInt8]) -> Int {
        var index = 0
        while index + 3 < message.count {
            if message[index] == .cr && message[index + 1] == .lf && message[index + 2] == .cr && message[index + 3] == .lf {
                return index
            }
            index += 1
        }
        return message.count
    }

    /// Ends a transaction that will not deliver. If the server answered DATA with 354 anyway
    /// (pipelined, all recipients refused), RFC 2920 section 3.1 says to send the lone dot.
    private func abandon(after dataReply: SMTPReply?) async throws {
        if dataReply?.code == 354 {
            try await write(".\r\n")
            _ = try await nextReply(waitingFor: "the reply to an empty message", timeout: timeouts.dataTermination)
        }
        try await reset()
    }

    /// RSET, so the session is ready for the next transaction.
    func reset() async throws {
        try await write("RSET\r\n")
        _ = try await nextReply(waitingFor: "the RSET reply", timeout: timeouts.command)
    }

    private func result(_ envelope: SMTPEnvelope, _ outcomes: [SMTPDeliveryOutcome]) -> SMTPSendResult {
        SMTPSendResult(outcomes: zip(envelope.recipients, outcomes).map { SMTPSendResult.Outcome(recipient: $0, outcome: $1) })
    }
}

/// Writes the terminating dot of DATA once, from any thread, without waiting.
private final class Terminator: Sendable {
    private let channel: any Channel
    private let sent = NIOLockedValueBox(false)

    init(channel: any Channel) { self.channel = channel }

    func send() {
        let first = sent.withLockedValue { sent in
            defer { sent = true }
            return !sent
        }
        if first { channel.writeAndFlush(channel.allocator.buffer(string: ".\r\n"), promise: nil) }
    }
}
