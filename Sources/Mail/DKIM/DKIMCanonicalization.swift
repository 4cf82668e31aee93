// MARK: - Relaxed canonicalization (RFC 6376 section 3.4.2 and 3.4.4)

/// The "relaxed" header and body canonicalization algorithms.
enum DKIMCanonicalization {
    /// One header field (name, colon, value, including its folds and final CRLF as in the
    /// message) in relaxed form: lower-case name, unfolded, runs of WSP as one space, no WSP at
    /// the end of the value or around the colon, then CRLF.
    static func relaxedHeader(_ field: [UInt8], trailingCRLF: Bool = true) -> [UInt8] {
        guard let colon = field.firstIndex(of: .colon) else { return field }
        var output: [UInt8] = []
        output.reserveCapacity(field.count)
        // Name: lower-cased, WSP before the colon dropped.
        var name = field[..<colon].map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 0x20 : $0 }
        while let last = name.last, last.isWSP { name.removeLast() }
        output += name
        output.append(.colon)
        // Value: unfold (drop CR and LF), reduce WSP runs, trim both ends.
        var pendingSpace = false
        var started = false
        for byte in field[(colon + 1)...] where byte != .cr && byte != .lf {
            if byte.isWSP {
                pendingSpace = started
            } else {
                if pendingSpace { output.append(.space) }
                pendingSpace = false
                started = true
                output.append(byte)
            }
        }
        if trailingCRLF { output += [.cr, .lf] }
        return output
    }

    /// The body in relaxed form: WSP runs as one space, no WSP at line ends, no empty lines at
    /// the end, and a final CRLF unless the body is empty.
    static func relaxedBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var emptyLines = 0  // held back: they count only if a non-empty line follows
        var line: [UInt8] = []
        var pendingSpace = false

        func endLine() {
            if line.isEmpty {
                emptyLines += 1
            } else {
                for _ in 0..<emptyLines { output += [.cr, .lf] }
                emptyLines = 0
                output += line
                output += [.cr, .lf]
            }
            line.removeAll(keepingCapacity: true)
            pendingSpace = false
        }

        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            if byte == .cr && body.index(after: index) < body.endIndex && body[body.index(after: index)] == .lf {
                endLine()
                index = body.index(index, offsetBy: 2)
                continue
            }
            if byte.isWSP {
                pendingSpace = true
            } else {
                if pendingSpace { line.append(.space) }
                pendingSpace = false
                line.append(byte)
            }
            index = body.index(after: index)
        }
        // A last line without CRLF still counts as a line (section 3.4.4 adds the CRLF).
        if !line.isEmpty { endLine() }
        return output
    }
}
