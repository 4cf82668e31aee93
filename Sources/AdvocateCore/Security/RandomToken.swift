import Foundation

/// Unguessable tokens: `bytes` random bytes from the system's generator, base64url without padding.
public enum RandomToken {
    public static func base64URL(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A webhook endpoint's signing secret: `whsec_` before 32 random bytes, so that it is
    /// recognisable in a leak (secret scanners, logs).
    public static func webhookSecret() -> String { "whsec_" + base64URL() }
}
