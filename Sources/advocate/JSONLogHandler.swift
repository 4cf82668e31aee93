import AdvocateCore
import Foundation
import Logging
import Synchronization

/// `--log-format json`: one JSON object per line on standard error, for log collectors (Loki,
/// Elasticsearch, CloudWatch) to index without parsing text. Keys: `time` (UTC, milliseconds),
/// `level`, `logger`, `message`, then every metadata key (a request's `hb.request.id`, `route`,
/// `status`, `ms`, …) as a string.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    /// Lines from many threads must not interleave.
    private static let output = Mutex<Void>(())

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = .string(Self.text(value))
        }
        fields["time"] = .string(Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))).description)
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        var bytes: [UInt8] = []
        JSONValue.object(fields).write(into: &bytes)
        bytes.append(0x0A)
        Self.output.withLock { _ in FileHandle.standardError.write(Data(bytes)) }
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return "[" + a.map(text).joined(separator: ", ") + "]"
        case .dictionary(let d): return "{" + d.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
