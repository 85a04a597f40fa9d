import Foundation
import GGUF
import Engine
import TUI

/// Brings a model's weights into memory right after the chat starts, with progress in
/// the notice line (`LoadingText`), so a large or cold file shows how far it got instead
/// of the first reply stalling while the pages fault in one by one. Runs beside the
/// chat: the user can type meanwhile.
enum WeightLoading {
    /// Makes the model's row-interleaved K-quant copies (`X8Weights`: reading each matrix
    /// once, then releasing its mapped pages) when it has matrices waiting for one, else
    /// prefaults the tensor data of its file; `notice` gets a progress line at most every
    /// `interval` seconds and a last line when done.
    static func run(_ model: LlamaModel, interval: Double = 0.1, notice: (String) -> Void) {
        let start = monotonicNow()
        var last = start
        if model.repackableMatrices > model.repackedMatrices {
            var total = 0
            model.repack { done, all in
                total = all
                let now = monotonicNow()
                if now - last >= interval && done < all {
                    last = now
                    notice(LoadingText.progress(done: done, total: all, seconds: now - start))
                }
                return true
            }
            notice(LoadingText.done(bytes: total, seconds: monotonicNow() - start))
            return
        }
        let file = model.file
        let r = file.mapping.prefault(from: file.dataOffset) { done, total in
            let now = monotonicNow()
            if now - last >= interval && done < total {
                last = now
                notice(LoadingText.progress(done: done, total: total, seconds: now - start))
            }
            return true
        }
        notice(LoadingText.done(bytes: r.bytes, seconds: monotonicNow() - start))
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
