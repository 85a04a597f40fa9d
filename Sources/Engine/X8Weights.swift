import GGUF
import Kernels
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Row-interleaved ("x8") copies of a model's K-quant matrices, made once at load.
///
/// Decode on a plain Q4_K/Q6_K row spends most of its instructions on per-row work (scale
/// decode, a horizontal sum per super-block); the Kernels module's x8 layout puts 8 rows
/// side by side so that work is shared by 8 SIMD lanes (x8.c). The copy has exactly the
/// matrix's bytes, permuted, so memory does not grow: after each matrix is packed, the
/// mapped file pages it came from are released (`MADV_DONTNEED`; they are clean file
/// pages, so anything that reads them later, like the float path, faults them back in).
///
/// Packed: Q4_K and Q6_K matrices of the projections and the untied output, with rows a
/// multiple of 8, when the active kernel tier has x8 kernels (AVX2) and `PONDER_REPACK`
/// is not `0`. Results are bitwise the same as on the plain matrices on every path.
public final class X8Weights: @unchecked Sendable {
    private var buffers: [UnsafeMutableRawPointer] = []
    /// Matrices packed so far.
    var count: Int { buffers.count }

    /// Whether this process packs at all (`PONDER_REPACK=0` turns it off).
    public static let enabled = ProcessInfo.processInfo.environment["PONDER_REPACK"] != "0"

    /// Whether `w` would be packed.
    static func eligible(_ w: WeightMatrix) -> Bool {
        let t = Int32(w.type.rawValue)
        return enabled && pk_x8_supports(pk_active_tier(), t) != 0 && w.rows % 8 == 0 && w.cols % 256 == 0
    }

    /// `w` with an x8 copy owned by this store, or `w` unchanged when not eligible (or
    /// when memory for the copy cannot be had: the plain path still works).
    func pack(_ w: WeightMatrix) -> WeightMatrix {
        guard Self.eligible(w) else { return w }
        let bytes = w.rows * w.rowBytes
        guard let p = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: aligned_alloc(64, (bytes + 63) / 64 * 64))) else {
            return w
        }
        // Row ranges of whole 8-row groups, packed in parallel.
        let parts = max(1, min(MatMul.workers, w.rows / 8))
        let t = Int32(w.type.rawValue)
        let src = UInt(bitPattern: w.base), dst = UInt(bitPattern: p)
        DispatchQueue.concurrentPerform(iterations: parts) { i in
            let g0 = w.rows / 8 * i / parts, g1 = w.rows / 8 * (i + 1) / parts
            guard g1 > g0 else { return }
            _ = pk_x8_pack(t, UnsafeRawPointer(bitPattern: src)! + g0 * 8 * w.rowBytes, (g1 - g0) * 8, w.cols,
                           UnsafeMutableRawPointer(bitPattern: dst)! + g0 * 8 * w.rowBytes)
        }
        buffers.append(p)
        Self.release(w.base, bytes: bytes)
        return w.withX8(UnsafeRawPointer(p))
    }

    /// Drops the whole pages of the mapping inside [p, p + bytes) from this process.
    private static func release(_ p: UnsafeRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: p) + page - 1) / page * page
        let end = (Int(bitPattern: p) + bytes) / page * page
        guard end > start, let s = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(s, end - start, Int32(MADV_DONTNEED))
    }

    deinit { for b in buffers { free(b) } }
}
