import Foundation
import Hummingbird

/// `application/x-www-form-urlencoded` bodies, as plain HTML forms and RFC 8058 one-click
/// unsubscribe POSTs send them.
enum FormBody {
    /// The fields of a form body; nil when it is not valid form encoding.
    static func parse(_ text: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncodingStrict,
                  let value = String(parts.count > 1 ? parts[1] : "").replacingOccurrences(of: "+", with: " ").removingPercentEncodingStrict
            else { return nil }
            fields[name] = value
        }
        return fields
    }
}

extension Request {
    /// The body as form fields, at most `limit` bytes.
    mutating func formBody(limit: Int) async throws -> [String: String] {
        let buffer: ByteBuffer
        do { buffer = try await collectBody(upTo: limit) } catch {
            throw Problem(status: .contentTooLarge, detail: "the body must be at most \(limit) bytes")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self), let fields = FormBody.parse(text) else {
            throw Problem.badRequest("the body is not valid application/x-www-form-urlencoded UTF-8")
        }
        return fields
    }
}
