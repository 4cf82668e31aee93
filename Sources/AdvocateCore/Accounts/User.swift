/// What a member of a workspace may do, from most to least.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Everything, including members and deleting the workspace.
    case owner
    /// Everything but owners' business: surveys, sending, settings, tokens.
    case admin
    /// Works with responses and cases.
    case member
    /// Reads.
    case viewer

    private var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .member: 1
        case .viewer: 0
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

    /// Whether this role includes everything `needed` may do.
    public func allows(_ needed: Role) -> Bool { self >= needed }
}

/// A person who signs in to the dashboard.
public struct User: Sendable, Hashable {
    public var id: Int64
    /// Lower-cased address: the login name.
    public var email: String
    public var name: String?
    /// Whether a password has been set (until then only a setup link signs in).
    public var hasPassword: Bool
    public var createdAt: Timestamp
    /// The IANA zone their digest is timed and dated in.
    public var timeZone: SurveyTimeZone

    public init(id: Int64, email: String, name: String?, hasPassword: Bool, createdAt: Timestamp, timeZone: SurveyTimeZone = .utc) {
        self.id = id
        self.timeZone = timeZone
        self.email = email
        self.name = name
        self.hasPassword = hasPassword
        self.createdAt = createdAt
    }

    /// Shortest password accepted (NIST SP 800-63B: at least 8; we ask a little more).
    public static let minimumPasswordCharacters = 10
    /// bcrypt reads 72 bytes; longer passwords are refused rather than silently cut.
    public static let maximumPasswordBytes = 72

    /// Why a new password is refused, or nil.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumPasswordCharacters { return "must be at least \(minimumPasswordCharacters) characters" }
        if password.utf8.count > maximumPasswordBytes { return "must be at most \(maximumPasswordBytes) bytes" }
        return nil
    }
}

/// A user's place in a workspace.
public struct Membership: Sendable, Hashable {
    public var workspace: Workspace
    public var role: Role

    public init(workspace: Workspace, role: Role) {
        self.workspace = workspace
        self.role = role
    }
}
