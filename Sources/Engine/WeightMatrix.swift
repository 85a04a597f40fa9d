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

    /// Rows [r0, r0+n) dequantized into `out` (n x cols, row-major).
    func dequantizeRows(_ r0: Int, _ n: Int, into out: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawBufferPointer(start: base + r0 * rowBytes, count: n * rowBytes)
        // The loader checked the type is supported, so this cannot throw.
        try! GGUF.dequantize(raw, type: type, count: n * cols, into: out)
    }
}

/// The engine's one matrix-multiply boundary: every projection of the forward pass goes
/// through `MatMul.apply`, so faster kernels slot in here without touching the model code.
///
/// - One input vector (decode): the fused dequantize-and-dot C kernel `pe_matvec` over
///   the quantized rows (split across cores), or for types it lacks, rows dequantized
///   by the GGUF module into a scratch tile and `cblas_sgemv`.
/// - Several input vectors (prefill): tiles of rows dequantized to Float32, then
///   `cblas_sgemm` against all inputs at once, so each weight is dequantized once per batch.
enum MatMul {
    /// Rows per dequantized tile: about 1 MiB of floats, at least 16 rows.
    static func tileRows(_ w: WeightMatrix) -> Int { max(16, (1 << 18) / max(w.cols, 1)) }

    /// Worker count for the decode kernel (the machine's cores, at most 8).
    static let workers = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// out (n x w.rows) = x (n x w.cols) * W^T. Row-major, contiguous.
    static func apply(_ w: WeightMatrix, x: UnsafePointer<Float>, n: Int,
                      out: UnsafeMutablePointer<Float>) {
        if n == 1 && pe_matvec_supports(Int32(w.type.rawValue)) != 0 {
            matvecFused(w, x: x, out: out)
            return
        }
        let tile = tileRows(w)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tile * w.cols)
        defer { scratch.deallocate() }
        var r0 = 0
        while r0 < w.rows {
            let m = min(tile, w.rows - r0)
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
