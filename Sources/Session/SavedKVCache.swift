import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A conversation's KV cache saved beside its journal (`ponder chat --save-kv`):
/// `NAME.jsonl.kv` next to `NAME.jsonl`, saved when each turn ends, and read back by
/// `--resume`/`/load` so that the first new turn prefills only its new tokens.
///
/// The file (`KVCacheFile`) is keyed by the model file's identity (name, size, header
/// hash), a sampled hash of its weights, the shapes, RoPE and element type of the cache,
/// and holds the exact token ids of the cached positions. A position's keys and values
/// depend only on the tokens up to it and on that key, so the longest common prefix of
/// the saved tokens and the next prompt is exactly what a live session would reuse: the
/// turn loop keeps that prefix (`TurnGenerator.reuseCache`) and evaluates the rest.
///
/// Saving: when the rows this value last wrote are still the context's
/// (`LlamaContext.unchangedCount`) and the file is still the one it wrote (same inode
/// and length), only the new positions are appended as a segment, synced, and then the
/// 72-byte header naming them is rewritten in place and synced. A crash before the
/// header's write leaves the old state (the reader ignores bytes past the committed
/// length); a torn header fails its checksum and is refused. Anything else (a changed
/// prefix: regenerate, edit, rollback; another process's file) rewrites the whole file
/// atomically (temp file, fsync, rename).
public struct SavedKVCache: Sendable {
    /// The file.
    public let url: URL
    /// The model the cache is computed with.
    public let model: ModelIdentity
    /// What this value last wrote to `url`: the committed state, and the file's identity.
    private var written: (state: KVCacheFile.Committed, device: UInt64, inode: UInt64)?

    public init(url: URL, model: ModelIdentity) { self.url = url; self.model = model }

    /// The cache file of the session or journal at `session`: the same name plus ".kv".
    public static func url(beside session: URL) -> URL { session.appendingPathExtension("kv") }

    /// The file's key for `ctx`: the model identity, then the context's `cacheKey`.
    func key(for ctx: LlamaContext) -> [UInt8] {
        KVCacheFile.keyText([("model", model.fileName), ("size", "\(model.size)"), ("header", model.headerHash)]
                            + ctx.cacheKey)
    }

    /// How the last `save` went.
    public enum SaveKind: Equatable, Sendable {
        /// Nothing new since the last save.
        case unchanged
        /// This many positions appended.
        case appended(Int)
        /// The whole file written, this many positions.
        case rewritten(Int)
    }

    /// Saves `ctx`'s cached positions: appended when only new positions follow the ones
    /// last written, else the whole file (see the type's comment). Throws a one-line error.
    @discardableResult
    public mutating func save(_ ctx: LlamaContext) throws -> SaveKind {
        let key = key(for: ctx)
        if let w = written, ctx.unchangedCount >= w.state.count, ctx.count >= w.state.count {
            if ctx.count == w.state.count { return .unchanged }
            if let s = try? append(ctx, key: key, after: w) {
                written = (s, w.device, w.inode)
                ctx.markUnchanged()
                return .appended(ctx.count - w.state.count)
            }
        }
        written = nil
        var state = KVCacheFile.Committed(), st = stat()
        try AtomicFile.write(to: url, overwrite: true) { fd, path in
            state = try KVCacheFile.write(ctx, key: key) { try FileIO.writeAll(fd, $0, path: path) }
            guard fstat(fd, &st) == 0 else { throw FileIO.errno("cannot stat", path) }
        }
        written = (state, UInt64(st.st_dev), UInt64(st.st_ino))
        ctx.markUnchanged()
        return .rewritten(ctx.count)
    }

    /// Appends positions [w.state.count, ctx.count) to the file `w` describes and commits
    /// them; returns the new state. Throws when the file is not that one any more.
    private func append(_ ctx: LlamaContext, key: [UInt8],
                        after w: (state: KVCacheFile.Committed, device: UInt64, inode: UInt64)) throws -> KVCacheFile.Committed {
        let path = url.path
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        if fd < 0 { throw FileIO.errno("cannot open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, UInt64(st.st_dev) == w.device,
              UInt64(st.st_ino) == w.inode, Int(st.st_size) == w.state.length else {
            throw SessionIOError("\(path): not the file last saved")
        }
        var at = w.state.length
        let s = try KVCacheFile.appendSegment(ctx, from: w.state) { b in
            try FileIO.writeAll(fd, b, at: at, path: path)
            at += b.count
        }
        try FileIO.fsync(fd, path: path)
        try KVCacheFile.header(s, of: ctx, key: key).withUnsafeBytes { try FileIO.writeAll(fd, $0, at: 0, path: path) }
        try FileIO.fsync(fd, path: path)
        return s
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
