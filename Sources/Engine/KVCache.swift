import Foundation
import Kernels

/// The element type of the KV cache.
public enum KVCacheType: String, Sendable, CaseIterable {
    /// IEEE half: half the memory and half the bytes attention reads per token. Default.
    case f16
    /// Float32: exact, twice the memory.
    case f32

    /// Bytes per cached value.
    public var byteWidth: Int { self == .f16 ? 2 : 4 }
    /// The Kernels type number (pk_vec_dot / pk_axpy rows).
    var kernelType: Int32 { self == .f16 ? Int32(PK_F16.rawValue) : Int32(PK_F32.rawValue) }

    /// `PONDER_KV` (f16 or f32), else f16.
    public static let fromEnvironment: KVCacheType =
        ProcessInfo.processInfo.environment["PONDER_KV"].flatMap(KVCacheType.init(rawValue:)) ?? .f16
}

/// Keys (after RoPE) and values of every evaluated position, per layer.
///
/// Layout: keys (layer, capacity, keyWidth), values (layer, capacity, valueWidth) of
/// `type` elements, where keyWidth = kvHeads * headDimK and valueWidth = kvHeads *
/// headDimV: one contiguous row per position, each head a contiguous slice of it.
/// Positions [0, count) are valid; the rest is unwritten memory (the OS maps pages on
/// first touch).
final class KVCache {
    let type: KVCacheType
    let capacity: Int
    let layerCount: Int
    let keyWidth: Int
    let valueWidth: Int
    private let keys: UnsafeMutableRawPointer
    private let values: UnsafeMutableRawPointer
    /// Positions holding valid keys and values.
    var count = 0

    init(config: LlamaConfig, capacity: Int, type: KVCacheType) {
        self.type = type
        self.capacity = capacity
        layerCount = config.layerCount
        keyWidth = config.keyWidth
        valueWidth = config.valueWidth
        keys = .allocate(byteCount: layerCount * capacity * keyWidth * type.byteWidth, alignment: 64)
        values = .allocate(byteCount: layerCount * capacity * valueWidth * type.byteWidth, alignment: 64)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes the cache reserves.
    static func bytes(config: LlamaConfig, capacity: Int, type: KVCacheType) -> Int {
        config.layerCount * capacity * (config.keyWidth + config.valueWidth) * type.byteWidth
    }

    var bytes: Int { layerCount * capacity * (keyWidth + valueWidth) * type.byteWidth }

    /// Bytes of one layer's keys / values of `n` positions (a snapshot's unit).
    func keyBytes(_ n: Int) -> Int { n * keyWidth * type.byteWidth }
    func valueBytes(_ n: Int) -> Int { n * valueWidth * type.byteWidth }

    /// Layer `l`'s key row of position `p` (keyWidth elements of `type`).
    func keyRow(layer l: Int, position p: Int) -> UnsafeMutableRawPointer {
        keys + ((l * capacity + p) * keyWidth) * type.byteWidth
    }
    /// Layer `l`'s value row of position `p` (valueWidth elements of `type`).
    func valueRow(layer l: Int, position p: Int) -> UnsafeMutableRawPointer {
        values + ((l * capacity + p) * valueWidth) * type.byteWidth
    }

    /// Writes `n` rows of float keys and values (k: (n, keyWidth), v: (n, valueWidth))
    /// at positions [p0, p0+n) of layer `l`, converting to `type`.
    func store(layer l: Int, at p0: Int, rows n: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        switch type {
        case .f32:
            keyRow(layer: l, position: p0).copyMemory(from: k, byteCount: n * keyWidth * 4)
            valueRow(layer: l, position: p0).copyMemory(from: v, byteCount: n * valueWidth * 4)
        case .f16:
            pk_fp32_to_fp16_row(k, keyRow(layer: l, position: p0).assumingMemoryBound(to: UInt16.self), n * keyWidth)
            pk_fp32_to_fp16_row(v, valueRow(layer: l, position: p0).assumingMemoryBound(to: UInt16.self), n * valueWidth)
        }
    }

    /// Layer `l`'s keys of positions [0, n) as floats ((n, keyWidth)): the cache itself
    /// when it is F32, else converted into `scratch` (n * keyWidth floats).
    func keysAsFloat(layer l: Int, count n: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        asFloat(keyRow(layer: l, position: 0), count: n * keyWidth, scratch: scratch)
    }

    /// Layer `l`'s values of positions [0, n) as floats ((n, valueWidth)); see keysAsFloat.
    func valuesAsFloat(layer l: Int, count n: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        asFloat(valueRow(layer: l, position: 0), count: n * valueWidth, scratch: scratch)
    }

    /// `count` cached elements from `row` on as floats: in place when F32, else converted.
    private func asFloat(_ row: UnsafeMutableRawPointer, count: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        if type == .f32 { return UnsafePointer(row.assumingMemoryBound(to: Float.self)) }
        pk_fp16_to_fp32_row(row.assumingMemoryBound(to: UInt16.self), scratch, count)
        return UnsafePointer(scratch)
    }
}
