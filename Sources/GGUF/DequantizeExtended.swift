/// Registry of the K-quant (DequantizeK.swift) and IQ4 (DequantizeIQ4.swift)
/// dequantizers. A type not listed here (IQ1/IQ2/IQ3, TQ, MXFP4, Q8_1, integer types)
/// returns nil: `GGUFFile.requireSupported()` reports it by name at load time.
func extendedDequantizer(for type: GGMLType) -> BlockDequantizer? {
    switch type {
    case .q2_K: return dequantQ2_K
    case .q3_K: return dequantQ3_K
    case .q4_K: return dequantQ4_K
    case .q5_K: return dequantQ5_K
    case .q6_K: return dequantQ6_K
    case .q8_K: return dequantQ8_K
    case .iq4_nl: return dequantIQ4_NL
    case .iq4_xs: return dequantIQ4_XS
    default: return nil
    }
}
