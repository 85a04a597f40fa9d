#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MappedFile {
    /// What `prefault` did: bytes covered, and the sum of the bytes it read (one every
    /// `stride` bytes from `offset`), which keeps the reads from being optimized away
    /// and lets a test check that the right bytes were read.
    public struct Prefault: Sendable, Equatable {
        public var bytes: Int
        public var checksum: UInt64
    }

    /// Reads the mapping from `offset` to the end, one byte every `stride` bytes (a page),
    /// so the kernel brings the file in now rather than during the first forward pass.
    /// Works in chunks of `chunkBytes`, each advised with MADV_WILLNEED first; after each
    /// chunk calls `progress(done, total)` (bytes from `offset`; done rises to total), and
    /// stops early when it returns false.
    /// Shapes: total = size - offset; reads at offset + k·stride for k ≥ 0 while < size.
    @discardableResult
    public func prefault(from offset: Int, stride: Int = Int(sysconf(Int32(_SC_PAGESIZE))),
                         chunkBytes: Int = 8 << 20,
                         progress: (_ done: Int, _ total: Int) -> Bool = { _, _ in true }) -> Prefault {
        let start = min(max(0, offset), size)
        let total = size - start
        let step = max(1, stride)
        let chunk = max(step, chunkBytes / step * step)   // a whole number of strides
        var sum: UInt64 = 0
        var pos = start
        while pos < size {
            let end = min(size, pos + chunk)
            willNeed(offset: pos, count: end - pos)
            var p = pos
            while p < end { sum &+= UInt64(base.load(fromByteOffset: p, as: UInt8.self)); p += step }
            pos = end
            if !progress(pos - start, total) { break }
        }
        return Prefault(bytes: pos - start, checksum: sum)
    }
}
