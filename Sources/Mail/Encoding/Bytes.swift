// MARK: - Byte names

extension UInt8 {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let equals: UInt8 = 0x3D
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A

    /// Space or horizontal tab: RFC 5322 WSP.
    var isWSP: Bool { self == .space || self == .tab }
}

// MARK: - Helpers

/// Sixteen lower-case hex digits.
func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in the array.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= count else { return needle.isEmpty }
        var start = 0
        while start <= count - needle.count {
            if self[start] == first && self[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
