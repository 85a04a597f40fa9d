import Foundation
import GGUF

/// Brings a model's weights into memory right after the chat starts, with progress in
/// the notice line ("loading weights [███░░░░░] 48/138 MiB 950 MiB/s 1 s left"), so a
/// large or cold file shows how far it got instead of the first reply stalling while
/// the pages fault in one by one. Runs beside the chat: the user can type meanwhile.
enum WeightLoading {
    /// Prefaults the tensor data of `file`; `notice` gets a progress line at most every
    /// `interval` seconds and a last line when done.
    static func run(_ file: GGUFFile, interval: Double = 0.1, notice: (String) -> Void) {
        let start = monotonicNow()
        var last = start
        let r = file.mapping.prefault(from: file.dataOffset) { done, total in
            let now = monotonicNow()
            if now - last >= interval && done < total {
                last = now
                notice(progressText(done: done, total: total, seconds: now - start))
            }
            return true
        }
        notice("weights loaded: \(mib(r.bytes)) MiB in \(String(format: "%.2f", monotonicNow() - start)) s")
    }

    /// "loading weights [bar] DONE/TOTAL MiB RATE MiB/s N s left" (no rate before time passed).
    static func progressText(done: Int, total: Int, seconds: Double) -> String {
        let cells = 8
        let full = total > 0 ? min(cells, Int((Double(done) / Double(total) * Double(cells)).rounded(.up))) : 0
        var t = "loading weights [" + String(repeating: "█", count: full) + String(repeating: "░", count: cells - full)
            + "] \(mib(done))/\(mib(total)) MiB"
        if seconds > 0, done > 0 {
            let rate = Double(done) / seconds
            t += " \(Int((rate / 1_048_576).rounded())) MiB/s \(Int((Double(total - done) / rate).rounded(.up))) s left"
        }
        return t
    }

    static func mib(_ bytes: Int) -> Int { Int((Double(bytes) / 1_048_576).rounded()) }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
