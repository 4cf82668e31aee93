import NIOCore

// MARK: - DATA body (RFC 5321 sections 4.1.1.4 and 4.5.2)

/// Turns a message into the bytes sent after `DATA`: CRLF line ends (a bare CR or LF becomes
/// CRLF, as SMTP forbids them), a dot doubled at the start of any line (dot-stuffing), a final
/// CRLF if missing, then the terminating `.` CRLF.
enum SMTPDataEncoder {
    /// RFC 5321 section 4.5.3.1.6: 1,000 octets per line including CRLF.
    static let maximumLineLength = 998

    static func encode(_ message: [UInt8], allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(SMTPError) -> ByteBuffer {
        var output = allocator.buffer(capacity: message.count + message.count / 64 + 8)
        var lineNumber = 1
        var lineLength = 0
        var atLineStart = true
        var index = 0

        func endLine() throws(SMTPError) {
            guard lineLength <= maximumLineLength else { throw .lineTooLong(line: lineNumber, length: lineLength) }
            output.writeBytes([UInt8.cr, .lf])
            lineNumber += 1
            lineLength = 0
            atLineStart = true
        }

        while index < message.count {
            let byte = message[index]
            if byte == .cr || byte == .lf {
                try endLine()
                index += (byte == .cr && index + 1 < message.count && message[index + 1] == .lf) ? 2 : 1
                continue
            }
            if atLineStart && byte == .dot { output.writeInteger(UInt8.dot) }
            atLineStart = false
            output.writeInteger(byte)
            lineLength += 1
            index += 1
        }
        if !atLineStart { try endLine() }
        output.writeBytes([UInt8.dot, .cr, .lf])
        return output
    }
}
