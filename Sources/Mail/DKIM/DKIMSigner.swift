import Crypto
import Foundation
import _CryptoExtras

// MARK: - DKIM signer (RFC 6376)

/// Signs messages with DKIM: RSA-SHA256 (PKCS#1 v1.5), relaxed/relaxed canonicalization.
///
/// The signature covers the headers in `signedHeaderNames` that the message has, each instance
/// (RFC 6376 section 5.4.2 picks multiple instances from the bottom up), and the whole body
/// (no `l=`). The `DKIM-Signature` field is prepended to the message.
public struct DKIMSigner: Sendable {
    /// The signing domain (`d=`); the public key is published under
    /// `selector._domainkey.domain`.
    public let domain: String
    /// The selector (`s=`).
    public let selector: String
    /// Lower-case header names to sign, in `h=` order. `from` is required by RFC 6376.
    public let signedHeaderNames: [String]
    private let privateKey: _RSA.Signing.PrivateKey

    /// What we sign by default: the headers a reader sees and the ones RFC 8058 says must be
    /// signed for one-click unsubscribe.
    public static let defaultSignedHeaderNames = [
        "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        "list-unsubscribe", "list-unsubscribe-post",
    ]

    /// A signer with a key already loaded (at least 2048 bits: `_RSA` refuses smaller ones).
    public init(domain: String, selector: String, privateKey: _RSA.Signing.PrivateKey,
                signedHeaderNames: [String] = DKIMSigner.defaultSignedHeaderNames) throws(DKIMError) {
        guard Self.isDomainName(domain) else { throw .invalidDomain(domain) }
        guard Self.isDomainName(selector, requireDot: false) else { throw .invalidSelector(selector) }
        // Each name once: a repeated name in h= would mean "the next instance up", not "all".
        var seen: Set<String> = []
        let names = signedHeaderNames.map { $0.lowercased() }.filter { seen.insert($0).inserted }
        guard names.contains("from") else { throw .fromNotSigned }
        self.domain = domain
        self.selector = selector
        self.privateKey = privateKey
        self.signedHeaderNames = names
    }

    /// A signer with a PEM private key (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`).
    public init(domain: String, selector: String, privateKeyPEM: String,
                signedHeaderNames: [String] = DKIMSigner.defaultSignedHeaderNames) throws(DKIMError) {
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw .invalidPrivateKey(String(describing: error))
        }
        try self.init(domain: domain, selector: selector, privateKey: key, signedHeaderNames: signedHeaderNames)
    }

    /// The DNS name of the TXT record: `selector._domainkey.domain`.
    public var dnsName: String { "\(selector)._domainkey.\(domain)" }

    /// The TXT record value to publish at `dnsName`.
    public var dnsRecord: String { Self.dnsRecord(publicKeyOf: privateKey) }

    /// `v=DKIM1; k=rsa; p=…`, the public key as base64 SubjectPublicKeyInfo DER
    /// (RFC 6376 section 3.6.1).
    public static func dnsRecord(publicKeyOf key: _RSA.Signing.PrivateKey) -> String {
        "v=DKIM1; k=rsa; p=\(key.publicKey.derRepresentation.base64EncodedString())"
    }

    // MARK: - Signing

    /// The message with a `DKIM-Signature` field prepended.
    ///
    /// - Parameters:
    ///   - message: a whole message with CRLF line ends (bare CR or LF would be rewritten in
    ///     transit and break the signature, so they are refused).
    ///   - time: the signature timestamp (`t=`), from the caller's clock.
    public func sign(_ message: [UInt8], at time: Date) throws(DKIMError) -> [UInt8] {
        Array(try signatureField(for: message, at: time).utf8) + message
    }

    /// The `DKIM-Signature` field for `message`, CRLF-terminated.
    public func signatureField(for message: [UInt8], at time: Date) throws(DKIMError) -> String {
        let parsed = try DKIMMessage(message)
        let bodyHash = Data(SHA256.hash(data: DKIMCanonicalization.relaxedBody(parsed.body))).base64EncodedString()

        // Each listed name once per instance present, bottom-up within a name.
        var headerNames: [String] = []
        var signedData: [UInt8] = []
        for name in signedHeaderNames {
            for field in parsed.fields(named: name).reversed() {
                headerNames.append(name)
                signedData += DKIMCanonicalization.relaxedHeader(field)
            }
        }
        guard headerNames.contains("from") else { throw .missingFromHeader }

        let unsigned = Self.foldedField(tags: [
            "v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=\(domain)", "s=\(selector)",
            "t=\(Int64(time.timeIntervalSince1970.rounded(.down)))",
        ], headerNames: headerNames, bodyHash: bodyHash)
        // RFC 6376 section 3.7: the signature field itself, b= empty, canonicalized, no CRLF.
        signedData += DKIMCanonicalization.relaxedHeader(Array(unsigned.utf8), trailingCRLF: false)

        let signature: _RSA.Signing.RSASignature
        do {
            signature = try privateKey.signature(for: SHA256.hash(data: signedData), padding: .insecurePKCS1v1_5)
        } catch {
            throw .signingFailed(String(describing: error))
        }
        return unsigned + Self.foldedSignature(signature.rawRepresentation.base64EncodedString()) + "\r\n"
    }

    /// `DKIM-Signature: v=1; …; h=a:b:…; bh=…; b=` folded to 78 columns. Whitespace after `;`
    /// and `:` is allowed there (RFC 6376 section 3.2, `h=` ABNF) and vanishes in relaxed
    /// canonicalization anyway.
    static func foldedField(tags: [String], headerNames: [String], bodyHash: String) -> String {
        // (text, separator when the line does not fold): tags are separated by a space; the
        // names of h= by nothing, so an unfolded h= reads "from:to:…".
        var pieces = tags.map { ($0 + ";", " ") }
        for (index, name) in headerNames.enumerated() {
            let last = index == headerNames.count - 1
            pieces.append(((index == 0 ? "h=" : "") + name + (last ? ";" : ":"), index == 0 ? " " : ""))
        }
        pieces.append(("bh=\(bodyHash);", " "))
        var output = "DKIM-Signature:"
        var column = output.count
        for (text, separator) in pieces {
            if column + separator.count + text.count > HeaderField.preferredLineLength {
                output += "\r\n\t"
                column = 8  // a tab counts as up to eight columns
            } else {
                output += separator
                column += separator.count
            }
            output += text
            column += text.count
        }
        return output + "\r\n\tb="
    }

    /// The signature value in folded lines.
    static func foldedSignature(_ base64: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(base64)
        var width = 66  // after "\tb=" on the first line
        while !rest.isEmpty {
            lines.append(rest.prefix(width))
            rest = rest.dropFirst(width)
            width = 70
        }
        return lines.joined(separator: "\r\n\t")
    }

    /// A DNS name: letters, digits, hyphens and dots in labels of 1…63 characters.
    static func isDomainName(_ text: String, requireDot: Bool = true) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, text.count <= 253, !requireDot || labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        }
    }
}
