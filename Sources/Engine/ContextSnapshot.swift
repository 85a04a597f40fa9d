/// A copy of a context's cached positions: tokens, keys and values of the used rows only,
/// so a session can park one prompt's cache (e.g. the other reasoning mode's) and swap it
/// back without re-evaluating. Size: count x layers x (keyWidth + valueWidth) x the
/// cache's element size (2 bytes for F16, 4 for F32).
public final class ContextSnapshot: @unchecked Sendable {
    public let tokens: [Int32]
    /// Logits after the last token, when the context had them.
    let lastLogits: [Float]?
    let keys: [UInt8]     // (layer, count, keyWidth) elements of `type`
    let values: [UInt8]   // (layer, count, valueWidth) elements of `type`
    let layerCount: Int, keyWidth: Int, valueWidth: Int
    let type: KVCacheType

    init(tokens: [Int32], lastLogits: [Float]?, keys: [UInt8], values: [UInt8],
         layerCount: Int, keyWidth: Int, valueWidth: Int, type: KVCacheType) {
        self.tokens = tokens; self.lastLogits = lastLogits; self.keys = keys; self.values = values
        self.layerCount = layerCount; self.keyWidth = keyWidth; self.valueWidth = valueWidth
        self.type = type
    }

    /// Bytes the snapshot holds.
    public var byteCount: Int { keys.count + values.count }
}

extension LlamaContext {
    /// Copies the cached positions (see `ContextSnapshot`).
    public func snapshot() -> ContextSnapshot {
        let n = tokens.count
        var k = [UInt8](), v = [UInt8]()
        k.reserveCapacity(cache.layerCount * cache.keyBytes(n))
        v.reserveCapacity(cache.layerCount * cache.valueBytes(n))
        for l in 0..<cache.layerCount {
            k.append(contentsOf: UnsafeRawBufferPointer(start: cache.keyRow(layer: l, position: 0), count: cache.keyBytes(n)))
            v.append(contentsOf: UnsafeRawBufferPointer(start: cache.valueRow(layer: l, position: 0), count: cache.valueBytes(n)))
        }
        return ContextSnapshot(tokens: tokens, lastLogits: lastLogits, keys: k, values: v,
                               layerCount: cache.layerCount, keyWidth: cache.keyWidth, valueWidth: cache.valueWidth,
                               type: cache.type)
    }

    /// Replaces the cache by `snapshot`. Throws when it comes from a model of other shapes
    /// or does not fit this context.
    public func restore(_ s: ContextSnapshot) throws(EngineError) {
        guard s.layerCount == cache.layerCount, s.keyWidth == cache.keyWidth, s.valueWidth == cache.valueWidth,
              s.type == cache.type else {
            throw .invalidArgument("the snapshot was taken from a model of other shapes or another cache type")
        }
        let n = s.tokens.count
        guard n <= capacity else { throw .contextFull(needed: n, capacity: capacity) }
        let kb = cache.keyBytes(n), vb = cache.valueBytes(n)
        s.keys.withUnsafeBytes { kp in
            s.values.withUnsafeBytes { vp in
                for l in 0..<cache.layerCount {
                    if kb > 0 { cache.keyRow(layer: l, position: 0).copyMemory(from: kp.baseAddress! + l * kb, byteCount: kb) }
                    if vb > 0 { cache.valueRow(layer: l, position: 0).copyMemory(from: vp.baseAddress! + l * vb, byteCount: vb) }
                }
            }
        }
        replaceState(tokens: s.tokens, lastLogits: s.lastLogits)
    }
}
