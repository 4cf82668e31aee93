import AdvocateJobs
import AdvocateStore
import Hummingbird

/// `/o/{token}`: the 1×1 image of campaigns that track opens (off by default; docs/mail.md
/// says why the figure is soft). It records the first open and always answers the same image,
/// so it tells nothing about whether a token exists.
struct OpenTracking {
    let store: AdvocateStore

    /// A transparent 1×1 GIF.
    static let pixel: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    func addRoutes(to router: Router<AppContext>) {
        router.get("o/:token") { _, context in
            let token = context.parameters.get("token") ?? ""
            if InvitationToken.isWellFormed(token) {
                try await store.recordOpen(tokenHash: InvitationToken.hash(token))
            }
            return Response(status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store, private"],
                            body: .init(byteBuffer: ByteBuffer(bytes: Self.pixel)))
        }
    }
}
