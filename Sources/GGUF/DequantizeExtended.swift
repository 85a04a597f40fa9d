/// Registry of the K-quant (DequantizeK.swift), IQ4 (DequantizeIQ4.swift) and grid IQ
/// (DequantizeIQGrid.swift) dequantizers. A type not listed here (TQ, MXFP4, Q8_1, integer types)
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
    case .iq2_xxs: return dequantIQ2_XXS
    case .iq2_xs: return dequantIQ2_XS
    case .iq2_s: return dequantIQ2_S
    case .iq3_xxs: return dequantIQ3_XXS
    case .iq3_s: return dequantIQ3_S
    case .iq1_s: return dequantIQ1_S
    case .iq1_m: return dequantIQ1_M
    default: return nil
    }
}
