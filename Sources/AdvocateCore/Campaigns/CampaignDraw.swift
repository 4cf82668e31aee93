/// The reproducible per-contact coin of a campaign: a number in [0, 1) from (seed, stream, contact id).
///
/// Each decision is a pure function of the contact's id rather than a draw from a generator
/// walked in contact order, so the result does not depend on the order, paging or retries of the
/// database read, and a dry run and the real run agree. Each decision has its own stream (salt)
/// so that, for example, the contacts sampled at 10% are not also the ones that get variant A.
enum CampaignDraw {
    /// Independent uses of one campaign seed. The salts are arbitrary; what matters is that they
    /// differ and never change, because changing one would re-draw every stored campaign.
    enum Stream: UInt64 {
        /// Who is in the sample (`SamplingPlan`).
        case sampling = 0x5A4D_504C_494E_4731
        /// Which A/B variant a contact gets (`VariantAssignment`).
        case variant = 0x5641_5249_414E_5431
        /// The order in which contacts are dealt to the days of a spread (`SendSchedule`).
        case sendOrder = 0x5345_4E44_4F52_4431
    }

    /// A 64-bit hash of (seed, stream, id). The id is mixed on its own before the seed is applied:
    /// with `mix(seed ^ id)` two seeds would give the same draws to ids that differ by `seed₁ ^ seed₂`,
    /// so consecutive database ids would pair up across seeds.
    static func hash(seed: UInt64, stream: Stream, contactID: Int64) -> UInt64 {
        let key = mix(seed ^ stream.rawValue)
        return mix(mix(UInt64(bitPattern: contactID)) ^ key)
    }

    /// `hash` as a uniform number in [0, 1): the top 53 bits, so every value is an exact `Double`
    /// and 1 is never reached (a rate of 1 therefore includes everyone).
    static func unit(seed: UInt64, stream: Stream, contactID: Int64) -> Double {
        Double(hash(seed: seed, stream: stream, contactID: contactID) >> 11) * 0x1p-53
    }

    /// SplitMix64's output for the state `x`: the same mixing as `SeededGenerator`, used as a hash.
    static func mix(_ x: UInt64) -> UInt64 {
        var generator = SeededGenerator(seed: x)
        return generator.next()
    }
}
