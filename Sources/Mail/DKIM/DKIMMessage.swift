// MARK: - Message split for signing

/// A message split into raw header fields and body, as DKIM sees it.
struct DKIMMessage {
    /// Each field with its folds and terminating CRLF, in message order.
    let fields: [[UInt8]]
    let body: ArraySlice<UInt8>

    init(_ message: [UInt8]) throws(DKIMError) {
        // Bare CR or LF would be turned into CRLF by SMTP and change what was signed.
        for (index, byte) in message.enumerated() {
            if byte == .lf && (index == 0 || message[index - 1] != .cr) { throw .bareLineBreak(offset: index) }
            if byte == .cr && (index + 1 == message.count || message[index + 1] != .lf) { throw .bareLineBreak(offset: index) }
        }
        var fields: [[UInt8]] = []
        var index = 0
        var bodyStart = message.count
        while index < message.count {
            // A line ends at CRLF; an empty line ends the header.
            var end = index
            while end + 1 < message.count && !(message[end] == .cr && message[end + 1] == .lf) { end += 1 }
            let lineEnd = min(end + 2, message.count)
            if end == index {
                bodyStart = lineEnd
                break
            }
            if message[index].isWSP {
                guard !fields.isEmpty else { throw .malformedHeader(line: String(decoding: message[index..<end], as: UTF8.self)) }
                fields[fields.count - 1] += message[index..<lineEnd]
            } else {
                guard message[index..<end].contains(.colon) else {
                    throw .malformedHeader(line: String(decoding: message[index..<end], as: UTF8.self))
                }
                fields.append(Array(message[index..<lineEnd]))
            }
            index = lineEnd
        }
        self.fields = fields
        self.body = message[bodyStart...]
    }

    /// The fields called `name` (case-insensitive), in message order.
    func fields(named name: String) -> [[UInt8]] {
        let wanted = Array(name.lowercased().utf8)
        return fields.filter { field in
            guard let colon = field.firstIndex(of: .colon) else { return false }
            var fieldName = field[..<colon].map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 0x20 : $0 }
            while let last = fieldName.last, last.isWSP { fieldName.removeLast() }
            return fieldName == wanted
        }
    }
}
