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
    /// The slot of this matrix's copy in the Kernels module's row-interleaved x8 layout
    /// (`X8Weights`), or nil. Once the slot is filled the int8 path reads only the copy.
    let x8: X8Weights.Slot?

    init(file: GGUFFile, info: GGUFTensorInfo) {
        name = info.name
        type = info.type
        base = file.data(for: info).baseAddress!
        cols = info.shape[0]
        rows = info.rowCount
        rowBytes = info.rowBytes
        x8 = nil
    }

    private init(_ w: WeightMatrix, x8: X8Weights.Slot) {
        (name, type, base, rows, cols, rowBytes) = (w.name, w.type, w.base, w.rows, w.cols, w.rowBytes)
        self.x8 = x8
    }

    /// This matrix with the x8 slot `s`.
    func withX8(_ s: X8Weights.Slot) -> WeightMatrix { WeightMatrix(self, x8: s) }

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

/// How a forward call computes its projections.
public enum MatMulPath: String, Sendable, CaseIterable {
    /// The default: the int8 kernels (inputs rounded to Q8_0 / Q8_K, as llama.cpp does)
    /// in calls of at most `MatMul.int8BatchLimit` tokens (decode) and, in any call, for
    /// the K-quants (on AVX2 and AVX-512 through the Kernels module's column-interleaved
    /// GEMM), the IQ1/IQ2/IQ3 types (their multi-column dots, each weight group decoded
    /// once for several activation columns), Q8_0 where the tier has its prefill GEMM
    /// (AVX-512 VNNI) and Q4_0/Q4_1/Q8_0 where it has their x8 kernels (AVX-512, AVX2
    /// without split 256-bit units: `mixedPrefillIsInt8`); float BLAS over dequantized
    /// tiles for the other weights in longer calls (prefill).
    /// Measured (BENCHMARKS.md): the x8 kernels' prefill beats BLAS on Q4_1 and matches it
    /// on Q8_0 on AVX2 (SmolLM2 pp512 on a Zen 4, that tier forced: 366 against 363 tok/s
    /// on 1 thread), reading only the x8 copy; the int8 kernels beat BLAS on Q4_K/Q6_K and on the IQ types, whose
    /// float tiles cost more to decode than the products themselves (the 4B-shaped files),
    /// and the VNNI Q8_0 GEMM beats BLAS by about 1.5x. Its 8-bit activations are the ones
    /// decode already sees; SmolLM2 Q8_0's GPL-3 perplexity on them is 0.4% above the float
    /// reference's (llama.cpp's, the same rounding: 0.5%). `float` is the exact path,
    /// `mixed16` keeps Q8_0 prefill within 0.01% of it. The IQ types' 8-bit inputs are
    /// llama.cpp's arithmetic for them (IQPerplexityTests compares the two).
    case mixed
    /// Float32 activations everywhere (the fused dequantize-and-dot kernel for short
    /// calls, BLAS for long ones): exact against the float reference.
    case float
    /// The int8 kernels in every call, prefill included; prefill-sized calls take the
    /// Kernels tier's prefill GEMM where it has one (`pk_prefill_gemm_tier`: Q8_0 on
    /// AVX-512 VNNI, not bitwise the decode dots).
    case int8
    /// `mixed`, except that Q8_0 prefill takes the Kernels tier's 16-bit GEMM
    /// (`pk_gemm16_tier`: activations rounded to int16 per 32-value block, exact int32
    /// block sums) instead of BLAS. As accurate as BLAS on SmolLM2 Q8_0 (GPL-3 perplexity
    /// 18.1120 against BLAS's 18.1119), independent of OpenBLAS's kernel choice; on the
    /// Zen 1 machine it was measured on it was slower than BLAS (its vpmaddwd issues once per
    /// cycle: the same multiply-adds per cycle as two FMAs), on a Zen 4 machine 1.05x BLAS.
    case mixed16

    /// `PONDER_MATMUL` (mixed, float, int8, mixed16; "quantized" means int8), else mixed.
    public static let fromEnvironment: MatMulPath = {
        let v = ProcessInfo.processInfo.environment["PONDER_MATMUL"]
        if v == "quantized" { return .int8 }
        return v.flatMap(MatMulPath.init(rawValue:)) ?? .mixed
    }()

    /// Whether a forward call of `n` tokens takes the Kernels tier's prefill GEMM (int8,
    /// its own rounding order) for weights of `type`.
    func usesPrefillGEMM(rows n: Int, type: GGMLType, tier: Int32) -> Bool {
        (self == .int8 || self == .mixed) && n > MatMul.int8BatchLimit
            && pk_prefill_gemm_supports(tier, Int32(type.rawValue)) != 0
    }

    /// Whether a forward call of `n` tokens takes the Kernels tier's 16-bit GEMM
    /// (`pk_gemm16_tier`: Q8_0 weights, activations rounded to int16 per block; as
    /// accurate as float BLAS on SmolLM2, its own float order) for weights of `type`.
    func usesGEMM16(rows n: Int, type: GGMLType, tier: Int32) -> Bool {
        self == .mixed16 && n > MatMul.int8BatchLimit && pk_gemm16_supports(tier, Int32(type.rawValue)) != 0
    }

    /// Whether a forward call of `n` tokens uses the int8 kernels for weights of `type`.
    func usesInt8(rows n: Int, type: GGMLType, tier: Int32 = pk_active_tier()) -> Bool {
        switch self {
        case .mixed: n <= MatMul.int8BatchLimit || Self.mixedPrefillIsInt8(type, tier: tier)
        case .mixed16: n <= MatMul.int8BatchLimit || (type != .q8_0 && Self.mixedPrefillIsInt8(type, tier: tier))
        case .float: false
        case .int8: true
        }
    }

    /// Whether `mixed` sends prefill-sized calls on weights of `type` through the int8
    /// kernels (activations rounded to Q8_0 / Q8_K): the K-quants and the IQ1/IQ2/IQ3
    /// types; a 32-block type where the tier has its prefill GEMM (Q8_0 on AVX-512 VNNI)
    /// or x8 kernels (Q4_0, Q4_1, Q8_0; four columns a call: SmolLM2 Q4_1
    /// pp512 on a Zen 4 ran 1.75x float BLAS's rate, pp128 on its AVX2 tier about 2x). `mixed16` does the same but for Q8_0.
    public static func mixedPrefillIsInt8(_ type: GGMLType, tier: Int32 = pk_active_tier()) -> Bool {
        let t = Int32(type.rawValue)
        return type.isKQuant || type.isIQGrid || pk_prefill_gemm_supports(tier, t) != 0
            || (type.blockSize == 32 && pk_x8_supports(tier, t) != 0)
    }
}

/// The engine's one matrix-multiply boundary: every projection of the forward pass goes
/// through `MatMul.apply`, so faster kernels slot in here without touching the model code.
///
/// - int8 (see `MatMulPath`): the call's input rows are quantized once per input buffer
///   and activation format (`Workspace.quantized`), then the Kernels module's
///   `pk_matmul` runs on its persistent thread pool (rows split evenly).
/// - float, one to four input vectors: the fused dequantize-and-dot C kernel `pe_matvec`
///   over the quantized rows (split across cores), or for types it lacks, rows
///   dequantized into a scratch tile and `cblas_sgemv`.
/// - float, more input vectors (prefill): tiles of rows dequantized to Float32, then
///   `cblas_sgemm` against all inputs at once, so each weight is dequantized once per batch.
enum MatMul {
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
    /// Largest call the `mixed` path sends through the int8 kernels.
    static let int8BatchLimit = 4

    /// Worker threads of the kernels: `PONDER_THREADS` when set (1...64; `--threads`
    /// sets it), else the machine's physical cores (SMT siblings share one core's
    /// load/store and FMA units, so a second thread per core only adds contention), at
    /// most 8.
    static let workers = ProcessInfo.processInfo.environment["PONDER_THREADS"].flatMap { Int($0) }
        .map { max(1, min(64, $0)) } ?? max(1, min(8, physicalCores()))

    /// Distinct (package, core) pairs of the online CPUs in /sys, or the active processor
    /// count when that cannot be read.
    static func physicalCores() -> Int {
        let logical = ProcessInfo.processInfo.activeProcessorCount
        var cores = Set<String>()
        for cpu in 0..<logical {
            let base = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            guard let core = try? String(contentsOfFile: base + "core_id", encoding: .utf8),
                  let pkg = try? String(contentsOfFile: base + "physical_package_id", encoding: .utf8) else {
                return logical
            }
            cores.insert(pkg.trimmingCharacters(in: .whitespacesAndNewlines) + "/" + core.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return cores.isEmpty ? logical : cores.count
    }

    /// out (n x w.rows) = x (n x w.cols) * W^T. Row-major, contiguous. When `path` takes
    /// the int8 kernels for this call and type, `ws` quantizes (or reuses the quantized) `x` and the Kernels tier `tier` runs.
    ///
    /// `decodeArithmetic`: each of the n rows gets bitwise the result of a one-row call
    /// (speculative decoding's verification pass). On the int8 path that is one
    /// `pk_matmul` over all n activation rows (each weight row read once for all of them;
    /// its multi-column dots are bitwise its one-column dots); on the float path, one call
    /// per row.
    static func apply(_ w: WeightMatrix, x: UnsafePointer<Float>, n: Int,
                      out: UnsafeMutablePointer<Float>, path: MatMulPath = .float,
                      tier: Int32 = pk_active_tier(), ws: Workspace? = nil, decodeArithmetic: Bool = false) {
        // The call size the path's choices see: a decode-arithmetic call is a decode call.
        let callRows = decodeArithmetic ? 1 : n
        if path.usesInt8(rows: callRows, type: w.type, tier: tier), let ws, let xq = ws.quantized(x, rows: n, cols: w.cols, weightType: Int32(w.type.rawValue), tier: tier) {
            let t = Int32(w.type.rawValue)
            let rc = if path.usesPrefillGEMM(rows: callRows, type: w.type, tier: tier) {
                if let p = w.x8?.pointer {
                    pk_prefill_gemm_x8_tier(tier, pool.pointer, t, p, w.rows, w.cols, xq, n, out, w.rows)
                } else {
                    pk_prefill_gemm_tier(tier, pool.pointer, t, w.base, w.rows, w.cols, xq, n, out, w.rows)
                }
            } else if let p = w.x8?.pointer {
                pk_matmul_x8_tier(tier, pool.pointer, t, p, w.rows, w.cols, xq, n, out, w.rows)
            } else {
                pk_matmul_tier(tier, pool.pointer, t, w.base, w.rows, w.cols, xq, n, out, w.rows)
            }
            if rc == 0 { return }
        }
        if decodeArithmetic && n > 1 {
            for j in 0..<n { apply(w, x: x + j * w.cols, n: 1, out: out + j * w.rows, path: path, tier: tier, ws: ws) }
            return
        }
        // mixed16's Q8_0 prefill: the 16-bit GEMM where the tier has it; PK_EUNSUPPORTED
        // (nx < 8, no memory) falls through to BLAS.
        if path.usesGEMM16(rows: n, type: w.type, tier: tier),
           pk_gemm16_tier(tier, pool.pointer, Int32(w.type.rawValue), w.base, w.rows, w.cols, x, n, out, w.rows) == 0 {
            return
        }
        // A few vectors: the fused kernel once per vector is cheaper than dequantizing the
        // whole matrix (and keeps OpenBLAS's threads out of short prompts).
        if n <= fusedBatchLimit && pe_matvec_supports(Int32(w.type.rawValue)) != 0 {
            for j in 0..<n { matvecFused(w, x: x + j * w.cols, out: out + j * w.rows) }
            return
        }
        // Rows split into one contiguous range per worker; each dequantizes its tiles into
        // its own scratch and multiplies them with single-threaded BLAS (OpenBLAS's own
        // threads spin badly when the machine is oversubscribed; see `singleThreadedBLAS`).
        // A matrix too small for one range per worker (a key or value projection) splits
        // the input rows as well: each part then dequantizes its own copy of its rows.
        _ = singleThreadedBLAS
        let tile = tileRows(w)
        let rowParts = max(1, min(workers, (w.rows + tile - 1) / tile))
        let colParts = rowParts < workers && n >= 2 * workers ? workers / rowParts : 1
        let parts = rowParts * colParts
        let per = (w.rows + rowParts - 1) / rowParts
        let xb = UInt(bitPattern: x), ob = UInt(bitPattern: out)
        // One tile per part: from the workspace when there is one (no allocation, and no
        // fresh pages to fault in on every call), else allocated for this call.
        let owned = ws == nil ? UnsafeMutablePointer<Float>.allocate(capacity: parts * tile * w.cols) : nil
        defer { owned?.deallocate() }
        let tiles = UInt(bitPattern: owned ?? ws!.tiles(count: parts * tile * w.cols))
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let scratch = UnsafeMutablePointer<Float>(bitPattern: tiles)! + p * tile * w.cols
            let (rp, cp) = (p / colParts, p % colParts)
            let j0 = n * cp / colParts, nj = n * (cp + 1) / colParts - j0  // this part's input rows
            let x = UnsafePointer<Float>(bitPattern: xb)! + j0 * w.cols
            let out = UnsafeMutablePointer<Float>(bitPattern: ob)! + j0 * w.rows
            var r0 = rp * per
            let end = min(w.rows, r0 + per)
            while r0 < end {
                let m = min(tile, end - r0)
                w.dequantizeRows(r0, m, into: scratch)
                if nj == 1 {
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(w.cols), 1,
                                scratch, Int32(w.cols), x, 1, 0, out + r0, 1)
                } else {
                    // out[:, r0..<r0+m] (nj x m, leading dim rows) = x (nj x cols) * tile^T
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(nj), Int32(m), Int32(w.cols),
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

extension GGMLType {
    /// Q4_K, Q5_K, Q6_K: the K-quants with int8 kernels (Q8_K activations). (Q2_K and
    /// Q3_K have none here and take the float path.)
    var isKQuant: Bool { [.q4_K, .q5_K, .q6_K].contains(self) }
    /// IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S: the grid types, whose int8
    /// kernels (Q8_K activations) are the only SIMD ones. (IQ4_NL/IQ4_XS take the float path.)
    var isIQGrid: Bool { [.iq1_s, .iq1_m, .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s].contains(self) }
}
