/// Keys (after RoPE) and values of every evaluated position, Float32, per layer.
///
/// Layout: keys (layer, capacity, keyWidth), values (layer, capacity, valueWidth), where
/// keyWidth = kvHeads * headDimK and valueWidth = kvHeads * headDimV. Positions
/// [0, count) are valid; the rest is unwritten memory (the OS maps pages on first touch).
final class KVCache {
    let capacity: Int
    let layerCount: Int
    let keyWidth: Int
    let valueWidth: Int
    private let keys: UnsafeMutablePointer<Float>
    private let values: UnsafeMutablePointer<Float>
    /// Positions holding valid keys and values.
    var count = 0

    init(config: LlamaConfig, capacity: Int) {
        self.capacity = capacity
        layerCount = config.layerCount
        keyWidth = config.keyWidth
        valueWidth = config.valueWidth
        keys = .allocate(capacity: layerCount * capacity * keyWidth)
        values = .allocate(capacity: layerCount * capacity * valueWidth)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes the cache reserves.
    static func bytes(config: LlamaConfig, capacity: Int) -> Int {
        config.layerCount * capacity * (config.keyWidth + config.valueWidth) * MemoryLayout<Float>.size
    }

    var bytes: Int { layerCount * capacity * (keyWidth + valueWidth) * MemoryLayout<Float>.size }

    /// Layer `l`'s keys: (capacity, keyWidth).
    func keys(layer l: Int) -> UnsafeMutablePointer<Float> { keys + l * capacity * keyWidth }
    /// Layer `l`'s values: (capacity, valueWidth).
    func values(layer l: Int) -> UnsafeMutablePointer<Float> { values + l * capacity * valueWidth }
}
