import Dispatch

/// The per-row steps of a prefill call between its projections (residual adds, norms,
/// rope, the KV cache store, SwiGLU) split over the engine's workers, so that the other
/// workers do not wait while one thread walks every row (at 2 threads these steps were
/// about a tenth of a prefill's time, all on one thread).
///
/// Rows [0, n) are cut into `MatMul.workers` contiguous ranges run on GCD, as the BLAS
/// tiles are. Every row (or element) is computed by one thread with the code a serial
/// loop runs, so results are bitwise those of one loop. Calls of fewer than `minRows`
/// rows (decode, a speculative verification of a few drafts, short prompts) run inline:
/// a dispatch costs more than splitting their few rows saves.
enum RowParallel {
    static let minRows = 128

    static func run(rows n: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = n >= minRows ? min(MatMul.workers, n) : 1
        if parts <= 1 {
            body(0..<n)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            body((n * p / parts)..<(n * (p + 1) / parts))
        }
    }
}
