#if canImport(Glibc)
import MailTestSupport
import Glibc
#endif
import NIOCore
import NIOPosix

// MARK: - A misbehaving server

/// A TCP server on 127.0.0.1 that writes `greeting` (or nothing) to each connection and
/// ignores what it reads: for timeouts and malformed replies, which aiosmtpd will not produce.
public enum FakeSMTPServer {
    public static func with(greeting: String?, _ body: (Int) async throws -> Void) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Greeter(greeting: greeting))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(channel.localAddress?.port ?? 0)
        } catch {
            try? await channel.close().get()
            throw error
        }
        try? await channel.close().get()
    }

    private final class Greeter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let greeting: String?
        init(greeting: String?) { self.greeting = greeting }

        func channelActive(context: ChannelHandlerContext) {
            if let greeting {
                context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: greeting)), promise: nil)
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }
}

// MARK: - A port nobody listens on

/// A TCP socket bound to a free port of 127.0.0.1 without listening: connections to it are
/// refused, and while it is open no other test can be given the port.
public struct BoundSocket {
    public let descriptor: Int32
    public let port: Int

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw FixtureError("cannot bind a test socket: errno \(errno)") }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    public func close() {
        _ = Glibc.close(descriptor)
    }
}
