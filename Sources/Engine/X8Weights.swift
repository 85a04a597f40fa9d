import GGUF
import Kernels
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Row-interleaved ("x8") copies of a model's quantized matrices.
///
/// Decode on a plain Q4_K/Q5_K/Q6_K row spends most of its instructions on per-row work (scale
/// decode, a horizontal sum per super-block), and so does a 32-block row (a float multiply,
/// convert and add per 32 values); the Kernels module's x8 layout puts 8 rows
/// side by side so that work is shared by 8 SIMD lanes (x8.c). The copy has exactly the
/// matrix's bytes, permuted, so memory does not grow: after each matrix is packed, the
/// mapped file pages it came from are released (`MADV_DONTNEED`; they are clean file
/// pages, so anything that reads them later, like the float path, faults them back in).
///
/// Eligible: Q4_K, Q5_K and Q6_K matrices (AVX2, AVX-512 tiers), Q4_0 and Q4_1 ones
/// (AVX-512, and AVX2 where 256-bit operations are not split) and Q8_0 ones (AVX-512
/// VNNI) of the projections and the output (a tied output too: the
/// embedding lookups read single plain rows, which fault back in), with rows a multiple
/// of 8, when the active kernel tier has an x8 kernel for the type; none with
/// `PONDER_REPACK=0` (`Mode.fromEnvironment`). Each has a slot; `packAll` fills the slots, either at load (`LlamaModel`'s
/// `repack: .now`) or later on a thread of the caller's (`.later`, the chat: it starts
/// at once and answers on the plain layout meanwhile). A matrix whose slot is still
/// empty runs on the plain layout; both give the same bits, so a slot filled in the
/// middle of a generation changes its speed, not its tokens.
///
/// Packing costs more than the copy's bytes suggest: the kernel zeroes every fresh page
/// before the packer fills it (on the 4B shape's 2.5 GB, most of the ~10 s a load spent
/// packing). `packAll(idle: true)` packs on the calling thread alone at the lowest CPU
/// priority (SCHED_IDLE), so a chat that starts or resumes answers at once and the
/// copies are made in the time the cores would otherwise wait for the user.
public final class X8Weights: Sendable {
    /// When a model's eligible matrices get their x8 copies.
    public enum Mode: Sendable {
        /// During `LlamaModel.init`.
        case now
        /// When the owner calls `LlamaModel.repack(progress:)`.
        case later
        /// Never.
        case off

        /// `.now`, or `.off` when `PONDER_REPACK=0`.
        public static var fromEnvironment: Mode { X8Weights.enabled ? .now : .off }
    }

    /// Whether this process packs at all (`PONDER_REPACK=0` turns it off).
    public static let enabled = ProcessInfo.processInfo.environment["PONDER_REPACK"] != "0"

    /// One matrix's x8 copy: its address once packed, else 0 (read with acquire, so a
    /// reader that sees the address sees the packed bytes).
    final class Slot: Sendable {
        let matrix: WeightMatrix
        private let address = Atomic<UInt>(0)
        init(_ w: WeightMatrix) { matrix = w }
        var pointer: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: address.load(ordering: .acquiring)) }
        func publish(_ p: UnsafeMutableRawPointer) { address.store(UInt(bitPattern: p), ordering: .releasing) }
    }

    private let slots = Mutex<[Slot]>([])
    /// Serializes `packAll` (the slots' buffers are written by one packer at a time).
    private let packing = Mutex<Void>(())

    /// Whether `w` can have an x8 copy.
    static func eligible(_ w: WeightMatrix) -> Bool {
        let t = Int32(w.type.rawValue)
        return pk_x8_supports(pk_active_tier(), t) != 0 && w.rows % 8 == 0 && w.cols % pk_block_size(t) == 0
    }

    /// `w` with a slot of this store when eligible, else `w`.
    func register(_ w: WeightMatrix) -> WeightMatrix {
        guard Self.eligible(w) else { return w }
        let slot = Slot(w)
        slots.withLock { $0.append(slot) }
        return w.withX8(slot)
    }

    /// Matrices with a slot, and how many of them are packed.
    var counts: (slots: Int, packed: Int) {
        slots.withLock { s in (s.count, s.filter { $0.pointer != nil }.count) }
    }

    /// Packs every empty slot, in order; `progress(done, total)` (bytes) after each matrix,
    /// and packing stops when it returns false. A matrix whose copy cannot be allocated
    /// stays plain. Returns the bytes packed by this call. `idle`: on the calling thread
    /// only, at SCHED_IDLE priority while it packs (the thread's policy is put back after),
    /// so that it takes only CPU time nothing else wants; else on all the engine's workers.
    @discardableResult
    func packAll(idle: Bool = false, progress: (_ done: Int, _ total: Int) -> Bool = { _, _ in true }) -> Int {
        let restore = idle ? Self.lowerPriority() : nil
        defer { if let restore { Self.setPolicy(restore) } }
        return packing.withLock { _ in
            let all = slots.withLock { $0 }
            let total = all.reduce(0) { $0 + $1.matrix.rows * $1.matrix.rowBytes }
            var done = 0, packed = 0
            for slot in all {
                let w = slot.matrix, bytes = w.rows * w.rowBytes
                if slot.pointer == nil, let p = Self.pack(w, parts: idle ? 1 : MatMul.workers) {
                    slot.publish(p)
                    Self.release(w.base, bytes: bytes)
                    packed += bytes
                }
                done += bytes
                if !progress(done, total) { break }
            }
            return packed
        }
    }

    /// A fresh x8 copy of `w` (from malloc, freed with free), or nil without memory.
    ///
    /// The copy starts on a 2 MiB boundary and asks for transparent huge pages: decode
    /// streams every weight once per token, and with 4 KiB pages that is a TLB miss per
    /// page. Measured on a 2-vCPU Zen 3 VM, 4B-shaped tg32,
    /// median of 5 runs: 3.88 -> 4.07 tok/s on 1 thread, 5.71 -> 6.47 on 2. The hint
    /// covers whole 4 KiB pages of the copy only, so a partial 2 MiB tail stays in small
    /// pages and nothing beyond the copy is faulted in. Where THP is off it does nothing.
    private static func pack(_ w: WeightMatrix, parts workers: Int) -> UnsafeMutableRawPointer? {
        let bytes = w.rows * w.rowBytes
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 2 << 20, bytes) == 0, let p = raw else { return nil }
        _ = madvise(p, bytes, Int32(MADV_HUGEPAGE))  // the kernel rounds the length up to a page
        // Row ranges of whole 8-row groups, packed in parallel.
        let parts = max(1, min(workers, w.rows / 8))
        let t = Int32(w.type.rawValue)
        let src = UInt(bitPattern: w.base), dst = UInt(bitPattern: p)
        DispatchQueue.concurrentPerform(iterations: parts) { i in
            let g0 = w.rows / 8 * i / parts, g1 = w.rows / 8 * (i + 1) / parts
            guard g1 > g0 else { return }
            _ = pk_x8_pack(t, UnsafeRawPointer(bitPattern: src)! + g0 * 8 * w.rowBytes, (g1 - g0) * 8, w.cols,
                           UnsafeMutableRawPointer(bitPattern: dst)! + g0 * 8 * w.rowBytes)
        }
        return p
    }

    /// The calling thread's scheduling policy and priority.
    private typealias Policy = (policy: Int32, param: sched_param)

    /// Moves the calling thread to SCHED_IDLE; returns what it had, or nil when refused.
    private static func lowerPriority() -> Policy? {
        var was = sched_param()
        let policy = sched_getscheduler(0)
        guard policy >= 0, sched_getparam(0, &was) == 0 else { return nil }
        var idle = sched_param(sched_priority: 0)
        return sched_setscheduler(0, schedIdle, &idle) == 0 ? (policy, was) : nil
    }

    private static func setPolicy(_ p: Policy) {
        var param = p.param
        _ = sched_setscheduler(0, p.policy, &param)
    }

    /// Linux's SCHED_IDLE (sched.h defines it only under _GNU_SOURCE, which Swift's Glibc
    /// module does not see).
    private static let schedIdle: Int32 = 5

    /// Drops the whole pages of the mapping inside [p, p + bytes) from this process.
    private static func release(_ p: UnsafeRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: p) + page - 1) / page * page
        let end = (Int(bitPattern: p) + bytes) / page * page
        guard end > start, let s = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(s, end - start, Int32(MADV_DONTNEED))
    }

    deinit {
        for s in slots.withLock({ $0 }) { if let p = s.pointer { free(UnsafeMutableRawPointer(mutating: p)) } }
    }
}
