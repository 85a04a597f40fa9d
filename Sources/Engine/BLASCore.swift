import COpenBLAS

/// OpenBLAS's kernel set ("core": "Haswell", "SkylakeX", "Cooperlake", ...), which the
/// float prefill's sgemm runs on. OpenBLAS picks it from CPUID when the library loads,
/// unless OPENBLAS_CORETYPE names one; `ponder bench` reports it, since it moves the
/// float prefill's speed a lot (a 2-core Zen 4, SmolLM2 Q8_0 pp512: 366 tok/s on the AVX2
/// "Haswell" kernels, 571 on the AVX-512 ones, 1 thread).
public enum BLASCore {
    public static var name: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}
