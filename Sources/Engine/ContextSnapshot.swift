/// A copy of a context's cached positions: tokens, keys and values of the used rows only,
/// so a session can park one prompt's cache (e.g. the other reasoning mode's) and swap it
/// back without re-evaluating. Size: count x layers x (keyWidth + valueWidth) x 4 bytes.
public final class ContextSnapshot: @unchecked Sendable {
    public let tokens: [Int32]
    /// Logits after the last token, when the context had them.
    let lastLogits: [Float]?
    let keys: [Float]     // (layer, count, keyWidth)
    let values: [Float]   // (layer, count, valueWidth)
    let layerCount: Int, keyWidth: Int, valueWidth: Int

    init(tokens: [Int32], lastLogits: [Float]?, keys: [Float], values: [Float],
         layerCount: Int, keyWidth: Int, valueWidth: Int) {
        self.tokens = tokens; self.lastLogits = lastLogits; self.keys = keys; self.values = values
        self.layerCount = layerCount; self.keyWidth = keyWidth; self.valueWidth = valueWidth
    }

    /// Bytes the snapshot holds.
    public var byteCount: Int { (keys.count + values.count) * MemoryLayout<Float>.size }
}

extension LlamaContext {
    /// Copies the cached positions (see `ContextSnapshot`).
    public func snapshot() -> ContextSnapshot {
        let n = tokens.count
        var k = [Float](), v = [Float]()
        k.reserveCapacity(cache.layerCount * n * cache.keyWidth)
        v.reserveCapacity(cache.layerCount * n * cache.valueWidth)
        for l in 0..<cache.layerCount {
            k.append(contentsOf: UnsafeBufferPointer(start: cache.keys(layer: l), count: n * cache.keyWidth))
            v.append(contentsOf: UnsafeBufferPointer(start: cache.values(layer: l), count: n * cache.valueWidth))
        }
        return ContextSnapshot(tokens: tokens, lastLogits: lastLogits, keys: k, values: v,
                               layerCount: cache.layerCount, keyWidth: cache.keyWidth, valueWidth: cache.valueWidth)
    }

    /// Replaces the cache by `snapshot`. Throws when it comes from a model of other shapes
    /// or does not fit this context.
    public func restore(_ s: ContextSnapshot) throws(EngineError) {
        guard s.layerCount == cache.layerCount, s.keyWidth == cache.keyWidth, s.valueWidth == cache.valueWidth else {
            throw .invalidArgument("the snapshot was taken from a model of other shapes")
        }
        let n = s.tokens.count
        guard n <= capacity else { throw .contextFull(needed: n, capacity: capacity) }
        s.keys.withUnsafeBufferPointer { kp in
            s.values.withUnsafeBufferPointer { vp in
                for l in 0..<cache.layerCount {
                    cache.keys(layer: l).update(from: kp.baseAddress! + l * n * cache.keyWidth, count: n * cache.keyWidth)
                    cache.values(layer: l).update(from: vp.baseAddress! + l * n * cache.valueWidth, count: n * cache.valueWidth)
                }
            }
        }
        replaceState(tokens: s.tokens, lastLogits: s.lastLogits)
    }
}
