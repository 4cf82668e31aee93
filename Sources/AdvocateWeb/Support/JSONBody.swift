import AdvocateCore
import Hummingbird
import NIOCore

extension Request {
    /// Reads and parses a JSON body of at most `limit` bytes.
    ///
    /// Our own parser (not Codable) so that invalid UTF-8, duplicate keys and type errors get a
    /// precise message with a byte offset, and so that batch items can be checked one by one.
    mutating func jsonBody(limit: Int) async throws -> JSONValue {
        if let type = headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem(status: .unsupportedMediaType, detail: "send the body as application/json, not \(type)")
        }
        let buffer: ByteBuffer
        do { buffer = try await collectBody(upTo: limit) } catch let e as HTTPError where e.status == .contentTooLarge {
            throw Problem(status: .contentTooLarge, detail: "the body is larger than \(limit) bytes, this endpoint's limit")
        } catch is NIOTooManyBytesError {
            // What collecting a streamed body throws when it passes the limit.
            throw Problem(status: .contentTooLarge, detail: "the body is larger than \(limit) bytes, this endpoint's limit")
        }
        if buffer.readableBytes == 0 { throw Problem.badRequest("the request body is empty; send a JSON object") }
        return try buffer.readableBytesView.withContiguousStorageIfAvailable { try JSONValue.parse($0) }
            ?? JSONValue.parse(Array(buffer.readableBytesView))
    }
}

/// Builds JSON responses.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        value.write(into: &bytes)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension JSONValue {
    /// A string, or null.
    static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    /// A number, or null.
    static func optional(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
}
