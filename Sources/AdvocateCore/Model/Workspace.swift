/// A tenant: one brand, product or client. Nothing is ever shared between workspaces.
public struct Workspace: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// URL-safe unique name, e.g. `acme`.
    public var slug: String
    /// Display name.
    public var name: String
    /// When it was created.
    public var createdAt: Timestamp

    public init(id: Int64, slug: String, name: String, createdAt: Timestamp) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }

    /// Whether a slug is acceptable: 1–63 of `a-z`, `0-9` and `-`, not starting with `-`.
    public static func isValidSlug(_ slug: String) -> Bool {
        guard (1...63).contains(slug.utf8.count), slug.utf8.first != UInt8(ascii: "-") else { return false }
        return slug.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}

/// An API token as stored: only a hash of the secret is kept.
public struct APIToken: Sendable, Hashable {
    /// Database identity.
    public var id: Int64
    /// The workspace the token acts in.
    public var workspaceID: Int64
    /// What the owner called it.
    public var name: String
    /// When it was created.
    public var createdAt: Timestamp
    /// What it may do.
    public var scope: TokenScope

    public init(id: Int64, workspaceID: Int64, name: String, createdAt: Timestamp, scope: TokenScope = .write) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.createdAt = createdAt
        self.scope = scope
    }
}

/// What an API token may do; each level includes the ones below it. A dashboard that only shows
/// the score needs `read`; a CRM sync or a sign-up hook `write`; erasing people and deleting
/// surveys with their answers takes `admin`, so that a leaked integration key cannot do either.
public enum TokenScope: String, Sendable, Hashable, CaseIterable, Comparable {
    case read, write, admin

    public static func < (a: TokenScope, b: TokenScope) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The stored form: the scopes a token has, comma-separated ("read,write").
    public var stored: String { TokenScope.allCases.filter { $0 <= self }.map(\.rawValue).joined(separator: ",") }

    /// Reads the stored form; the widest scope listed wins, and anything unreadable is `read`.
    public init(stored: String) {
        self = stored.split(separator: ",").compactMap { TokenScope(rawValue: String($0.filter { $0 != " " })) }.max() ?? .read
    }

    /// The scope a request needs: reading takes `read`; erasing a contact or deleting a survey
    /// (and its answers) `admin`, and so does any change to webhooks (an endpoint receives every
    /// answer, so making one is handing out the data); any other change `write`.
    public static func required(method: String, route: String) -> TokenScope {
        // Who did what in the workspace's administration is the administrators' to read.
        if route.hasPrefix("/api/v1/audit-log") { return .admin }
        switch method {
        case "GET", "HEAD", "OPTIONS": return .read
        case "DELETE" where route.hasSuffix("/contacts/{external_id}") || route.hasSuffix("/surveys/{id}"): return .admin
        case _ where route.hasPrefix("/api/v1/webhooks"): return .admin
        // A policy deletes or anonymises answers in bulk, as erasing contacts does.
        case _ where route == "/api/v1/retention": return .admin
        // A rule can send every answer to any address or Slack channel, like a webhook.
        case _ where route.hasPrefix("/api/v1/alert-rules"): return .admin
        default: return .write
        }
    }
}
