/// Who may manage whom in a workspace (docs/dashboard.md, "Members"):
/// owners and admins manage members; only owners grant or take away the owner role; the last
/// owner can never be removed or demoted, so a workspace always has someone who can manage it.
public enum MemberPolicy {
    /// Why a change to the members is refused.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// The actor's role does not allow it.
        case notAllowed(String)
        /// It would leave the workspace without an owner.
        case lastOwner
        /// No such member (or invitation) in this workspace.
        case notFound

        public var description: String {
            switch self {
            case .notAllowed(let why): why
            case .lastOwner: "a workspace must keep at least one owner: make someone else owner first"
            case .notFound: "there is no such member in this workspace"
            }
        }
    }

    /// Whether `actor` may manage members at all (see the list, invite, change, remove).
    public static func managesMembers(_ actor: Role) -> Bool { actor >= .admin }

    /// Why `actor` may not hand out `role` (by invitation or change), or nil.
    public static func grantRefusal(actor: Role, role: Role) -> Refusal? {
        guard managesMembers(actor) else { return .notAllowed("only owners and admins manage members") }
        if role == .owner && actor != .owner { return .notAllowed("only an owner can make someone owner") }
        return nil
    }

    /// Why `actor` may not change a member from `current` to `new` while the workspace has `owners` owners, or nil.
    public static func changeRefusal(actor: Role, current: Role, new: Role, owners: Int) -> Refusal? {
        if let refusal = grantRefusal(actor: actor, role: new) { return refusal }
        if current == .owner && actor != .owner { return .notAllowed("only an owner can change an owner's role") }
        if current == .owner && new != .owner && owners <= 1 { return .lastOwner }
        return nil
    }

    /// Why `actor` may not remove a member with `current` while the workspace has `owners` owners, or nil.
    public static func removalRefusal(actor: Role, current: Role, owners: Int) -> Refusal? {
        guard managesMembers(actor) else { return .notAllowed("only owners and admins manage members") }
        if current == .owner && actor != .owner { return .notAllowed("only an owner can remove an owner") }
        if current == .owner && owners <= 1 { return .lastOwner }
        return nil
    }
}
