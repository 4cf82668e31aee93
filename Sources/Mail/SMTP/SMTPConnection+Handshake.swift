import Foundation
import Logging
import NIOCore
import NIOSSL

// MARK: - Greeting, EHLO, STARTTLS, AUTH

extension SMTPConnection {
    /// The steps from TCP connect to a session ready for MAIL FROM.
    struct Handshake {
        let channel: any Channel
        let replies: NIOLoopBound<SMTPReplyHandler>
        let timeouts: SMTPTimeouts
        let logger: Logger

        /// Returns the capabilities in force and whether the session is encrypted.
        func run(configuration: SMTPConfiguration, tlsContext: NIOSSLContext?,
                 serverName: String?) async throws -> (SMTPCapabilities, Bool) {
            let greeting = try await reply(waitingFor: "the greeting", timeout: timeouts.greeting)
            guard greeting.code == 220 else {
                try? await send("QUIT\r\n")
                throw SMTPError.greetingRefused(greeting)
            }
            var encrypted = configuration.security == .implicitTLS
            var capabilities = try await hello(name: configuration.clientName, allowHELO: true)

            if case .startTLS(let policy) = configuration.security, policy != .off {
                if capabilities.startTLS, let tlsContext {
                    try await send("STARTTLS\r\n")
                    let answer = try await reply(waitingFor: "the STARTTLS reply", timeout: timeouts.command)
                    if answer.code == 220 {
                        try await startTLS(context: tlsContext, serverName: serverName)
                        encrypted = true
                        // RFC 3207 section 4.2: forget what was learned before TLS and ask again.
                        capabilities = try await hello(name: configuration.clientName, allowHELO: false)
                    } else if policy == .required {
                        throw SMTPError.startTLSRefused(answer)
                    }
                } else if policy == .required {
                    throw SMTPError.startTLSNotOffered
                }
            }

            if let credentials = configuration.credentials {
                if !encrypted && configuration.security != .startTLS(.off) {
                    throw SMTPError.plaintextAuthenticationRefused
                }
                try await authenticate(credentials, capabilities: capabilities)
            }
            return (capabilities, encrypted)
        }

        /// EHLO, or HELO when the server does not know EHLO (RFC 5321 section 3.2).
        private func hello(name: String, allowHELO: Bool) async throws -> SMTPCapabilities {
            try await send("EHLO \(name)\r\n")
            let answer = try await reply(waitingFor: "the EHLO reply", timeout: timeouts.command)
            if answer.code == 250 { return SMTPCapabilities(ehlo: answer) }
            guard allowHELO, answer.isPermanentNegative else { throw SMTPError.helloRefused(answer) }
            try await send("HELO \(name)\r\n")
            let heloAnswer = try await reply(waitingFor: "the HELO reply", timeout: timeouts.command)
            guard heloAnswer.code == 250 else { throw SMTPError.helloRefused(heloAnswer) }
            return .none
        }

        /// Puts TLS under the reply reader. Nothing may have arrived after the 220: it would
        /// have come in clear text and be read as if it came over TLS.
        private func startTLS(context: NIOSSLContext, serverName: String?) async throws {
            let replies = self.replies
            let channel = self.channel
            try await channel.eventLoop.submit {
                guard !replies.value.hasUnreadInput else { throw SMTPError.dataAfterSTARTTLSReply }
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        }

        /// AUTH PLAIN (RFC 4616, with the initial response) or AUTH LOGIN.
        private func authenticate(_ credentials: SMTPConfiguration.Credentials,
                                  capabilities: SMTPCapabilities) async throws {
            let offered = capabilities.authMechanisms
            guard !offered.isEmpty else { throw SMTPError.authenticationNotOffered }
            let wanted = credentials.mechanism.map { [$0] } ?? [.plain, .login]
            guard let mechanism = wanted.first(where: { offered.contains($0.rawValue) }) else {
                throw SMTPError.authMechanismNotOffered(wanted: wanted.map(\.rawValue), offered: Array(offered))
            }
            let user = Array(credentials.username.utf8)
            let password = Array(credentials.password.utf8)
            var answer: SMTPReply
            switch mechanism {
            case .plain:
                let token = base64([0] + user + [0] + password)
                try await send("AUTH PLAIN \(token)\r\n", log: "AUTH PLAIN ****")
                answer = try await reply(waitingFor: "the AUTH PLAIN reply", timeout: timeouts.command)
            case .login:
                try await send("AUTH LOGIN\r\n")
                answer = try await reply(waitingFor: "the AUTH LOGIN reply", timeout: timeouts.command)
                guard answer.code == 334 else { throw SMTPError.authenticationFailed(answer) }
                try await send("\(base64(user))\r\n", log: "(user name)")
                answer = try await reply(waitingFor: "the AUTH LOGIN user name reply", timeout: timeouts.command)
                guard answer.code == 334 else { throw SMTPError.authenticationFailed(answer) }
                try await send("\(base64(password))\r\n", log: "(password)")
                answer = try await reply(waitingFor: "the AUTH LOGIN password reply", timeout: timeouts.command)
            }
            guard answer.code == 235 else {
                if answer.code == 334 { try? await send("*\r\n") }  // cancel an unexpected challenge (RFC 4954)
                throw SMTPError.authenticationFailed(answer)
            }
            logger.debug("authenticated", metadata: ["mechanism": "\(mechanism.rawValue)"])
        }

        private func base64(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString()
        }

        private func send(_ text: String, log: String? = nil) async throws {
            logger.trace("C: \(log ?? text.trimmingSuffixCRLF)")
            try await SMTPConnection.write(channel.allocator.buffer(string: text), channel: channel, replies: replies)
        }

        private func reply(waitingFor what: String, timeout: TimeAmount) async throws -> SMTPReply {
            try await SMTPConnection.nextReply(channel: channel, replies: replies, waitingFor: what, timeout: timeout, logger: logger)
        }
    }
}
