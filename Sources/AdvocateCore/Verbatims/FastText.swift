/// Match keys and features over UTF-8 bytes, for the text whose every scalar NFKC leaves alone
/// and whose every scalar is a character of its own: nearly every comment, in every script this
/// product's customers write. Anything else (combining marks, compatibility forms, Hangul jamo,
/// a ZWJ inside a word) gets nil, and the caller takes `ReferenceText`. On the fast road the
/// answer is byte for byte `ReferenceText`'s, by construction of `ScalarTable`.
///
/// Keys made here are also NFC, so two features are the same term exactly when their bytes are
/// equal (Swift's `String` equality is canonical equivalence; here it is plain byte equality).
enum FastText {
    /// The match key of `text` as UTF-8, or nil when `text` has a scalar that needs the plain road.
    static func matchKey(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { matchKey($0) }
    }

    static func matchKey(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let table = ScalarTable.shared
        var key: [UInt8] = []
        key.reserveCapacity(input.count)
        var i = 0
        let n = input.count
        while i < n {
            let byte = input[i]
            if byte < 0x80 {
                // ASCII: NFKC leaves it alone, folding lowers A–Z (I too: the Turkic rule agrees).
                key.append(byte &- 0x41 < 26 ? byte | 0x20 : byte)
                i += 1
                continue
            }
            let (value, length) = decode(input, at: i)
            let props = table.props(value)
            if props & ScalarTable.Props.unstable != 0 { return nil }
            if props & ScalarTable.Props.mapped != 0 {
                let mapping = table.mapping(value)
                for k in 0..<mapping.count { key.append(UInt8(truncatingIfNeeded: mapping.bytes >> (8 * UInt64(k)))) }
            } else {
                for k in i..<i + length { key.append(input[k]) }
            }
            i += length
        }
        return key
    }

    /// The scalar starting at `i` of valid UTF-8, and its length in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F), 4)
    }

    /// The features of `key` (a match key as UTF-8) as byte ranges, in text order, repeats
    /// included: `Tokenizer.tokens(_:)` on bytes. Nil when a scalar is not a character of its own
    /// (or NFKC could change it: such a key did not come from `matchKey(_:)`).
    static func features(_ key: UnsafeBufferPointer<UInt8>, into features: inout [Range<Int>]) -> Bool {
        let table = ScalarTable.shared
        var runStart = 0
        var runEnd = 0
        var runLength = 0  // scalars, which are characters here
        var runIsCJK = false
        var previousStart = 0  // of the run's last scalar, for bigrams

        func flush() {
            if runIsCJK {
                if runLength == 1 { features.append(runStart..<runEnd) }
            } else if runLength >= 2 {
                features.append(runStart..<runEnd)
            }
            runLength = 0
        }

        var i = 0
        let n = key.count
        while i < n {
            let (value, length) = decode(key, at: i)
            let props: UInt8
            if value < 0x80 {
                props = asciiClass[Int(value)]
            } else {
                props = table.props(value)
                if props & (ScalarTable.Props.unstable | ScalarTable.Props.clusters) != 0 { return false }
            }
            let kind = props & ScalarTable.Props.classMask
            if kind == 0 {
                // A joiner after a word would be part of the word's last character.
                if props & ScalarTable.Props.joinsBefore != 0, runLength > 0 { return false }
                flush()
                i += length
                continue
            }
            let isCJK = kind == ScalarTable.Props.cjk
            if runLength > 0, isCJK != runIsCJK { flush() }
            if runLength == 0 {
                runStart = i
                runIsCJK = isCJK
            } else if isCJK {
                features.append(previousStart..<i + length)  // the bigram ending here
            }
            previousStart = i
            runLength += 1
            runEnd = i + length
            i += length
        }
        flush()
        return true
    }

    /// The tokenizer's class of each ASCII scalar: letters and digits are word, the rest separate.
    private static let asciiClass: [UInt8] = (0..<128).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): ScalarTable.Props.word
        default: 0
        }
    }

    /// A comment read the fast way: its key and its features as ranges of the key.
    struct Reading {
        var key: [UInt8]
        var features: [Range<Int>]
    }

    /// `comment`'s key and features, or nil when it needs the plain road.
    static func read(_ comment: String) -> Reading? {
        guard let key = matchKey(comment) else { return nil }
        var features: [Range<Int>] = []
        features.reserveCapacity(key.count / 4)
        let ok = key.withUnsafeBufferPointer { Self.features($0, into: &features) }
        return ok ? Reading(key: key, features: features) : nil
    }
}
