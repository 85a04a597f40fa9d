import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A conversation's KV cache saved beside its journal (`ponder chat --save-kv`):
/// `NAME.jsonl.kv` next to `NAME.jsonl`, rewritten atomically when each turn ends, and
/// read back by `--resume`/`/load` so that the first new turn prefills only its new tokens.
///
/// The file (`KVCacheFile`) is keyed by the model file's identity (name, size, header
/// hash), a sampled hash of its weights, the shapes, RoPE and element type of the cache,
/// and holds the exact token ids of the cached positions. A position's keys and values
/// depend only on the tokens up to it and on that key, so the longest common prefix of
/// the saved tokens and the next prompt is exactly what a live session would reuse: the
/// turn loop keeps that prefix (`TurnGenerator.reuseCache`) and evaluates the rest.
public struct SavedKVCache: Sendable {
    /// The file.
    public let url: URL
    /// The model the cache is computed with.
    public let model: ModelIdentity

    public init(url: URL, model: ModelIdentity) { self.url = url; self.model = model }

    /// The cache file of the session or journal at `session`: the same name plus ".kv".
    public static func url(beside session: URL) -> URL { session.appendingPathExtension("kv") }

    /// The file's key for `ctx`: the model identity, then the context's `cacheKey`.
    func key(for ctx: LlamaContext) -> [UInt8] {
        KVCacheFile.keyText([("model", model.fileName), ("size", "\(model.size)"), ("header", model.headerHash)]
                            + ctx.cacheKey)
    }

    /// Writes `ctx`'s cached positions (temp file, fsync, rename: a crash leaves the old
    /// file or the new one). Throws a one-line error.
    public func save(_ ctx: LlamaContext) throws {
        let key = key(for: ctx)
        try AtomicFile.write(to: url, overwrite: true) { fd, tmp in
            try KVCacheFile.write(ctx, key: key) { try FileIO.writeAll(fd, $0, path: tmp) }
        }
    }

    /// What `restore` did.
    public enum Outcome: Equatable, Sendable {
        /// No file: nothing to say.
        case absent
        /// The cache now holds this many positions, read in this many seconds.
        case restored(Int, seconds: Double)
        /// The file was refused (why, one line); the cache is empty and the conversation
        /// is re-read.
        case refused(String)

        /// The notice line for the user, if any.
        public var notice: String? {
            switch self {
            case .absent: return nil
            case .restored(let n, let s):
                return "resumed with the saved KV cache: \(n) tokens need not be re-read (read in \(String(format: "%.2f", s)) s)"
            case .refused(let why): return "saved KV cache refused: \(why); the conversation is re-read"
            }
        }
    }

    /// Reads the file into `ctx` if it exists and matches (see `KVCacheFile.read`); on
    /// any mismatch or failure the context is left empty. Anything but a regular file (a
    /// FIFO, a link to /dev/zero) is refused before a byte is read.
    public func restore(into ctx: LlamaContext) -> Outcome {
        let key = key(for: ctx)
        // The largest file any context of this model could take (nothing is allocated by
        // the file's size: `KVCacheFile.read` checks its positions against this context).
        let limit = KVCacheFile.size(of: ctx, count: 1 << 20, keyBytes: key.count)
        let start = monotonicSeconds()
        do {
            guard let (fd, size) = try RegularFile.openIfPresent(url.path, limit: limit) else { return .absent }
            defer { close(fd) }
            let n = try KVCacheFile.read(into: ctx, key: key, fileSize: size) { buf in
                guard try RegularFile.read(fd, into: buf, path: url.path) == buf.count else {
                    throw KVFileError.truncated
                }
            }
            return .restored(n, seconds: monotonicSeconds() - start)
        } catch {
            ctx.reset()
            return .refused(error is SessionIOError ? "\(error)" : "\(url.path): \(error)")
        }
    }
}
