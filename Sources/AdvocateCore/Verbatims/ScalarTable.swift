/// What `FastText` knows of every Unicode scalar: its class for the tokenizer, whether it keeps the
/// fast road open, and its match key. Decoded once from ScalarTable+Data.swift, which
/// scripts/generate-text-tables.swift derives from `ReferenceText`, so that the two agree.
struct ScalarTable: Sendable {
    /// The bits of a scalar's entry.
    enum Props {
        /// The tokenizer's class: 0 separator, 1 word, 2 Han/Kana/Hangul.
        static let classMask: UInt8 = 0b11
        static let word: UInt8 = 1
        static let cjk: UInt8 = 2
        /// A separator that joins the character before it (ZWJ, an emoji modifier): harmless
        /// after a separator, but it would glue itself to a word.
        static let joinsBefore: UInt8 = 1 << 2
        /// Part of a grapheme cluster with its neighbours (Hangul jamo, prepended marks): the
        /// tokenizer must see characters, not scalars.
        static let clusters: UInt8 = 2 << 2
        /// NFKC could change it or a neighbour (compatibility forms, combining marks,
        /// unassigned), or its key is not simple: the text takes the plain road.
        static let unstable: UInt8 = 1 << 4
        /// Its match key is other scalars (`mapping(_:)`).
        static let mapped: UInt8 = 1 << 5
    }

    /// A scalar's match key as UTF-8, at most 8 bytes, little end first.
    struct Mapping: Sendable {
        var bytes: UInt64
        var count: Int
    }

    static let shared = ScalarTable()

    /// For each block of 256 scalars, where its entries start in `blocks`.
    private let index: [Int32]
    /// The distinct blocks of 256 entries.
    private let blocks: [UInt8]
    private let mappings: [UInt32: Mapping]

    private init() {
        var flat: [UInt8] = []
        flat.reserveCapacity(0x110000)
        for run in Self.encodedRuns.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let parts = run.split(separator: "*")
            flat.append(contentsOf: repeatElement(UInt8(parts[0], radix: 16)!, count: Int(parts[1], radix: 16)!))
        }
        precondition(flat.count == 0x110000, "ScalarTable+Data.swift is damaged")
        var seen: [ArraySlice<UInt8>: Int32] = [:]
        var index: [Int32] = []
        var blocks: [UInt8] = []
        for start in stride(from: 0, to: flat.count, by: 256) {
            let block = flat[start..<start + 256]
            if let known = seen[block] {
                index.append(known)
            } else {
                let offset = Int32(blocks.count)
                seen[block] = offset
                blocks.append(contentsOf: block)
                index.append(offset)
            }
        }
        self.index = index
        self.blocks = blocks

        var mappings: [UInt32: Mapping] = [:]
        for item in Self.encodedMappings.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            var utf8: [UInt8] = []
            for scalar in parts[1].split(separator: " ") { utf8.append(contentsOf: String(Unicode.Scalar(UInt32(scalar, radix: 16)!)!).utf8) }
            precondition(utf8.count <= 8, "ScalarTable+Data.swift is damaged")
            let packed = utf8.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            mappings[UInt32(parts[0], radix: 16)!] = Mapping(bytes: packed, count: utf8.count)
        }
        self.mappings = mappings
    }

    /// The entry of the scalar `value` (at most 0x10FFFF).
    @inline(__always)
    func props(_ value: UInt32) -> UInt8 {
        blocks[Int(index[Int(value >> 8)]) &+ Int(value & 0xFF)]
    }

    /// The key of a scalar whose entry has `Props.mapped`.
    func mapping(_ value: UInt32) -> Mapping { mappings[value]! }
}
