import ArgumentParser
import Session

/// Sampler flags (`--temp`, `--top-p`, …) checked by `SamplingRule`, the rule that `/set`
/// and the session loader apply too: a value a flag accepts is a value a session file may
/// hold. A broken rule is a `ValidationError` naming the flag.
enum SamplingFlags {
    static func check(_ flag: String, _ value: Double?, _ rule: (Double) -> String?) throws {
        if let value, let e = rule(value) { throw ValidationError("\(flag): \(e)") }
    }

    static func check(_ flag: String, _ value: Int?, _ rule: (Int) -> String?) throws {
        if let value, let e = rule(value) { throw ValidationError("\(flag): \(e)") }
    }
}
