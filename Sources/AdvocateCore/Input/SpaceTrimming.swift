extension Substring {
    /// Without leading and trailing horizontal space: Unicode's space separators (Zs), tab and
    /// zero-width space, the set Foundation calls `.whitespaces` on Linux. Foundation's version
    /// bridges through NSString on every call, a tenth of reading a large import in which almost
    /// nothing needs trimming.
    public func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        func isSpace(_ s: Unicode.Scalar) -> Bool { s.isASCII ? s == " " || s == "\t" : s == "\u{200B}" || s.properties.generalCategory == .spaceSeparator }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}

extension String {
    /// See `Substring.trimmingSpaces()`.
    public func trimmingSpaces() -> String { self[...].trimmingSpaces() }
}
