import GGUF
import Kernels
import COpenBLAS
import Dispatch
import Foundation

/// A weight matrix as a view over the memory-mapped file: `rows` output features of
/// `cols` input features each, every row `rowBytes` bytes of `type` blocks.
/// (ggml shape [cols, rows]; y = W x means y[r] = dot(W[r, :], x).)
///
/// Valid only while the `GGUFFile` that owns the mapping lives (the model keeps it).
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let type: GGMLType
    public let base: UnsafeRawPointer
    public let rows: Int
    public let cols: Int
    public let rowBytes: Int

    init(file: GGUFFile, info: GGUFTensorInfo) {
        name = info.name
        type = info.type
        base = file.data(for: info).baseAddress!
        cols = info.shape[0]
        rows = info.rowCount
        rowBytes = info.rowBytes
    }

    /// Row `r` dequantized into `out` (`cols` floats). Used for embedding lookup.
    func dequantizeRow(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        dequantizeRows(r, 1, into: out)
    }

    /// Rows [r0, r0+n) dequantized into `out` (n x cols, row-major): by the Kernels
    /// module's C routine when it has the type (bit-identical to gguf-py's), else by GGUF's.
    func dequantizeRows(_ r0: Int, _ n: Int, into out: UnsafeMutablePointer<Float>) {
        if pk_dequantize_row(Int32(type.rawValue), base + r0 * rowBytes, out, n * cols) == 0 { return }
        let raw = UnsafeRawBufferPointer(start: base + r0 * rowBytes, count: n * rowBytes)
        // The loader checked the type is supported, so this cannot throw.
        try! GGUF.dequantize(raw, type: type, count: n * cols, into: out)
    }
}

/// The engine's one matrix-multiply boundary: every projection of the forward pass goes
/// through `MatMul.apply`, so faster kernels slot in here without touching the model code.
///
/// - One to four input vectors (decode, short prompts): the fused dequantize-and-dot C
///   kernel `pe_matvec` over the quantized rows (split across cores), or for types it
///   lacks, rows dequantized into a scratch tile and `cblas_sgemv`.
/// - More input vectors (prefill): tiles of rows dequantized to Float32, then
///   `cblas_sgemm` against all inputs at once, so each weight is dequantized once per batch.
///
/// `PONDER_MATMUL=quantized` switches to the Kernels module's SIMD kernels instead
/// (`pk_matvec` / `pk_matmul` on its thread pool), which quantize the activations to
/// Q8_0 / Q8_K as llama.cpp does: faster, but no longer float-exact against the
/// reference, so the default stays `float` until the speed issue settles it.
enum MatMul {
    enum Backend: String { case float, quantized }
    /// Chosen once from `PONDER_MATMUL` (float unless it says "quantized").
    static let backend: Backend = ProcessInfo.processInfo.environment["PONDER_MATMUL"]
        .flatMap(Backend.init(rawValue:)) ?? .float

    /// The Kernels thread pool (one per process; its calls are serialized internally).
    final class Pool: @unchecked Sendable {
        let pointer: OpaquePointer?
        init(threads: Int) { pointer = pk_pool_create(Int32(threads)) }
    }
    static let pool = Pool(threads: workers)

    /// Rows per dequantized tile: about 1 MiB of floats, at least 16 rows.
    static func tileRows(_ w: WeightMatrix) -> Int { max(16, (1 << 18) / max(w.cols, 1)) }

    /// Largest batch that goes through the fused kernel vector by vector.
    static let fusedBatchLimit = 4

    /// Worker count for the decode kernel (the machine's cores, at most 8).
    /// `PONDER_THREADS` when set (1...64; `--threads` sets it), else the machine's cores, at most 8.
    static let workers = ProcessInfo.processInfo.environment["PONDER_THREADS"].flatMap { Int($0) }
        .map { max(1, min(64, $0)) } ?? max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// out (n x w.rows) = x (n x w.cols) * W^T. Row-major, contiguous.
    static func apply(_ w: WeightMatrix, x: UnsafePointer<Float>, n: Int,
                      out: UnsafeMutablePointer<Float>) {
        if backend == .quantized, applyQuantized(w, x: x, n: n, out: out) { return }
        // A few vectors: the fused kernel once per vector is cheaper than dequantizing the
        // whole matrix (and keeps OpenBLAS's threads out of short prompts).
        if n <= fusedBatchLimit && pe_matvec_supports(Int32(w.type.rawValue)) != 0 {
            for j in 0..<n { matvecFused(w, x: x + j * w.cols, out: out + j * w.rows) }
            return
        }
        // Rows split into one contiguous range per worker; each dequantizes its tiles into
        // its own scratch and multiplies them with single-threaded BLAS (OpenBLAS's own
        // threads spin badly when the machine is oversubscribed; see `singleThreadedBLAS`).
        _ = singleThreadedBLAS
        let tile = tileRows(w)
        let parts = max(1, min(workers, (w.rows + tile - 1) / tile))
        let per = (w.rows + parts - 1) / parts
        let xb = UInt(bitPattern: x), ob = UInt(bitPattern: out)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let x = UnsafePointer<Float>(bitPattern: xb)!, out = UnsafeMutablePointer<Float>(bitPattern: ob)!
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tile * w.cols)
            defer { scratch.deallocate() }
            var r0 = p * per
            let end = min(w.rows, r0 + per)
            while r0 < end {
                let m = min(tile, end - r0)
                w.dequantizeRows(r0, m, into: scratch)
                if n == 1 {
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(w.cols), 1,
                                scratch, Int32(w.cols), x, 1, 0, out + r0, 1)
                } else {
                    // out[:, r0..<r0+m] (n x m, leading dim rows) = x (n x cols) * tile^T
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(m), Int32(w.cols),
                                1, x, Int32(w.cols), scratch, Int32(w.cols), 0, out + r0, Int32(w.rows))
                }
                r0 += m
            }
        }
    }

    /// OpenBLAS set to one thread, once: parallelism comes from splitting rows across
    /// `workers` (GCD), which degrades gracefully on a busy machine, where OpenBLAS's
    /// spinning threads made a 6-token prompt take seconds (measured here).
    static let singleThreadedBLAS: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// The Kernels path: activations quantized to the weight type's dot format, then
    /// pk_matvec (n == 1) or pk_matmul. False (nothing written) when Kernels lacks the type.
    private static func applyQuantized(_ w: WeightMatrix, x: UnsafePointer<Float>, n: Int,
                                       out: UnsafeMutablePointer<Float>) -> Bool {
        let t = Int32(w.type.rawValue)
        guard pk_vec_dot_type(t) >= 0 else { return false }
        let rowBytes = pk_activation_size(t, w.cols)
        guard rowBytes > 0 else { return false }
        let xq = UnsafeMutableRawPointer.allocate(byteCount: n * rowBytes, alignment: 64)
        defer { xq.deallocate() }
        let tier = pk_active_tier()
        for j in 0..<n {
            guard pk_quantize_row_tier(tier, t, x + j * w.cols, xq + j * rowBytes, w.cols) == 0 else { return false }
        }
        let rc = n == 1
            ? pk_matvec(pool.pointer, t, w.base, w.rows, w.cols, xq, out)
            : pk_matmul(pool.pointer, t, w.base, w.rows, w.cols, xq, n, out, w.rows)
        return rc == 0
    }

    /// Decode path: pe_matvec over row ranges, in parallel when the matrix is large.
    private static func matvecFused(_ w: WeightMatrix, x: UnsafePointer<Float>,
                                    out: UnsafeMutablePointer<Float>) {
        let type = Int32(w.type.rawValue)
        let parts = w.rows * w.cols >= 1 << 18 ? workers : 1
        if parts == 1 {
            _ = pe_matvec(type, w.base, w.rowBytes, Int32(w.rows), Int32(w.cols), x, out)
            return
        }
        let per = (w.rows + parts - 1) / parts
        let wb = UInt(bitPattern: w.base), xb = UInt(bitPattern: x), ob = UInt(bitPattern: out)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let r0 = p * per, r1 = min(w.rows, r0 + per)
            guard r0 < r1 else { return }
            _ = pe_matvec(type, UnsafeRawPointer(bitPattern: wb)! + r0 * w.rowBytes, w.rowBytes,
                          Int32(r1 - r0), Int32(w.cols), UnsafePointer<Float>(bitPattern: xb)!,
                          UnsafeMutablePointer<Float>(bitPattern: ob)! + r0)
        }
    }
}
