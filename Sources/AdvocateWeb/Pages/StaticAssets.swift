import Crypto
import Foundation
import Hummingbird

/// The pages' style sheet and script and the in-app widget, read from the bundle once and
/// served with an ETag, so browsers revalidate them cheaply after an upgrade.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
        var etag: String
    }

    private let assets: [String: Asset]

    static let shared = StaticAssets()

    private init() {
        var assets: [String: Asset] = [:]
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]
        if let directory = Bundle.module.url(forResource: "Assets", withExtension: nil),
           let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            for file in files {
                guard let type = types[(file as NSString).pathExtension],
                      let data = try? Data(contentsOf: directory.appendingPathComponent(file)) else { continue }
                let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
                assets[file] = Asset(bytes: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest)\"")
            }
        }
        self.assets = assets
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("assets/:file") { request, context in
            try self.serve(context.parameters.get("file") ?? "", request: request, crossOrigin: false)
        }
        // The widget is loaded by customers' pages, from their origins.
        router.get("widget.js") { request, _ in
            try self.serve("widget.js", request: request, crossOrigin: true)
        }
    }

    private func serve(_ name: String, request: Request, crossOrigin: Bool) throws -> Response {
        guard let asset = assets[name] else { throw Problem.notFound("no asset \"\(name)\"") }
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "public, max-age=3600",
                                   .xContentTypeOptions: "nosniff"]
        if crossOrigin {
            headers[.accessControlAllowOrigin] = "*"
            headers[.crossOriginResourcePolicy] = "cross-origin"
        }
        if request.headers[.ifNoneMatch] == asset.etag { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
    }
}
