import Foundation
import Testing
import Engine
import Session
import TestSupport

/// `SavedKVCache.save` after the first: only the positions added since the last save are
/// appended (the file's earlier bytes stay as they were), a changed prefix rewrites the
/// file, and a crash at any point of an append leaves the old state or a refusal, never a
/// wrong cache. The oracle is the live context the file was saved from: a restored context
/// must hold its tokens and continue with bit-identical logits. Real SmolLM2, real files.
@Suite(.serialized) struct SavedKVAppendTests {
    typealias T = SavedKVCacheTests

    static func bytes(_ url: URL) throws -> [UInt8] { try [UInt8](Data(contentsOf: url)) }

    /// Restores `url` into a fresh context; expects `live`'s tokens and the same logits
    /// for the next tokens, bit for bit, as a copy of `live` (its snapshot: `live` itself
    /// stays as it is, its rows unchanged since the last save).
    static func expectContinues(_ url: URL, _ f: T.Fixture, like live: LlamaContext,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let restored = try LlamaContext(model: f.model, capacity: 256)
        let outcome = SavedKVCache(url: url, model: f.identity).restore(into: restored)
        #expect(T.restoredCount(outcome) == live.count, "\(outcome)", sourceLocation: sourceLocation)
        #expect(restored.tokens == live.tokens, sourceLocation: sourceLocation)
        let next: [Int32] = [live.tokens[2], 42, 7]
        let copy = try LlamaContext(model: f.model, capacity: 256)
        try copy.restore(live.snapshot())
        let a = try copy.evaluate(next, logits: .all), b = try restored.evaluate(next, logits: .all)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern), sourceLocation: sourceLocation)
    }

    /// SmolLM2, a fresh folder `name` and its file's URL, and a context that evaluated the prompt.
    static func start(_ name: String) throws -> (T.Fixture, URL, URL, LlamaContext) {
        let f = try T.fixture(try TestEnv.smolQ4_1)
        let dir = try TestEnv.freshDirectory(name)
        let ctx = try LlamaContext(model: f.model, capacity: 256)
        try ctx.evaluate(f.prompt)
        return (f, dir, dir.appendingPathComponent("s.jsonl.kv"), ctx)
    }

    @Test func aTurnAppendsOnlyItsPositions() throws {
        let (f, dir, url, ctx) = try Self.start("kv-append")
        defer { try? FileManager.default.removeItem(at: dir) }
        var file = SavedKVCache(url: url, model: f.identity)
        #expect(try file.save(ctx) == .rewritten(f.prompt.count))
        let first = try Self.bytes(url)
        #expect(try file.save(ctx) == .unchanged)

        _ = try T.greedy(ctx, 10)
        #expect(try file.save(ctx) == .appended(10))
        let second = try Self.bytes(url)
        // One segment of 10 positions more: its header, tokens and 30 layers of F16 rows.
        #expect(second.count == first.count + 16 + 10 * 4 + 10 * 30 * 2 * 192 * 2)
        // Everything after the 72-byte header is the first file's, byte for byte.
        #expect(Array(second[72..<first.count]) == Array(first[72...]))
        try Self.expectContinues(url, f, like: ctx)

        // A speculative rollback inside the new positions keeps the saved ones: still an append.
        _ = try T.greedy(ctx, 6)
        ctx.truncate(to: ctx.count - 2)
        try ctx.evaluate([42])
        _ = try T.greedy(ctx, 2)
        #expect(try file.save(ctx) == .appended(7))
        try Self.expectContinues(url, f, like: ctx)
    }

    @Test func aChangedPrefixOrAnotherFileRewrites() throws {
        let (f, dir, url, ctx) = try Self.start("kv-rewrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        var file = SavedKVCache(url: url, model: f.identity)
        _ = try T.greedy(ctx, 8)
        try file.save(ctx)

        // Regenerate: back into the saved positions, then other tokens.
        ctx.truncate(to: f.prompt.count)
        try ctx.evaluate([42, 43, 44])
        #expect(try file.save(ctx) == .rewritten(f.prompt.count + 3))
        try Self.expectContinues(url, f, like: ctx)

        // Back to the same count, the same tokens: rows recomputed, so rewritten too.
        ctx.truncate(to: ctx.count - 1)
        try ctx.evaluate([44])
        #expect(try file.save(ctx) == .rewritten(ctx.count))

        // Another process replaced the file (a new inode): rewritten, not appended to.
        let copy = dir.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: url, to: copy)
        try FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: copy, to: url)
        _ = try T.greedy(ctx, 2)
        #expect(try file.save(ctx) == .rewritten(ctx.count))
        try Self.expectContinues(url, f, like: ctx)
    }

    /// The states a crash can leave between two saves, written as files: the old state
    /// restores, a torn header or a segment that never reached the disk is refused.
    @Test func aCrashMidAppendLeavesTheOldStateOrARefusal() throws {
        let (f, dir, url, ctx) = try Self.start("kv-crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        var file = SavedKVCache(url: url, model: f.identity)
        try file.save(ctx)
        let old = try Self.bytes(url), oldCount = ctx.count
        _ = try T.greedy(ctx, 10)
        #expect(try file.save(ctx) == .appended(10))
        let new = try Self.bytes(url)
        #expect(T.restoredCount(try T.restore(new, f, in: dir).0) == ctx.count)

        // The segment written (wholly or in part), the header not yet: the old state.
        let segment = Array(new[old.count...])
        for part in [segment, Array(segment.prefix(segment.count / 2)), Array(segment.prefix(5))] {
            #expect(T.restoredCount(try T.restore(old + part, f, in: dir).0) == oldCount)
        }
        // A torn header (new count, old length and checksums; or the reverse): refused.
        T.expectRefused(try T.restore(Array(new[0..<40]) + Array(old[40...]) + segment, f, in: dir), "checksum")
        T.expectRefused(try T.restore(Array(old[0..<40]) + Array(new[40...]), f, in: dir), "checksum")
        // The new header over a segment that did not reach the disk intact: refused.
        var lost = new
        for i in (old.count + 16 + 40)..<new.count where i % 4096 < 512 { lost[i] = 0 }     // rows only
        T.expectRefused(try T.restore(lost, f, in: dir), "checksum")
        // The new header, the segment cut short: truncated.
        T.expectRefused(try T.restore(Array(new.dropLast(1000)), f, in: dir), "truncated")
        // A flipped byte in the first segment of the two, and a changed token in the second.
        var flipped = new
        flipped[old.count - 100] ^= 0x08
        T.expectRefused(try T.restore(flipped, f, in: dir), "checksum")
        var token = new
        token[old.count + 16 + 4 * 3] ^= 0x01
        T.expectRefused(try T.restore(token, f, in: dir), "checksum")
    }
}
