import Foundation
import Kernels
import Testing

/// The thread pool and the matrix entry points built on it.
@Suite struct PoolTests {
    /// A weight matrix of `rows` random rows of type t, `cols` wide.
    private func matrix(_ t: Int32, rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix(seed: seed)
        return (0..<rows).flatMap { _ in randomRow(t, cols, &g) }
    }

    @Test(arguments: KT.tiers, [KT.q4_1, KT.q4_K, KT.q6_K, KT.f16])
    func matvecIsTheSameWithOneTwoAndThreeThreads(tier: Int32, type t: Int32) throws {
        let rows = 203, cols = 512  // rows not divisible by 2 or 3
        let W = matrix(t, rows: rows, cols: cols, seed: UInt64(t))
        var g = SplitMix(seed: 99)
        let xq = quantize(randomActivations(cols, &g), for: t, tier: tier)
        let rb = pk_row_size(t, cols)
        // Each out[r] must be the single-row dot of row r.
        let expected = (0..<rows).map { r in dot(tier, t, cols, Array(W[r * rb..<(r + 1) * rb]), xq) }
        for threads in [1, 2, 3] {
            let pool = try #require(pk_pool_create(Int32(threads)))
            defer { pk_pool_destroy(pool) }
            var out = [Float](repeating: .nan, count: rows)
            #expect(pk_matvec_tier(tier, pool, t, W, rows, cols, xq, &out) == 0)
            #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "\(threads) threads, tier \(tier), \(KT.name(t))")
        }
    }

    @Test(arguments: KT.tiers, [KT.q8_0, KT.q5_K, KT.bf16])
    func matmulEqualsOneMatvecPerActivationRow(tier: Int32, type t: Int32) throws {
        let rows = 37, cols = 768, nx = 5, ldo = 40
        let W = matrix(t, rows: rows, cols: cols, seed: 5 + UInt64(t))
        var g = SplitMix(seed: 11)
        let xs = (0..<nx).map { _ in quantize(randomActivations(cols, &g), for: t, tier: tier) }
        let pool = try #require(pk_pool_create(3))
        defer { pk_pool_destroy(pool) }
        var out = [Float](repeating: -1, count: nx * ldo)
        #expect(pk_matmul_tier(tier, pool, t, W, rows, cols, Array(xs.joined()), nx, &out, ldo) == 0)
        for j in 0..<nx {
            var col = [Float](repeating: .nan, count: rows)
            #expect(pk_matvec_tier(tier, nil, t, W, rows, cols, xs[j], &col) == 0)
            #expect(Array(out[j * ldo..<j * ldo + rows]).map(\.bitPattern) == col.map(\.bitPattern), "column \(j)")
            #expect(out[j * ldo + rows..<(j + 1) * ldo].allSatisfy { $0 == -1 }, "padding of column \(j) untouched")
        }
    }

    /// 10,000 back-to-back tiny jobs: each must run exactly once on every thread and be
    /// finished when pk_pool_run returns (a barrier race shows as a lagging counter).
    @Test(arguments: [2, 3])
    func tenThousandTinyJobs(threads: Int) throws {
        let pool = try #require(pk_pool_create(Int32(threads)))
        defer { pk_pool_destroy(pool) }
        #expect(pk_pool_size(pool) == Int32(threads))
        // Slot k of each thread's 8-slot (64-byte) line: runs seen, and the thread count.
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 8 * threads)
        defer { slots.deallocate() }
        slots.initialize(repeating: 0, count: 8 * threads)
        let job: pk_job_fn = { ctx, ith, nth in
            let s = ctx!.assumingMemoryBound(to: Int.self)
            s[8 * Int(ith)] += 1
            s[8 * Int(ith) + 1] = Int(nth)
        }
        var lagging = 0
        for run in 1...10_000 {
            pk_pool_run(pool, job, slots)
            for i in 0..<threads where slots[8 * i] != run || slots[8 * i + 1] != threads { lagging += 1 }
        }
        #expect(lagging == 0)
    }

    @Test func nilPoolRunsInline() {
        var calls = [Int32](repeating: -1, count: 2)
        calls.withUnsafeMutableBufferPointer { p in
            pk_pool_run(nil, { ctx, ith, nth in
                let c = ctx!.assumingMemoryBound(to: Int32.self)
                c[0] = ith; c[1] = nth
            }, p.baseAddress)
        }
        #expect(calls == [0, 1])
        #expect(pk_pool_create(0) == nil)
        #expect(pk_pool_create(257) == nil)
    }

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
