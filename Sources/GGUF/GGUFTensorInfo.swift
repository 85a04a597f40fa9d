/// One tensor's description from the file's tensor table, validated.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let type: GGMLType
    /// ggml order: `shape[0]` is the innermost dimension (the row length). 1...4 entries, all > 0.
    public let shape: [Int]
    public let elementCount: Int
    public let byteCount: Int
    /// Absolute byte offset of the data in the file (aligned to the file's alignment).
    public let offset: Int

    /// Rows of `shape[0]` elements (product of the outer dimensions).
    public var rowCount: Int { elementCount / shape[0] }
    /// Bytes of one row.
    public var rowBytes: Int { byteCount / rowCount }
    /// Bits per weight: bytes * 8 / elements (IQ2_XS 2.3125, Q4_K 4.5, F16 16).
    public var bitsPerWeight: Double { Double(byteCount) * 8 / Double(elementCount) }
}
