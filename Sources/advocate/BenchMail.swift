import AdvocateCore
import AdvocateJobs
import AdvocateStore
import ArgumentParser
import Foundation
import Mail
import NIOCore
import NIOPosix
import Synchronization
import _CryptoExtras

extension BenchCommand {
    /// Invitations end to end: queued in the store, claimed by the job runner, rendered in the
    /// contact's language, DKIM-signed, committed as sent and accepted by an SMTP server.
    struct MailSend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mail",
            abstract: "Send N personalised, DKIM-signed invitations through the job runner to an SMTP sink and report messages per second.")

        @Option(help: "How many invitations.") var messages: Int = 20_000
        @Option(help: "SMTP connections at once.") var concurrency: Int = 8
        @Option(help: "Send to this SMTP server instead of the built-in sink (which accepts and discards).") var smtpURL: String?
        @Option(help: "Data directory (default: a fresh temporary one).") var data: String?
        @Option(help: "PostgreSQL URL instead of SQLite.") var database: String?
        @Flag(help: "Do not DKIM-sign (to see what signing costs).") var noDkim = false

        func run() async throws {
            let sink = smtpURL == nil ? try await SMTPSink.start() : nil
            let url = smtpURL ?? "smtp://127.0.0.1:\(sink!.port)?starttls=off"
            let dir = data ?? NSTemporaryDirectory() + "advocate-bench-mail-\(UUID().uuidString)"
            let store = try await AdvocateStore.open(try DatabaseLocation.from(data: dir, database: database))
            defer { if data == nil { try? FileManager.default.removeItem(atPath: dir) } }
            let (ws, _) = try await store.ensureWorkspace(slug: "bench-mail")
            let survey = try await store.createSurvey(workspaceID: ws.id, SurveyInput(name: "Bench", productName: "Acme Cloud"))
            let locales = ["en", "tr", "ar", "kk", "zh-Hans", "de", "ja", "he"]
            let names = ["Ayşe Yılmaz", "عمر الفاروق", "Ақжол Серікбаев", "张伟", "Jürgen Groß", "山田太郎", "דנה לוי", "Ada Lovelace"]
            for start in stride(from: 0, to: messages, by: 5_000) {
                let count = min(5_000, messages - start)
                _ = try await store.createInvitations(
                    workspaceID: ws.id, surveyID: survey.id,
                    targets: (start..<(start + count)).map { .email("bench\($0)@example.com") },
                    options: InvitationOptions(sendAt: store.clock.now(), throttleDays: 0), makeToken: InvitationToken.make)
            }
            // Names and languages, so every message is personalised and several scripts are encoded.
            try await store.personalizeBenchContacts(workspaceID: ws.id, names: names, locales: locales)

            let signer = noDkim ? nil : try DKIMSigner(domain: "acme.example.com", selector: "bench",
                                                       privateKey: try _RSA.Signing.PrivateKey(keySize: .bits2048))
            let client = try SMTPClient(configuration: try SMTPConfiguration.parse(url: url),
                                        eventLoopGroup: store.database.releaseEventLoop)
            let pool = SMTPPool(client: client, concurrency: concurrency, perMinute: nil, clock: store.clock)
            let mailer = InvitationMailer(store: store, pool: pool, settings: MailSettings(
                from: try MailAddress(parsing: "Acme NPS <nps@acme.example.com>"), publicURL: "https://nps.acme.example.com", dkim: signer))
            let runner = JobRunner(store: store, handlers: [mailer],
                                   configuration: .init(batchSize: 500, concurrency: max(16, concurrency * 4)))
            let t0 = DispatchTime.now().uptimeNanoseconds
            let ran = try await runner.runDue()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            await pool.close()
            let accepted = sink?.accepted ?? ran
            print("data: \(try DatabaseLocation.from(data: dir, database: database)), SMTP \(smtpURL == nil ? "built-in sink" : url), \(concurrency) connections, DKIM \(signer == nil ? "off" : "RSA-2048")")
            print(String(format: "%d invitations sent in %.2f s: %.0f messages/s (%d accepted by the server)", ran, seconds, Double(ran) / seconds, accepted))
            await store.close()
            try await sink?.stop()
        }
    }
}

extension AdvocateStore {
    /// Gives the benchmark's contacts names and languages in turn.
    func personalizeBenchContacts(workspaceID: Int64, names: [String], locales: [String]) async throws {
        var cursor: Int64?
        var i = 0
        repeat {
            let page = try await contacts(workspaceID: workspaceID, after: cursor, limit: 1_000)
            for c in page.items {
                _ = try await upsertContact(workspaceID: workspaceID, ContactInput(
                    externalID: c.externalID ?? "bench-\(c.id)", email: c.email, name: names[i % names.count], locale: locales[i % locales.count]))
                i += 1
            }
            cursor = page.nextCursor.flatMap(Cursor.decode)
        } while cursor != nil
    }
}

/// An SMTP server that accepts every message and discards it: the far end of the benchmark,
/// so that the figure measures Advocate rather than a mail server.
final class SMTPSink: Sendable {
    let port: Int
    private let channel: any NIOCore.Channel
    private let counter: Counter

    var accepted: Int { counter.value.withLock { $0 } }

    private init(port: Int, channel: any NIOCore.Channel, counter: Counter) {
        self.port = port
        self.channel = channel
        self.counter = counter
    }

    static func start() async throws -> SMTPSink {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(Session(counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SMTPSink(port: channel.localAddress?.port ?? 0, channel: channel, counter: counter)
    }

    func stop() async throws { try await channel.close() }

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    struct LineDecoder: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer
        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let lf = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
            let line = buffer.readSlice(length: lf - buffer.readerIndex + 1)!
            context.fireChannelRead(NIOAny(line))
            return .continue
        }
    }

    final class Session: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let counter: Counter
        var inData = false
        init(counter: Counter) { self.counter = counter }

        func channelActive(context: ChannelHandlerContext) {
            reply(context, "220 sink ESMTP\r\n")
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let line = String(buffer: unwrapInboundIn(data))
            if inData {
                if line == ".\r\n" {
                    inData = false
                    counter.value.withLock { $0 += 1 }
                    reply(context, "250 2.0.0 accepted\r\n")
                }
                return
            }
            let verb = line.prefix(4).uppercased()
            switch verb {
            case "EHLO": reply(context, "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            case "HELO": reply(context, "250 sink\r\n")
            case "DATA":
                inData = true
                reply(context, "354 go ahead\r\n")
            case "QUIT":
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "221 bye\r\n"))).whenComplete { _ in context.close(promise: nil) }
            default: reply(context, "250 OK\r\n") // MAIL, RCPT, RSET, NOOP
            }
        }

        private func reply(_ context: ChannelHandlerContext, _ text: String) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        }
    }
}
