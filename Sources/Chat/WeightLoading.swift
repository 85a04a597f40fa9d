import Foundation
import GGUF
import Engine
import Session
import TUI

/// Brings a model's weights into memory right after the chat starts, with progress in
/// the notice line (`LoadingText`), so a large or cold file shows how far it got instead
/// of the first reply stalling while the pages fault in one by one. Runs beside the
/// chat: the user can type meanwhile.
public enum WeightLoading {
    /// How the chat opens a model's K-quant copies: `.later`, left to `run` or
    /// `inBackground` (`.off` with `PONDER_REPACK=0`).
    public static var repackMode: X8Weights.Mode { X8Weights.enabled ? .later : .off }

    /// On a thread of its own, without progress (the line mode, the pipe, `bench`'s resume
    /// probe): prefaults the tensor data (so the first step does not stop on a page fault
    /// per 64 KiB, and a cold file is read in large pieces), then makes the K-quant copies
    /// still missing at the lowest CPU priority.
    public static func inBackground(_ model: LlamaModel) {
        Thread.detachNewThread {
            let file = model.file
            file.mapping.prefault(from: file.dataOffset)
            if model.repackableMatrices > model.repackedMatrices { model.repack(idle: true) }
        }
    }

    /// Makes the model's row-interleaved K-quant copies (`X8Weights`: reading each matrix
    /// once, then releasing its mapped pages; at the lowest CPU priority, so a turn
    /// running meanwhile is not slowed) when it has matrices waiting for one, else
    /// prefaults the tensor data of its file; `notice` gets a progress line at most every
    /// `interval` seconds and a last line when done.
    public static func run(_ model: LlamaModel, interval: Double = 0.1, notice: (String) -> Void) {
        let start = monotonicSeconds()
        var last = start
        if model.repackableMatrices > model.repackedMatrices {
            var total = 0
            model.repack(idle: true) { done, all in
                total = all
                let now = monotonicSeconds()
                if now - last >= interval && done < all {
                    last = now
                    notice(LoadingText.progress(done: done, total: all, seconds: now - start))
                }
                return true
            }
            notice(LoadingText.done(bytes: total, seconds: monotonicSeconds() - start))
            return
        }
        let file = model.file
        let r = file.mapping.prefault(from: file.dataOffset) { done, total in
            let now = monotonicSeconds()
            if now - last >= interval && done < total {
                last = now
                notice(LoadingText.progress(done: done, total: total, seconds: now - start))
            }
            return true
        }
        notice(LoadingText.done(bytes: r.bytes, seconds: monotonicSeconds() - start))
    }
}
