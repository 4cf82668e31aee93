import AdvocateCore
import AdvocateStore
import Crypto
import Foundation

/// The secret in an invitation's links (`/r/{token}/{score}`, `/u/{token}`): 32 random bytes,
/// base64url. Only its SHA-256 is stored with the invitation, so a copy of the database does
/// not let anyone answer or unsubscribe as a customer.
public enum InvitationToken {
    /// A new random token and its hash.
    public static func make() -> InvitationTokenPair {
        let token = RandomToken.base64URL()
        return InvitationTokenPair(token: token, hash: hash(token))
    }

    /// The stored form of a token, to look an invitation up by the token in a link.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `text` has the shape of a token (43 base64url characters), checked before any
    /// lookup so that junk never reaches the database.
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }
}
