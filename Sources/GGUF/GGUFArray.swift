/// A metadata array, stored compactly: a view into the file's bytes, never a decoded copy.
///
/// Why: a GGUF array element can be 1 byte in the file (uint8, int8, bool), while one
/// decoded `GGUFValue` costs ~24 bytes, so decoding arrays eagerly let a hostile file make
/// the reader allocate ~24x its size. Here:
/// - fixed-size elements (numbers, bools): no allocation at all; element `i` is decoded
///   on access from `start + i * size` (little-endian, possibly unaligned);
/// - strings and arrays of arrays: `index` holds the absolute offset of every `stride`-th
///   element (8 bytes per 16 elements, each of which takes at least 8 bytes in the file,
///   so at most 1/16 of the array's bytes); element `i` is found by walking at most 15
///   elements from the nearest entry. Strings are decoded to `String` on access (validated
///   as UTF-8 at parse time, except in the lossy token list, whose bad bytes decode to
///   U+FFFD); inner arrays are rebuilt on access (their own index walked anew, again at
///   most 1/16 of their bytes). Iteration walks the elements in order, without the index.
///
/// The array holds a reference to the `MappedFile`, so the mapping stays alive while any
/// value taken from it lives, even after its `GGUFFile` is released. All element bytes
/// were validated at parse time; access still clamps every read to `start..<end`, so a
/// file changed under the mapping yields wrong values, never a read outside it.
public struct GGUFArray: Sendable, RandomAccessCollection {
    public let elementType: GGUFValueType
    public let count: Int
    /// Owner of the bytes; keeps the mapping alive.
    let storage: MappedFile
    /// Absolute byte range of the elements in the mapping (after the type and count).
    let start: Int, end: Int
    /// Strings and arrays: absolute offset of element k * stride. Empty for fixed-size
    /// elements.
    let index: [Int]

    /// Elements per `index` entry.
    static let stride = 16

    init(elementType: GGUFValueType, count: Int, storage: MappedFile, start: Int, end: Int, index: [Int]) {
        self.elementType = elementType
        self.count = count
        self.storage = storage
        self.start = start
        self.end = end
        self.index = index
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> GGUFValue {
        precondition(i >= 0 && i < count, "GGUFArray index \(i) out of range 0..<\(count)")
        if let size = elementType.fixedSize { return scalar(at: start + i * size) }
        var at = index[i / Self.stride]
        for _ in 0..<(i % Self.stride) { at = nextElement(after: at) }
        return element(at: at)
    }

    public func makeIterator() -> Iterator { Iterator(array: self) }

    /// Walks the elements in order (strings and arrays without the index).
    public struct Iterator: IteratorProtocol {
        let array: GGUFArray
        var i = 0
        var at: Int

        init(array: GGUFArray) {
            self.array = array
            self.at = array.start
        }

        public mutating func next() -> GGUFValue? {
            guard i < array.count else { return nil }
            defer { i += 1 }
            if array.elementType.fixedSize != nil { return array[i] }
            defer { at = array.nextElement(after: at) }
            return array.element(at: at)
        }
    }

    // MARK: - Typed access (fast paths for the tokenizer and the engine)

    /// All elements as Strings, or nil when the elements are not strings.
    public var asStrings: [String]? {
        guard elementType == .string else { return nil }
        var out: [String] = []
        out.reserveCapacity(count)
        var at = start
        for _ in 0..<count {
            out.append(string(at: at))
            at = nextString(after: at)
        }
        return out
    }

    /// All elements as Ints when they are integers that fit (every uint64 below 2^63).
    public var asInts: [Int]? {
        switch elementType {
        case .uint8: return ints(UInt8.self)
        case .int8: return ints(Int8.self)
        case .uint16: return ints(UInt16.self)
        case .int16: return ints(Int16.self)
        case .uint32: return ints(UInt32.self)
        case .int32: return ints(Int32.self)
        case .int64: return ints(Int64.self)
        case .uint64:
            var out: [Int] = []
            out.reserveCapacity(count)
            for k in 0..<count {
                guard let v = Int(exactly: load(UInt64.self, start + k * 8)) else { return nil }
                out.append(v)
            }
            return out
        default: return nil
        }
    }

    /// All elements as Floats when they are float32 (or float64, rounded).
    public var asFloats: [Float]? {
        switch elementType {
        case .float32: return (0..<count).map { Float(bitPattern: load(UInt32.self, start + $0 * 4)) }
        case .float64: return (0..<count).map { Float(Double(bitPattern: load(UInt64.self, start + $0 * 8))) }
        default: return nil
        }
    }

    // MARK: - Decoding

    private func ints<T: FixedWidthInteger>(_: T.Type) -> [Int] {
        let size = MemoryLayout<T>.size
        return (0..<count).map { Int(load(T.self, start + $0 * size)) }
    }

    /// A little-endian `T` at absolute offset `at` (zero when it would leave the array).
    func load<T: FixedWidthInteger>(_: T.Type, _ at: Int) -> T {
        guard at >= start, at <= end - MemoryLayout<T>.size else { return 0 }
        return T(littleEndian: storage.base.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    private func scalar(at: Int) -> GGUFValue {
        switch elementType {
        case .uint8: .uint8(load(UInt8.self, at))
        case .int8: .int8(load(Int8.self, at))
        case .uint16: .uint16(load(UInt16.self, at))
        case .int16: .int16(load(Int16.self, at))
        case .uint32: .uint32(load(UInt32.self, at))
        case .int32: .int32(load(Int32.self, at))
        case .uint64: .uint64(load(UInt64.self, at))
        case .int64: .int64(load(Int64.self, at))
        case .float32: .float32(Float(bitPattern: load(UInt32.self, at)))
        case .float64: .float64(Double(bitPattern: load(UInt64.self, at)))
        case .bool: .bool(load(UInt8.self, at) == 1)
        case .string, .array: .uint8(0)   // not fixed-size; callers never ask
        }
    }

    /// The string or array (not fixed-size element) whose bytes start at `at`.
    func element(at: Int) -> GGUFValue {
        elementType == .string ? .string(string(at: at)) : .array(innerArray(at: at))
    }

    /// Offset of the string or array after the one that starts at `at`.
    func nextElement(after at: Int) -> Int {
        elementType == .string ? nextString(after: at) : byteEnd(ofArrayAt: at, depth: 0)
    }

    /// The bytes of the string whose length prefix is at `at`, clamped to the array.
    private func stringBytes(at: Int) -> UnsafeBufferPointer<UInt8> {
        let n = Int(clamping: load(UInt64.self, at))
        let from = Swift.min(at + 8, end)
        let len = Swift.min(n, end - from)
        return UnsafeRawBufferPointer(start: storage.base + from, count: Swift.max(len, 0))
            .bindMemory(to: UInt8.self)
    }

    func string(at: Int) -> String {
        String(decoding: stringBytes(at: at), as: UTF8.self)
    }

    /// Offset of the string after the one whose length prefix is at `at`.
    func nextString(after at: Int) -> Int {
        let n = load(UInt64.self, at)
        return n > UInt64(end - at) ? end : at + 8 + Int(n)
    }

    /// The inner array whose header (u32 type, u64 count) is at `at`. Its index is rebuilt
    /// here by walking its (already validated) elements.
    private func innerArray(at: Int) -> GGUFArray {
        let empty = GGUFArray(elementType: .uint8, count: 0, storage: storage, start: at, end: at, index: [])
        guard let et = GGUFValueType(rawValue: load(UInt32.self, at)) else { return empty }
        let from = at + 12
        let n = Int(clamping: load(UInt64.self, at + 4))
        if let size = et.fixedSize {
            guard n <= (end - Swift.min(from, end)) / size else { return empty }
            return GGUFArray(elementType: et, count: n, storage: storage, start: from, end: from + n * size, index: [])
        }
        guard n <= (end - Swift.min(from, end)) / et.minimumSize else { return empty }
        var index: [Int] = []
        index.reserveCapacity(n / Self.stride + 1)
        var p = from
        for k in 0..<n {
            if k % Self.stride == 0 { index.append(p) }
            p = et == .string ? nextString(after: p) : byteEnd(ofArrayAt: p, depth: 1)
        }
        return GGUFArray(elementType: et, count: n, storage: storage, start: from, end: p, index: index)
    }

    /// Where the (validated) array whose header is at `at` ends, clamped to `end`. `depth`
    /// bounds the recursion even if the bytes changed since they were validated.
    private func byteEnd(ofArrayAt at: Int, depth: Int) -> Int {
        guard depth < GGUFFile.maxArrayDepth,
              let et = GGUFValueType(rawValue: load(UInt32.self, at)) else { return end }
        let n = load(UInt64.self, at + 4)
        var p = at + 12
        if let size = et.fixedSize {
            return n > UInt64(Swift.max(end - p, 0) / size) ? end : p + Int(n) * size
        }
        for _ in 0..<Swift.min(n, UInt64(Swift.max(end - p, 0))) {
            guard p < end else { return end }
            p = et == .string ? nextString(after: p) : byteEnd(ofArrayAt: p, depth: depth + 1)
        }
        return Swift.min(p, end)
    }
}

extension GGUFArray: Equatable {
    /// Equal when the element types and all elements are equal (wherever the bytes live).
    public static func == (a: GGUFArray, b: GGUFArray) -> Bool {
        a.elementType == b.elementType && a.count == b.count && a.elementsEqual(b)
    }
}
