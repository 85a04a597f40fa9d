/// A copy of a context's evaluated state: its tokens and the KV rows they fill.
///
/// Used by the session layer to keep one cache per reasoning mode: swapping a snapshot
/// in is one copy of `byteCount` bytes, far cheaper than re-evaluating the tokens.
/// Shapes: keys (layer, tokens.count, keyWidth), values (layer, tokens.count, valueWidth), Float32.
public final class ContextSnapshot: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let tokens: [Int32]
    let keys: [Float]
    let values: [Float]
    let lastLogits: [Float]?
    /// Bytes held (KV rows and the last logits).
    public var byteCount: Int { (keys.count + values.count + (lastLogits?.count ?? 0)) * MemoryLayout<Float>.size }

    init(tokens: [Int32], keys: [Float], values: [Float], lastLogits: [Float]?) {
        self.tokens = tokens
        self.keys = keys
        self.values = values
        self.lastLogits = lastLogits
    }
}

extension LlamaContext {
    /// Copies the cached positions [0, count) of every layer.
    public func snapshot() -> ContextSnapshot {
        let n = count, kw = cache.keyWidth, vw = cache.valueWidth
        var k = [Float](repeating: 0, count: cache.layerCount * n * kw)
        var v = [Float](repeating: 0, count: cache.layerCount * n * vw)
        k.withUnsafeMutableBufferPointer { kp in
            v.withUnsafeMutableBufferPointer { vp in
                for l in 0..<cache.layerCount {
                    (kp.baseAddress! + l * n * kw).update(from: cache.keys(layer: l), count: n * kw)
                    (vp.baseAddress! + l * n * vw).update(from: cache.values(layer: l), count: n * vw)
                }
            }
        }
        return ContextSnapshot(tokens: tokens, keys: k, values: v, lastLogits: lastLogits)
    }

    /// Replaces the cache by `snapshot` (taken from a context of the same model).
    public func restore(_ snapshot: ContextSnapshot) throws(EngineError) {
        let n = snapshot.tokens.count, kw = cache.keyWidth, vw = cache.valueWidth
        guard n <= capacity, snapshot.keys.count == cache.layerCount * n * kw,
              snapshot.values.count == cache.layerCount * n * vw else {
            throw .invalidArgument("snapshot of \(n) tokens does not fit this context")
        }
        snapshot.keys.withUnsafeBufferPointer { kp in
            snapshot.values.withUnsafeBufferPointer { vp in
                for l in 0..<cache.layerCount {
                    cache.keys(layer: l).update(from: kp.baseAddress! + l * n * kw, count: n * kw)
                    cache.values(layer: l).update(from: vp.baseAddress! + l * n * vw, count: n * vw)
                }
            }
        }
        replaceState(tokens: snapshot.tokens, lastLogits: snapshot.lastLogits)
    }
}
