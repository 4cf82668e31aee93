import Foundation

// MARK: - Composition (RFC 5322, RFC 2045–2047, RFC 2369, RFC 8058)

extension MailMessage {
    /// Header names the composer writes itself; an extra header with one of them would make a
    /// second, contradicting field.
    static let reservedHeaderNames: Set<String> = [
        "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "dkim-signature",
    ]

    /// Renders the message.
    ///
    /// - Parameters:
    ///   - date: the `Date:` header, from the caller's clock.
    ///   - utcOffsetMinutes: the zone the date is written in (0 gives `+0000`).
    ///   - random: source of the Message-ID and the MIME boundary.
    public func compose(date: Date, utcOffsetMinutes: Int = 0,
                        using random: inout some RandomNumberGenerator) throws(MailComposeError) -> ComposedMessage {
        guard !to.isEmpty else { throw .noRecipients }
        _ = try MailHeader(name: "Subject", value: subject)  // the same control-character rule
        if let reserved = extraHeaders.first(where: { Self.reservedHeaderNames.contains($0.name.lowercased()) }) {
            throw .reservedHeader(reserved.name)
        }
        try unsubscribe?.validate()

        let messageID = "<\(hex(random.next()))\(hex(random.next()))@\(from.domain)>"
        var fields = [
            HeaderField(name: "From", pieces: from.headerPieces),
            HeaderField(name: "To", pieces: Self.addressListPieces(to)),
            HeaderField(name: "Subject", text: subject),
            HeaderField(name: "Date", pieces: [RFC5322Date.format(date, utcOffsetMinutes: utcOffsetMinutes)]),
            HeaderField(name: "Message-ID", pieces: [messageID]),
            HeaderField(name: "MIME-Version", pieces: ["1.0"]),
        ]
        if let unsubscribe {
            let uris = unsubscribe.uris.enumerated().map { index, uri in
                "<\(uri)>" + (index < unsubscribe.uris.count - 1 ? "," : "")
            }
            fields.append(HeaderField(name: "List-Unsubscribe", pieces: uris))
            if unsubscribe.oneClick {
                fields.append(HeaderField(name: "List-Unsubscribe-Post", pieces: ["List-Unsubscribe=One-Click"]))
            }
        }
        fields += extraHeaders.map { HeaderField(name: $0.name, text: $0.value) }

        var bytes = Array(fields.map(\.rendered).joined().utf8)
        let textPart = QuotedPrintable.encode(text)
        guard let html else {
            bytes += Array(Self.partHeaders(subtype: "plain").utf8) + [.cr, .lf]
            bytes += textPart
            // SMTP needs the message to end with a line break; add one only if the text lacks it.
            if bytes.suffix(2) != [.cr, .lf] { bytes += [.cr, .lf] }
            return ComposedMessage(bytes: bytes, messageID: messageID)
        }
        let htmlPart = QuotedPrintable.encode(html)
        let boundary = Self.boundary(notIn: [textPart, htmlPart], using: &random)
        bytes += Array(HeaderField(name: "Content-Type", pieces: ["multipart/alternative;", "boundary=\"\(boundary)\""]).rendered.utf8)
        bytes += Array("\r\n--\(boundary)\r\n\(Self.partHeaders(subtype: "plain"))\r\n".utf8)
        bytes += textPart
        bytes += Array("\r\n--\(boundary)\r\n\(Self.partHeaders(subtype: "html"))\r\n".utf8)
        bytes += htmlPart
        bytes += Array("\r\n--\(boundary)--\r\n".utf8)
        return ComposedMessage(bytes: bytes, messageID: messageID)
    }

    /// Addresses separated by commas, each address's pieces foldable.
    static func addressListPieces(_ addresses: [MailAddress]) -> [String] {
        var pieces: [String] = []
        for (index, address) in addresses.enumerated() {
            var own = address.headerPieces
            if index < addresses.count - 1 { own[own.count - 1] += "," }
            pieces += own
        }
        return pieces
    }

    private static func partHeaders(subtype: String) -> String {
        "Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
    }

    /// A random boundary that occurs in none of `parts`. It starts with `=_`, which
    /// quoted-printable output can never contain (an `=` there is always followed by a hex digit
    /// or a line break), and is checked against the parts anyway.
    static func boundary(notIn parts: [[UInt8]], using random: inout some RandomNumberGenerator) -> String {
        while true {
            let candidate = "=_\(hex(random.next()))\(hex(random.next()))"
            let needle = Array(candidate.utf8)
            if !parts.contains(where: { $0.contains(subsequence: needle) }) {
                return candidate
            }
        }
    }
}

extension MailMessage.ListUnsubscribe {
    func validate() throws(MailComposeError) {
        for uri in uris {
            let usable = !uri.isEmpty && uri.count <= 900
                && uri.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" && $0 != "," }
            guard usable else { throw .invalidUnsubscribeURI(uri) }
        }
        if uris.isEmpty { throw .invalidUnsubscribeURI("") }
        if oneClick && !uris.contains(where: { $0.lowercased().hasPrefix("https://") }) {
            throw .oneClickUnsubscribeNeedsHTTPS
        }
    }
}
