import ArgumentParser
import Foundation
import Mail
import _CryptoExtras

/// `advocate dkim keygen`: a new DKIM signing key and the DNS record that publishes it.
struct DKIMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dkim", abstract: "DKIM signing keys for outgoing e-mail.",
                                                    subcommands: [Keygen.self])

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an RSA key for DKIM and print the DNS TXT record to publish.",
            discussion: "The private key is written to --out (readable by its owner only); an existing file is never overwritten.")

        @Option(help: "The signing domain, e.g. mail.example.com (the d= of the signature).") var domain: String
        @Option(help: "The selector, e.g. advocate2026 (the s= of the signature).") var selector: String
        @Option(help: "Where to write the private key (PEM).") var out: String
        @Option(help: "Key size in bits: 2048, 3072 or 4096.") var bits: Int = 2048

        func run() async throws {
            let size: _RSA.Signing.KeySize
            switch bits {
            case 2048: size = .bits2048
            case 3072: size = .bits3072
            case 4096: size = .bits4096
            default: throw ValidationError("--bits must be 2048, 3072 or 4096, got \(bits)")
            }
            guard !FileManager.default.fileExists(atPath: out) else {
                throw ValidationError("\(out) already exists; choose another --out (a key in use must not be replaced by accident)")
            }
            let key = try _RSA.Signing.PrivateKey(keySize: size)
            let signer: DKIMSigner
            do { signer = try DKIMSigner(domain: domain, selector: selector, privateKey: key) } catch {
                throw ValidationError(String(describing: error))
            }
            // Created with 0600 from the start, so the key is never readable by others, even briefly.
            guard FileManager.default.createFile(atPath: out, contents: Data(key.pemRepresentation.utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("cannot write \(out)")
            }
            print("wrote the private key to \(out) (keep it secret)")
            print("publish this DNS TXT record for selector \(selector) of \(domain):")
            print("\(signer.dnsName). IN TXT \(Self.txtStrings(signer.dnsRecord))")
        }

        /// A TXT value as quoted character-strings of at most 255 bytes each (RFC 1035 3.3.14):
        /// a 2048-bit key does not fit in one.
        static func txtStrings(_ value: String) -> String {
            var parts: [String] = []
            var rest = Substring(value)
            while !rest.isEmpty {
                parts.append("\"\(rest.prefix(255))\"")
                rest = rest.dropFirst(255)
            }
            return parts.joined(separator: " ")
        }
    }
}
