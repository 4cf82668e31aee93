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

    public init(id: Int64, workspaceID: Int64, name: String, createdAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.createdAt = createdAt
    }
}
