import AdvocateCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization

/// Clients posting answers to `POST /api/v1/responses` as fast as they are acknowledged, each on
/// its own kept-alive connection, until told to stop or until the server dies under them. Every
/// answer is anonymous (so each one creates a response: a duplicate cannot hide in an update) and
/// its comment starts with a marker; the ledger says what became of each: acknowledged with its
/// response id, cut off without a reply, or refused.
final class AnswerLoad: Sendable {
    struct Ledger: Sendable {
        var acknowledged: [String: Int64] = [:]
        var unanswered: Set<String> = []
        var refused: [String] = []
    }

    private let state = Mutex(Ledger())
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    var ledger: Ledger { state.withLock { $0 } }

    /// After the marker, so that text outside ASCII goes through every layer too.
    static let commentTail = " Çok iyi 很好"

    /// The marker of a stored comment.
    static func marker(of comment: String) -> String { String(comment.prefix { $0 != " " }) }

    /// The clients finish the request they are sending, then stop.
    func stop() { stopping.store(true, ordering: .relaxed) }

    /// One client; `acks` hears of every acknowledged answer, and finishes when no client is left
    /// (so a test waiting for acknowledgements fails instead of hanging when every request is refused).
    func drive(port: Int, token: String, surveyID: Int64, prefix: String, acks: AsyncStream<Void>.Continuation) async {
        running.add(1, ordering: .relaxed)
        defer { if running.subtract(1, ordering: .relaxed).newValue == 0 { acks.finish() } }
        // A connection that timed out sent nothing: try again (see `ServerProcess.request`).
        for attempt in 1...4 {
            do {
                try await session(port: port, token: token, surveyID: surveyID, prefix: prefix, acks: acks)
                return
            } catch ChannelError.connectTimeout where attempt < 4 {
                continue
            } catch {
                return
            }
        }
    }

    private func session(port: Int, token: String, surveyID: Int64, prefix: String, acks: AsyncStream<Void>.Continuation) async throws {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) { client in
            var n = 0
            while !self.stopping.load(ordering: .relaxed) {
                n += 1
                let marker = prefix + String(n)
                let body = #"{"survey_id": \#(surveyID), "score": \#(n % 11), "comment": "\#(marker)\#(Self.commentTail)"}"#
                let response: TestClient.Response
                do {
                    response = try await client.execute(TestClient.Request(
                        "/api/v1/responses", method: .post, authority: "127.0.0.1",
                        headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: body)))
                } catch {
                    // The server died with this request in flight: its fate is unknown.
                    self.state.withLock { _ = $0.unanswered.insert(marker) }
                    return
                }
                let text = response.body.map { String(buffer: $0) } ?? ""
                guard response.status.code / 100 == 2, case .integer(let id)? = try? JSONValue.parse(text)["id"] else {
                    self.state.withLock { $0.refused.append("\(marker): \(response.status.code) \(text)") }
                    return
                }
                self.state.withLock { $0.acknowledged[marker] = id }
                acks.yield()
            }
        }
    }
}
