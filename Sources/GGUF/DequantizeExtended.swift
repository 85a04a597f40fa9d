/// K-quants (Q2_K…Q8_K) and IQ4 types. Filled in type by type; an unsupported type
/// returns nil here and is reported by name at load time.
func extendedDequantizer(for type: GGMLType) -> BlockDequantizer? {
    switch type {
    default: return nil
    }
}
