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

