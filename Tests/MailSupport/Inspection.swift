import Foundation

// MARK: - Third-party checks of a message (dkimpy, Python's email package)

/// What Fixtures/inspect_message.py found in a message.
public struct Inspection {
    public let json: [String: Any]

    /// Runs the inspector on the message in `path`, verifying DKIM against `dkimRecord` if given.
    public init(path: String, dkimRecord: String? = nil) throws {
        let script = Python.fixtures.appendingPathComponent("inspect_message.py").path
        let run = try Python.run([script, path] + (dkimRecord.map { [$0] } ?? []))
        guard run.status == 0, let data = run.stdout.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError("inspect_message.py failed (is `pip install dkimpy` done?), status \(run.status): \(run.stderr)")
        }
        json = object
    }

    /// Writes `bytes` to a temporary file and inspects it.
    public init(bytes: [UInt8], dkimRecord: String? = nil) throws {
        let directory = try Python.temporaryDirectory("mail-inspect")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("message.eml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try self.init(path: path, dkimRecord: dkimRecord)
    }

    public var dkimVerified: Bool { json["dkim"] as? Bool ?? false }
    public var dkimError: String? { json["dkim_error"] as? String }
    public var dkimSignedHeaders: [String] { (json["dkim_h"] as? String ?? "").split(separator: ":").map(String.init) }
    public var subject: String? { json["subject"] as? String }
    public var fromDisplayName: String? { json["from_display_name"] as? String }
    public var to: [String] { json["to"] as? [String] ?? [] }
    public var toDisplayNames: [String] { json["to_display_names"] as? [String] ?? [] }
    public var headers: [String: String] { json["headers"] as? [String: String] ?? [:] }
    public var contentType: String? { json["content_type"] as? String }
    public var defects: [String] { json["defects"] as? [String] ?? [] }
    public var parts: [String: String] { json["parts"] as? [String: String] ?? [:] }
}
