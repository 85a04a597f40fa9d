import Chat
import Engine
import Foundation
import GGUF
import Session
#if canImport(Glibc)
import Glibc
#endif

/// `ponder bench --saved-kv`: resuming a conversation of N cached positions from its saved
/// KV cache (`SavedKVCache`, what `chat --save-kv` writes and `--resume` reads) against
/// re-reading it (one prefill of the same N tokens, what a resume without the file does).
///
/// One context prefills N random tokens (timed: re-reading) and saves the whole file
/// (timed); M more tokens are evaluated and appended (timed: a turn's save). Each
/// repetition then restores the file into a fresh context (read, checked, copied into the
/// cache), and evaluates one more token on it (the first step of the next turn); one more
/// restore runs after the file's pages are dropped from the page cache (POSIX_FADV_DONTNEED
/// on this file only): a resume from disk. Every restore must give the saved tokens.
///
/// Then the whole resume in a fresh process (`ResumeProbe`: exec, the model opened as the
/// chat opens it, the restore, one token), timed from spawn to the child's line: each
/// repetition with the files in the page cache, and once cold, after the model file's and
/// the cache file's pages are dropped (this process's mapping of the model too).
struct SavedKVBench {
    let model: LlamaModel
    let identity: ModelIdentity
    let cacheType: KVCacheType
    /// N and M.
    let positions: Int, appended: Int
    let repetitions: Int

    func run(progress: (String) -> Void) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-bench-kv-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var saved = SavedKVCache(url: dir.appendingPathComponent("bench.jsonl.kv"), model: identity)
        let capacity = positions + appended + 2
        let ctx = try LlamaContext(model: model, capacity: capacity, cacheType: cacheType)
        var rng = Xoshiro256(seed: 42)
        let vocab = UInt64(model.config.vocabSize)
        func randomTokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.next() % vocab) } }

        _ = try? ctx.evaluate(randomTokens(4))      // warm-up: every weight page read once
        ctx.reset()
        progress("re-reading \(positions) tokens")
        let prompt = randomTokens(positions)
        var t = monotonicSeconds()
        try ctx.evaluate(prompt)
        let reread = monotonicSeconds() - t
        progress("saving")
        t = monotonicSeconds()
        guard case .rewritten = try saved.save(ctx) else { throw CLIError("the first save did not write the whole file") }
        let whole = monotonicSeconds() - t
        var append = 0.0
        if appended > 0 {
            try ctx.evaluate(randomTokens(appended))
            t = monotonicSeconds()
            guard try saved.save(ctx) == .appended(appended) else { throw CLIError("the second save did not append") }
            append = monotonicSeconds() - t
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: saved.url.path)[.size] as? Int) ?? 0

        let fresh = try LlamaContext(model: model, capacity: capacity, cacheType: cacheType)
        func restore() throws -> (Double, Double) {
            fresh.reset()
            guard case .restored(let n, let s) = saved.restore(into: fresh), n == ctx.count, fresh.tokens == ctx.tokens else {
                throw CLIError("the saved cache did not restore its \(ctx.count) positions")
            }
            let t = monotonicSeconds()
            try fresh.evaluate(randomTokens(1))
            return (s, monotonicSeconds() - t)
        }
        var warm: [Double] = [], steps: [Double] = []
        for r in 0..<repetitions {
            progress("restoring \(r + 1)/\(repetitions)")
            let (s, step) = try restore()
            warm.append(s); steps.append(step)
        }
        progress("restoring from disk")
        func dropFromPageCache(_ path: String) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); close(fd) }
        }
        dropFromPageCache(saved.url.path)
        let (cold, _) = try restore()

        var probes: [ResumeProbe.Run] = []
        for r in 0..<repetitions {
            progress("resuming in a fresh process \(r + 1)/\(repetitions)")
            probes.append(try ResumeProbe.spawn(model: model.file.path, kv: saved.url.path, threads: engineThreadCount))
        }
        progress("resuming in a fresh process, cold")
        let map = model.file.mapping
        _ = madvise(UnsafeMutableRawPointer(mutating: map.base), map.size, Int32(MADV_DONTNEED))
        dropFromPageCache(model.file.path)
        dropFromPageCache(saved.url.path)
        let coldRun = try ResumeProbe.spawn(model: model.file.path, kv: saved.url.path, threads: engineThreadCount)
        let best = probes.min { $0.total < $1.total }!
        func phases(_ r: ResumeProbe.Run) -> String { "\(fmt(r.open)) / \(fmt(r.restore)) / \(fmt(r.step)) s" }

        let mb = Double(size) / 1e6
        return [
            "positions: \(ctx.count) (\(positions) + \(appended) appended)   cache: \(cacheType.rawValue)   file: \(fmt(mb)) MB   threads: \(engineThreadCount)",
            "| resume by re-reading | resume with the saved cache (best / median of \(repetitions)) | from disk | first step after it | save whole file | append \(appended) |",
            "|---|---|---|---|---|---|",
            "| \(fmt(reread)) s | \(fmt(warm.min()!)) / \(fmt(median(warm))) s (\(fmt(mb / 1e3 / warm.min()!)) GB/s) | \(fmt(cold)) s | \(fmt(steps.min()!)) s | \(fmt(whole)) s | \(fmt(append)) s |",
            "",
            "| resume in a fresh process, exec to the first new token: page cache (best / median of \(repetitions)) | open / restore / first step (best) | cold (model and cache file dropped) | open / restore / first step (cold) |",
            "|---|---|---|---|",
            "| \(fmt(best.total)) / \(fmt(median(probes.map(\.total)))) s | \(phases(best)) | \(fmt(coldRun.total)) s | \(phases(coldRun)) |",
        ]
    }
}
