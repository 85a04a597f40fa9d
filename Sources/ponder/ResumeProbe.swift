import Chat
import Engine
import Foundation
import Session
#if canImport(Glibc)
import Glibc
#endif

/// The fresh-process half of `ponder bench --saved-kv`: what `chat --resume` does in a new
/// process before its first new token, timed from outside.
///
/// The child (`ponder bench --model M --resume-probe KV`) opens the model as the chat
/// does in the line mode and the pipe (`LoadedModel.open`: weights, tokenizer, identity;
/// `WeightLoading.inBackground` started), makes a conversation's backend, reads the saved cache into it as
/// `ChatTarget.makeBackend(restoreKV:)` does, evaluates one token on it (the first step
/// of the next turn) and prints one line of its phases. The parent spawns it and times
/// exec to that line.
enum ResumeProbe {
    /// The child's work; returns its line: "open S restore S step S" (seconds).
    static func child(model path: String, kv: String) throws -> String {
        let t0 = monotonicSeconds()
        let loaded = try LoadedModel.open(path: path, contextSize: nil, chatFormat: nil, repack: WeightLoading.repackMode,
                                          loadInBackground: true)
        guard let id = loaded.identity else { throw CLIError("\(path): cannot hash the model file") }
        let engine = try loaded.makeBackend()
        let t1 = monotonicSeconds()
        guard case .restored(let n, _) = SavedKVCache(url: URL(fileURLWithPath: kv), model: id).restore(into: engine.context),
              n > 0 else { throw CLIError("\(kv): the saved cache was not restored") }
        let t2 = monotonicSeconds()
        try engine.evaluate([engine.context.tokens.last ?? 0])
        let t3 = monotonicSeconds()
        return "open \(t1 - t0) restore \(t2 - t1) step \(t3 - t2)"
    }

    /// One child's run: seconds from spawn to its line, and the line's three phases.
    struct Run { let total: Double, open: Double, restore: Double, step: Double }

    /// Spawns this executable as the child for `model` and `kv` and times it.
    static func spawn(model: String, kv: String, threads: Int) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["bench", "--model", model, "--threads", String(threads), "--resume-probe", kv]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let start = monotonicSeconds()
        try p.run()
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let more = out.fileHandleForReading.availableData
            if more.isEmpty { break }
            data.append(more)
        }
        let total = monotonicSeconds() - start
        p.waitUntilExit()
        let words = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard p.terminationStatus == 0, words.count == 6, let o = Double(words[1]), let r = Double(words[3]),
              let s = Double(words[5]) else {
            throw CLIError("the resume probe failed (exit \(p.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        return Run(total: total, open: o, restore: r, step: s)
    }
}
