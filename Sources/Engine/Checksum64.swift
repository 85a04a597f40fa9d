/// A fast 64-bit checksum (xxHash64's round over 8-byte words, four lanes): it detects
/// corruption of large buffers (a saved KV cache: hundreds of MiB) at memory speed, where
/// a byte-at-a-time hash would take seconds. An integrity check, not a security measure.
///
/// Streaming by segments: each `update` hashes one buffer seeded with the state so far,
/// so writer and reader must pass the same segments in the same order.
public struct Checksum64: Sendable, Equatable {
    public private(set) var value: UInt64

    /// The state before any bytes.
    public static let seed: UInt64 = 0x9E37_79B1_85EB_CA87

    public init(seed: UInt64 = Checksum64.seed) { value = seed }

    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    @inline(__always) static func round(_ acc: UInt64, _ w: UInt64) -> UInt64 {
        let a = acc &+ w &* p2
        return ((a << 31) | (a >> 33)) &* p1
    }

    /// Mixes `bytes` (any length, any alignment) into the state.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var v1 = value &+ Self.p1 &+ Self.p2, v2 = value &+ Self.p2, v3 = value, v4 = value &- Self.p1
        var i = 0
        if let base = bytes.baseAddress {
            while i + 32 <= n {
                v1 = Self.round(v1, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                v2 = Self.round(v2, base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                v3 = Self.round(v3, base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                v4 = Self.round(v4, base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                i += 32
            }
            while i + 8 <= n {
                v1 = Self.round(v1, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8; i += 1
            }
            v2 = Self.round(v2, tail ^ (shift << 56))
        }
        var h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
        h ^= UInt64(n) &* Self.p3
        h ^= h >> 33; h = h &* Self.p2; h ^= h >> 29; h = h &* Self.p3; h ^= h >> 32
        value = h
    }

    /// `update` over an array's bytes.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
}
