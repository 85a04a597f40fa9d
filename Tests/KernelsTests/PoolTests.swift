import Foundation
import Kernels
import Testing

/// The persistent thread pool.
@Suite struct PoolTests {
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

}
