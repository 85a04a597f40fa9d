/// A tensor element type as stored in GGUF (ggml's `ggml_type` numbering).
///
/// Quantized types store blocks: `blockSize` elements in `typeSize` bytes. A row
/// (`shape[0]` elements) is always a whole number of blocks.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3
    case q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20
    case iq3_s = 21, iq2_s = 22, iq4_xs = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39

    /// The name llama.cpp and the `gguf` Python package use ("Q4_K", "F16", …).
    public var name: String {
        switch self {
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K:
            let s = String(describing: self)
            return s.prefix(2).uppercased() + "_K"
        default:
            return String(describing: self).uppercased()
        }
    }

    /// Elements per block (1 for plain types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .i8, .i16, .i32, .i64, .f64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4: return 32
        default: return 256
        }
    }

    /// Bytes per block.
    public var typeSize: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8: return 1
        case .i64, .f64: return 8
        case .q4_0: return 18          // f16 d, 16 bytes of nibbles
        case .q4_1: return 20          // f16 d, f16 m, 16 bytes of nibbles
        case .q5_0: return 22          // f16 d, u32 high bits, 16 bytes of nibbles
        case .q5_1: return 24          // f16 d, f16 m, u32 high bits, 16 bytes
        case .q8_0: return 34          // f16 d, 32 x int8
        case .q8_1: return 36          // f16 d, f16 s, 32 x int8
        case .q2_K: return 84          // 16 scales, 64 qs, f16 d, f16 dmin
        case .q3_K: return 110         // 32 hmask, 64 qs, 12 scales, f16 d
        case .q4_K: return 144         // f16 d, f16 dmin, 12 scales, 128 qs
        case .q5_K: return 176         // f16 d, f16 dmin, 12 scales, 32 qh, 128 qs
        case .q6_K: return 210         // 128 ql, 64 qh, 16 int8 scales, f16 d
        case .q8_K: return 292         // f32 d, 256 int8, 16 x int16 bsums
        case .iq2_xxs: return 66
        case .iq2_xs: return 74
        case .iq3_xxs: return 98
        case .iq1_s: return 50
        case .iq4_nl: return 18        // f16 d, 16 bytes of nibbles
        case .iq3_s: return 110
        case .iq2_s: return 82
        case .iq4_xs: return 136       // f16 d, u16 scales_h, 4 scales_l, 128 qs
        case .iq1_m: return 56
        case .tq1_0: return 54
        case .tq2_0: return 66
        case .mxfp4: return 17
        }
    }

    /// True when `dequantize` can turn this type into Float32.
    public var isSupported: Bool { dequantizer(for: self) != nil }

    /// Bytes for `elements` elements, or nil when `elements` is not a whole number of
    /// blocks or the size overflows.
    public func byteCount(elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (r, o) = (elements / blockSize).multipliedReportingOverflow(by: typeSize)
        return o ? nil : r
    }
}
