/// An endpoint URL, checked: absolute http(s) with a host, no credentials, no fragment.
public struct WebhookURL: Sendable, Hashable {
    public var text: String
    /// Lowercased; an IPv6 literal without its brackets.
    public var host: String
    public var port: Int
    public var https: Bool

    /// Parses `text`; the error says what is wrong, for a 422 on `url`.
    public static func parse(_ text: String) -> Result<WebhookURL, WebhookURLProblem> {
        guard text.count <= Webhook.maxURLCharacters else { return .failure(.init("must be at most \(Webhook.maxURLCharacters) characters")) }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F }) else {
            return .failure(.init("must be ASCII without spaces (percent-encode the path, use punycode for international names)"))
        }
        let lower = text.lowercased()
        let https: Bool
        if lower.hasPrefix("https://") { https = true } else if lower.hasPrefix("http://") { https = false } else {
            return .failure(.init("must be an http:// or https:// URL"))
        }
        if text.contains("#") { return .failure(.init("must not have a fragment (#…)")) }
        let afterScheme = text.dropFirst(https ? 8 : 7)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
        if authority.contains("@") {
            return .failure(.init("must not contain a user name or password: receivers authenticate events by their signature"))
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.init("has an unclosed IPv6 address")) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return .failure(.init("has text after the IPv6 address")) }
                portText = rest.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        if host.isEmpty { return .failure(.init("needs a host name")) }
        var port = https ? 443 : 80
        if let portText {
            guard let p = Int(portText), (1...65_535).contains(p) else { return .failure(.init("has an invalid port \"\(portText)\"")) }
            port = p
        }
        return .success(WebhookURL(text: text, host: host.lowercased(), port: port, https: https))
    }
}

/// Why a webhook URL was refused.
public struct WebhookURLProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Which IP addresses a webhook may be delivered to. Without `allow_private_networks`, only
/// public unicast addresses: a URL that names (or resolves to) loopback, private, link-local
/// (cloud metadata at 169.254.169.254), shared, multicast or reserved space is refused, so a
/// workspace's token cannot make the server probe its own network (SSRF).
public enum NetworkAddressPolicy {
    /// Whether `address` (4 bytes for IPv4, 16 for IPv6, network order) is public unicast.
    public static func isPublic(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4: return isPublicIPv4(address)
        case 16: return isPublicIPv6(address)
        default: return false
        }
    }

    private static func isPublicIPv4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1], a[2]) {
        case (0, _, _), (10, _, _), (127, _, _): return false            // "this network", private, loopback
        case (100, 64...127, _): return false                             // shared address space (carrier NAT)
        case (169, 254, _): return false                                  // link-local, cloud metadata
        case (172, 16...31, _), (192, 168, _): return false               // private
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113): return false // protocol assignments, documentation
        case (198, 18...19, _): return false                              // benchmarking
        case (224..., _, _): return false                                 // multicast, reserved, broadcast
        default: return true
        }
    }

    private static func isPublicIPv6(_ a: [UInt8]) -> Bool {
        if a[0..<15].allSatisfy({ $0 == 0 }) { return false }                       // :: and ::1
        if a[0..<10].allSatisfy({ $0 == 0 }) && a[10] == 0xff && a[11] == 0xff {    // IPv4-mapped
            return isPublicIPv4(Array(a[12..<16]))
        }
        if a[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] {           // NAT64 of an IPv4 address
            return isPublicIPv4(Array(a[12..<16]))
        }
        if a[0] & 0xfe == 0xfc { return false }                                       // unique local fc00::/7
        if a[0] == 0xfe && a[1] & 0xc0 == 0x80 { return false }                       // link-local fe80::/10
        if a[0] == 0xff { return false }                                              // multicast
        if a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8 { return false } // documentation
        return true
    }
}
