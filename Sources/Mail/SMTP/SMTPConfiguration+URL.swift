// MARK: - Configuration from a URL

extension SMTPConfiguration {
    /// Reads `smtp://[user:password@]host[:port][/][?starttls=required|opportunistic|off][&auth=plain|login]`
    /// or `smtps://…` (implicit TLS).
    ///
    /// User and password are percent-decoded (`%40` for `@`, `%3A` for `:`). Default ports:
    /// `smtps` 465; `smtp` 587 (submission) with credentials, 25 without. Default STARTTLS policy
    /// for `smtp`: `required` with credentials, so a password is never sent in clear text unless
    /// `starttls=off` says so, and `opportunistic` without.
    public static func parse(url: String) throws(SMTPConfigurationError) -> SMTPConfiguration {
        guard !url.isEmpty else { throw .empty }
        if url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw .containsWhitespace
        }
        guard let schemeEnd = url.firstRange(of: "://") else { throw .missingScheme }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "smtp" || scheme == "smtps" else { throw .unsupportedScheme(scheme) }
        var rest = url[schemeEnd.upperBound...]
        if rest.contains("#") { throw .fragmentNotAllowed }

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[slash...]
            guard path == "/" else { throw .unexpectedPath(String(path)) }
            authority = rest[..<slash]
        }

        // Credentials: up to the last "@", so an unescaped "@" in a password still works.
        var credentials: Credentials?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else { throw .missingPassword }
            let user = try percentDecode(userInfo[..<colon], component: "user")
            let password = try percentDecode(userInfo[userInfo.index(after: colon)...], component: "password")
            guard !user.isEmpty else { throw .emptyUser }
            guard !password.isEmpty else { throw .missingPassword }
            credentials = Credentials(username: user, password: password)
        }

        let (host, portText) = try splitHostPort(hostPort)
        let port: Int
        if let portText {
            guard let value = Int(portText), portText.allSatisfy({ $0.isASCII && $0.isNumber }), (1...65_535).contains(value) else {
                throw .invalidPort(String(portText))
            }
            port = value
        } else {
            port = scheme == "smtps" ? 465 : (credentials == nil ? 25 : 587)
        }

        var policy: STARTTLSPolicy?
        var mechanism: AuthMechanism?
        var seen: Set<String> = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard seen.insert(name).inserted else { throw .duplicateParameter(name) }
            switch name {
            case "starttls":
                guard scheme == "smtp" else { throw .startTLSWithImplicitTLS }
                guard let parsed = STARTTLSPolicy(rawValue: value.lowercased()) else {
                    throw .invalidParameterValue(name: name, value: value, allowed: STARTTLSPolicy.allCases.map(\.rawValue))
                }
                policy = parsed
            case "auth":
                guard let parsed = AuthMechanism(rawValue: value.uppercased()) else {
                    throw .invalidParameterValue(name: name, value: value, allowed: AuthMechanism.allCases.map { $0.rawValue.lowercased() })
                }
                guard credentials != nil else { throw .authWithoutCredentials }
                mechanism = parsed
            default:
                throw .unknownParameter(name)
            }
        }
        credentials?.mechanism = mechanism

        let security: Security = scheme == "smtps"
            ? .implicitTLS
            : .startTLS(policy ?? (credentials == nil ? .opportunistic : .required))
        return SMTPConfiguration(host: host, port: port, security: security, credentials: credentials)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func splitHostPort(_ text: Substring) throws(SMTPConfigurationError) -> (String, Substring?) {
        guard !text.isEmpty else { throw .missingHost }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(String(text)) }
            let host = text[text.index(after: text.startIndex)..<close]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .invalidHost(String(text))
            }
            let after = text[text.index(after: close)...]
            if after.isEmpty { return (String(host), nil) }
            guard after.hasPrefix(":") else { throw .invalidHost(String(text)) }
            return (String(host), after.dropFirst())
        }
        var host = text
        var port: Substring?
        if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .missingHost }
        let valid = host.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_"
        }
        guard valid, !host.hasPrefix("."), !host.contains("..") else { throw .invalidHost(String(host)) }
        return (String(host), port)
    }

    /// RFC 3986 percent-decoding into UTF-8 text.
    private static func percentDecode(_ text: Substring, component: String) throws(SMTPConfigurationError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .invalidPercentEncoding(component: component)
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .invalidPercentEncoding(component: component)
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
