/// Terms as UTF-8 bytes, each given a number the first time it is seen: the table behind the
/// fast theme matcher and distinctive terms. Bytes are hashed once (FNV-1a, which can be carried
/// on byte by byte, so every prefix of a feature is hashed on the way to its end) and compared
/// with `memcmp`-like loops, never as `String`s.
struct ByteTerms: Sendable {
    /// All terms' bytes, one after the other.
    private(set) var storage: [UInt8] = []
    /// Where each term starts in `storage`; term `i` ends where `i + 1` starts.
    private var starts: [Int] = [0]
    /// Open addressing: term number + 1, 0 for an empty slot.
    private var slots: [Int32] = Array(repeating: 0, count: 64)
    private var slotHashes: [UInt64] = Array(repeating: 0, count: 64)

    var count: Int { starts.count - 1 }

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    static func hash(_ state: UInt64, _ byte: UInt8) -> UInt64 { (state ^ UInt64(byte)) &* 0x100_0000_01b3 }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var state = seed
        for byte in bytes { state = hash(state, byte) }
        return state
    }

    /// The bytes of term `id`.
    func bytes(_ id: Int) -> ArraySlice<UInt8> { storage[starts[id]..<starts[id + 1]] }

    /// The number of `bytes` (whose hash is `hash`), or nil when it is not a term.
    func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if slotHashes[slot] == hash, equal(entry - 1, bytes) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The number of `bytes`, given now if it is new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int {
        if let known = find(bytes, hash: hash) { return known }
        if (count + 1) * 2 > slots.count { grow() }
        let id = count
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        place(id, hash: hash)
        return id
    }

    mutating func intern(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { intern($0, hash: Self.hash($0)) }
    }

    private func equal(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        guard starts[id + 1] - start == bytes.count else { return false }
        for k in 0..<bytes.count where storage[start + k] != bytes[k] { return false }
        return true
    }

    private mutating func place(_ id: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(id + 1)
        slotHashes[slot] = hash
    }

    private mutating func grow() {
        let old = zip(slots, slotHashes).filter { $0.0 != 0 }
        slots = Array(repeating: 0, count: slots.count * 2)
        slotHashes = Array(repeating: 0, count: slots.count)
        for (entry, hash) in old { place(Int(entry) - 1, hash: hash) }
    }
}
