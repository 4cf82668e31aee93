import AdvocateCore
import AdvocateStore
import Crypto
import Foundation

/// How Advocate signs webhook deliveries (docs/webhooks.md): the `Advocate-Signature` header holds
/// `v1=` and the lowercase hex HMAC-SHA256 of "<Advocate-Timestamp>.<body>" under the endpoint's
/// secret, once per secret in use (two for a day after a rotation), separated by commas.
public enum WebhookSignature {
    /// The hex HMAC-SHA256 of "timestamp.body".
    public static func sign(body: String, timestamp: Int64, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The `Advocate-Signature` value for `secrets` (current first).
    public static func header(body: String, timestamp: Int64, secrets: [String]) -> String {
        secrets.map { "v1=" + sign(body: body, timestamp: timestamp, secret: $0) }.joined(separator: ",")
    }

    /// Whether a delivery is genuine and fresh: one of the header's `v1` signatures matches
    /// (compared in constant time) and the timestamp is within `toleranceSeconds` of `now`.
    public static func verify(body: String, timestamp: String, signatures: String, secret: String, now: Timestamp,
                              toleranceSeconds: Int64 = 300) -> Bool {
        guard let t = Int64(timestamp), abs(now.milliseconds / 1000 - t) <= toleranceSeconds else { return false }
        let expected = Array(("v1=" + sign(body: body, timestamp: t, secret: secret)).utf8)
        return signatures.split(separator: ",").contains { ConstantTime.equal(Array($0.utf8), expected) }
    }

    /// A new secret (`RandomToken.webhookSecret`).
    public static func makeSecret() -> String { RandomToken.webhookSecret() }
}
