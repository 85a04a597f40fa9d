import Foundation
import Kernels
import Testing

/// Tier selection and the bandwidth probe.
@Suite struct DispatchTests {
    @Test func tiersAreClampedToTheCPU() {
        let top = pk_max_tier()
        #expect((0...2).contains(top))
        #expect(pk_kernels_tier(pk_kernels_for_tier(-3)) == 0)
        #expect(pk_kernels_tier(pk_kernels_for_tier(9)) == top)
        #expect(pk_active_tier() <= top)
    }

    @Test func readBandwidthIsMeasured() {
        let gbs = pk_measure_read_bandwidth(16 << 20, 2)
        #expect(gbs > 0.1 && gbs < 10_000)
    }
}

/// PONDER_KERNELS: the rule that turns the variable into a tier.
@Suite struct TierRequestTests {
    @Test func requestsAreClampedToTheCPU() {
        #expect(pk_tier_for_request("scalar", 2) == 0)
        #expect(pk_tier_for_request("avx2", 2) == 1)
        #expect(pk_tier_for_request("avx512", 2) == 2)
        #expect(pk_tier_for_request("avx512", 1) == 1)  // never above what the CPU has
        #expect(pk_tier_for_request("avx2", 0) == 0)
        #expect(pk_tier_for_request(nil, 2) == 2)
        #expect(pk_tier_for_request("AVX512-please", 1) == 1)
    }
}

/// pk_measure_kernel_rate (`ponder bench`'s decode compute ceiling): a rate for every
/// tier and both layouts, and the product's own argument errors passed back.
@Suite struct KernelRateTests {
    @Test(arguments: KT.tiers)
    func kernelRateIsMeasuredAndBadCallsAreRefused(tier: Int32) throws {
        let pool = try #require(pk_pool_create(2))
        defer { pk_pool_destroy(pool) }
        let t = KT.q4_K, rows = 16, cols = 512
        var g = SplitMix(seed: 3)
        let W = (0..<rows).flatMap { _ in randomRow(t, cols, &g) }
        var P = W
        try #require(pk_x8_pack(t, W, rows, cols, &P) == 0)
        let x = quantize(randomActivations(cols, &g), for: t, tier: tier)
        for (layout, weights) in [(1, P), (0, W)] {
            let gbs = pk_measure_kernel_rate(tier, pool, t, Int32(layout), weights, rows, cols, x, 0.02)
            #expect(gbs > 0.001 && gbs < 100_000, "tier \(tier), x8 \(layout): \(gbs)")
        }
        #expect(pk_measure_kernel_rate(tier, pool, t, 1, P, 12, cols, x, 0.02) == Double(PK_EBADSHAPE),
                "x8 rows not a multiple of 8")
        #expect(pk_measure_kernel_rate(tier, pool, KT.q5_0, 1, W, 8, 512, x, 0.02) == Double(PK_EBADTYPE),
                "no x8 layout for Q5_0")
        #expect(pk_measure_kernel_rate(tier, pool, t, 0, W, 0, cols, x, 0.02) == Double(PK_EBADARG))
        #expect(pk_measure_kernel_rate(tier, pool, t, 0, W, rows, cols, x, 0) == Double(PK_EBADARG))
    }
}
